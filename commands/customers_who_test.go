package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A ticket is never refused for want of a customer.
func TestNewTicketCustomer(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, c := range []struct {
			name    string
			actor   domain.Actor
			in      commands.TicketInput
			want    string // the customer's key
			channel string // where the card goes
		}{
			{"named", agent, commands.TicketInput{CustomerKey: "acme", ChannelID: "CRANDOM"}, "ACME", "CACME"},
			{"the channel's", agent, commands.TicketInput{ChannelID: "CACME"}, "ACME", "CACME"},
			{"the requester's email domain", agent, commands.TicketInput{ChannelID: "CRANDOM", RequesterEmail: "Zoe@ACME.com"}, "ACME", "CACME"},
			{"nobody's channel: triage, card where it was asked", agent, commands.TicketInput{ChannelID: "CRANDOM"}, "TRIAGE", "CRANDOM"},
			{"no channel at all: triage channel", agent, commands.TicketInput{}, "TRIAGE", "CTRIAGE"},
			{"#triage named", agent, commands.TicketInput{CustomerKey: "triage"}, "TRIAGE", "CTRIAGE"},
			{"a customer nobody could place", outsider, commands.TicketInput{ChannelID: "CRANDOM"}, "TRIAGE", "CRANDOM"},
			{"a customer, anywhere", e.cust, commands.TicketInput{ChannelID: "CRANDOM"}, "ACME", "CACME"},
		} {
			c.in.Title, c.in.Source = "Login page times out", domain.SourceSlash
			tk, err := e.svc.CreateTicket(ctx, c.actor, c.in)
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
				continue
			}
			if !strings.HasPrefix(tk.Key(), c.want+"-") || tk.SlackChannel != c.channel {
				t.Errorf("%s: %s with its card in %q, want %s in %q", c.name, tk.Key(), tk.SlackChannel, c.want, c.channel)
			}
		}
		_, err := e.svc.CreateTicket(ctx, agent, commands.TicketInput{Title: "x", CustomerKey: "acmee", Source: domain.SourceSlash})
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "I read `#acmee` as the customer") || !strings.Contains(msg, "did you mean `#acme`?") {
			t.Errorf("a typo in the customer: %v", err)
		}
	})
}

// An organisation is its customer wherever its people write; one nobody
// filed is filed on first sight, and announced once.
func TestCustomerOfAPerson(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		got := func(who commands.Person) string {
			t.Helper()
			p, err := e.svc.CustomerOf(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				return ""
			}
			return p.Key + " " + p.Name
		}
		before, _ := e.db.OutboxPending(ctx)
		// First seen in Acme's channel: Acme's people.
		if k := got(commands.Person{TeamID: "TACME", TeamName: "Acme Inc", ChannelID: "CACME"}); k != "ACME Acme" {
			t.Errorf("first sight in acme's channel: %q", k)
		}
		// Then wherever they write, even in another customer's channel.
		if k := got(commands.Person{TeamID: "TACME", ChannelID: "CGLOBEX"}); k != "ACME Acme" {
			t.Errorf("acme's people elsewhere: %q", k)
		}
		// An email domain on file tells too.
		if k := got(commands.Person{TeamID: "TACME2", Email: "li@acme.com", ChannelID: "CRANDOM"}); k != "ACME Acme" {
			t.Errorf("by email: %q", k)
		}
		// Unknown: a customer of its own, under the organisation's name.
		if k := got(commands.Person{TeamID: "TGLOBEX", TeamName: "Globex Corporation", ChannelID: "CRANDOM"}); k != "GLOBEX Globex Corporation" {
			t.Errorf("new organisation: %q", k)
		}
		if k := got(commands.Person{TeamID: "TGLOBEX", TeamName: "Globex Corporation"}); k != "GLOBEX Globex Corporation" {
			t.Errorf("second sight: %q", k)
		}
		// A second organisation of the same name gets a key of its own.
		if k := got(commands.Person{TeamID: "TGLOBEX2", TeamName: "Globex Corporation"}); k != "GLOBEX2 Globex Corporation" {
			t.Errorf("namesake: %q", k)
		}
		after, _ := e.db.OutboxPending(ctx)
		if after-before != 2 {
			t.Errorf("%d announcements for 2 new customers", after-before)
		}
		// A guest of the vendor's own workspace outside any customer's channel.
		if k := got(commands.Person{Email: "guest@gmail.com", ChannelID: "CRANDOM"}); k != "" {
			t.Errorf("guest: %q", k)
		}
	})
}

func TestKeyFromName(t *testing.T) {
	for name, want := range map[string]string{
		"Globex Corporation": "GLOBEX", "3M": "ORG3M", "Initech": "INITECH", "A B C": "ABC",
		"Société Générale": "SOCIT", "Very Long Company Name Ltd": "VERY", "Hi": "HI", "Triage": "ORGTRIAGE",
	} {
		if got := commands.KeyFrom(name); got != want {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
		if err := domain.ValidateCustomerKey(commands.KeyFrom(name)); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
}

// A ticket moved to another customer keeps its key; the move is an event.
func TestMoveTicketKeepsItsKey(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk, err := e.svc.CreateTicket(ctx, agent, commands.TicketInput{Title: "Export fails", ChannelID: "CRANDOM", Source: domain.SourceSlash})
		if err != nil || tk.Key() != "TRIAGE-1" {
			t.Fatalf("%v %v", tk, err)
		}
		if _, err := e.svc.MoveTicket(ctx, e.cust, "TRIAGE-1", "acme"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a customer moved a ticket: %v", err)
		}
		moved, err := e.svc.MoveTicket(ctx, agent, "TRIAGE-1", "acme")
		if err != nil || moved.Key() != "TRIAGE-1" || moved.CustomerID != e.acme.ID {
			t.Fatalf("move: %+v %v", moved, err)
		}
		if _, err := e.svc.MoveTicket(ctx, agent, "TRIAGE-1", "acme"); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("move to where it is: %v", err)
		}
		// Acme's customers now see it, under the key they were told.
		if got, err := e.svc.Ticket(ctx, e.cust, "TRIAGE-1"); err != nil || got.ID != tk.ID {
			t.Errorf("acme's customer reads the moved ticket: %v", err)
		}
		var evs []*domain.Event
		_ = e.db.View(ctx, func(tx domain.Tx) (err error) {
			evs, err = tx.Events(ctx, tk.ID)
			return err
		})
		last := evs[len(evs)-1]
		if last.Kind != domain.EventMoved || last.OldValue != "TRIAGE" || last.NewValue != "ACME" {
			t.Errorf("last event %+v", last)
		}
		// Acme's own numbering shows no gap for the ticket that came in.
		next := e.ticket(t, commands.TicketInput{})
		if next.Key() != "ACME-1" {
			t.Errorf("acme's next ticket is %s", next.Key())
		}
	})
}

// Someone of one organisation writing in another customer's shared
// channel opens a ticket of their own company, answered in that thread.
func TestCustomerInAnotherCustomersChannel(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		globex, err := e.svc.CustomerOf(ctx, commands.Person{TeamID: "TGLOBEX", TeamName: "Globex", ChannelID: "CRANDOM"})
		if err != nil {
			t.Fatal(err)
		}
		gil := domain.Actor{UserID: "UGIL", Role: domain.RoleCustomer, Channel: domain.ChannelSlack, CustomerID: globex.ID}
		tk, err := e.svc.CreateTicket(ctx, gil, commands.TicketInput{Title: "Our export fails", Source: domain.SourceChannel,
			ChannelID: "CACME", SlackThread: "1700000000.000100"})
		if err != nil || tk.Key() != "GLOBEX-1" || tk.SlackChannel != "CACME" || tk.SlackThreadTS != "1700000000.000100" {
			t.Fatalf("%+v %v", tk, err)
		}
		if _, err := e.svc.Ticket(ctx, e.cust, tk.Key()); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("acme's customer reads globex's ticket: %v", err)
		}
	})
}

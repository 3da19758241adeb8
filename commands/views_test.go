package commands_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// viewQueries cover every key of the language; each runs as agent UAGENT.
var viewQueries = []string{
	"",
	"all",
	"mine",
	"unassigned all",
	"closed",
	"!high",
	"#acme !urgent",
	"globex",
	"status:open,in_progress priority:high,urgent",
	"-status:closed all",
	"assignee:me|none",
	"-assignee:UAGENT2 all",
	"requester:UCUST all",
	"type:bug version:4.2.*",
	"version:>=4.9 all",
	"version:<5.0.0 all",
	"version:4.9.0..5.0.0-rc.9 all",
	"version:none all",
	"version:latest,4.2.1 all",
	"severity:major,none",
	"customer:none all",
	"sla:breached all",
	"sla:at-risk",
	"sla:paused all",
	"sla:met all",
	"sla:on-track",
	"due:<2d",
	"due:overdue",
	"due:none",
	"-due:<2d",
	"created:>2026-11-20 all",
	"created:<3d",
	"updated:today all",
	"resolved:this-week all",
	"resolved:none all",
	"blocked:yes all",
	"blocked:no",
	"source:email,channel all",
	`text:"login fails" all`,
	"login all",
	"LOGIN export all",
	`"100%" all`,
	"key:ACME-1,GLOBEX-2 all",
	"field.environment:production all",
	"field.environment:none all",
	"-field.environment:staging all",
	"sort:due all",
	"sort:-created",
	"sort:priority,key all",
	"sort:-priority all",
	"sort:key group:customer all",
	"group:assignee",
	"group:status all",
	"group:priority sort:due all",
	"group:version all",
	"group:type limit:7 all",
	"status:open customer:acme group:assignee",
	"as:cards priority:high,urgent",
	"as:tree all",
	"as:timeline all",
	"as:calendar all",
	"as:calendar due:this-month all",
}

var viewNow = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC) // a Friday

// seedViews writes the same data set on any database: three customers
// and 90 tickets with every attribute the language filters on.
func seedViews(t testing.TB, db *storage.DB, clock *storagetest.Clock, n int) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(8, 8))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	var customers []*domain.Customer
	clock.Set(viewNow.Add(-20 * 24 * time.Hour))
	var ids []int64
	err := db.Update(ctx, func(tx domain.Tx) error {
		for _, k := range []string{"ACME", "GLOBEX", "TRIAGE"} {
			p := &domain.Customer{Key: k, Name: k + " Corp", TimeZone: "UTC"}
			if err := tx.CreateCustomer(ctx, p); err != nil {
				return err
			}
			customers = append(customers, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		clock.Set(viewNow.Add(-time.Duration(20*24-i*5) * time.Hour))
		tk := &domain.Ticket{
			CustomerID: customers[rng.IntN(3)].ID,
			Title:      pick("Login fails", "Export to PDF broken", "login FAILS on SSO", "Slow search", "100% CPU", "Crash on start"),
			Type:       pick("bug", "incident", "question", "service_request"),
			Status:     pick("new", "open", "in_progress", "waiting", "resolved", "closed"),
			Priority:   pick("low", "normal", "high", "urgent"),
			Severity:   pick("", "minor", "major", "critical"),
			AssigneeID: pick("", "UAGENT", "UAGENT2"), RequesterID: pick("UCUST", "UOTHER"),
			Version:   pick("", "4.2.0", "4.2.1", "4.9.3", "4.10.0", "5.0.0-rc.1", "5.0.0", "latest"),
			Source:    pick("slash", "email", "channel", "modal"),
			SLAPolicy: pick("", "standard", "standard"),
			CreatedBy: "UAGENT",
			Fields:    domain.Fields{},
		}
		if env := pick("", "production", "staging"); env != "" {
			tk.Fields["environment"] = env
		}
		if rng.IntN(3) > 0 {
			due := viewNow.Add(time.Duration(rng.IntN(200)-100) * time.Hour)
			tk.SLADueAt, tk.SLADeadline = &due, &due
			if i%5 == 0 { // a due date of its own, read before the deadline
				own := due.Add(-30 * time.Hour)
				tk.DueAt = &own
			}
		}
		if tk.Status == "resolved" || tk.Status == "closed" {
			r := viewNow.Add(-time.Duration(rng.IntN(300)) * time.Hour)
			tk.ResolvedAt = &r
		}
		if rng.IntN(4) == 0 {
			tk.Description = "Steps: the login fails after 100% of the upload"
		}
		err := db.Update(ctx, func(tx domain.Tx) error {
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			if len(ids) > 0 && rng.IntN(5) == 0 {
				if err := tx.AddLink(ctx, &domain.Link{FromID: ids[rng.IntN(len(ids))], ToID: tk.ID, Kind: pick("blocks", "parent")}); err != nil {
					return err
				}
			}
			switch rng.IntN(5) {
			case 0:
				_, err := tx.AddSLAAlert(ctx, &domain.SLAAlert{TicketID: tk.ID, Target: "resolution", Threshold: "breach", CycleStart: tk.CreatedAt, ThresholdAt: viewNow})
				return err
			case 1:
				_, err := tx.AddSLAAlert(ctx, &domain.SLAAlert{TicketID: tk.ID, Target: pick("first_response", "resolution", "next_response"), Threshold: "75%", CycleStart: tk.CreatedAt, ThresholdAt: viewNow})
				if err == nil && rng.IntN(2) == 0 {
					err = tx.AddComment(ctx, &domain.Comment{TicketID: tk.ID, AuthorID: "UAGENT", AuthorRole: domain.RoleAgent, Body: "on it", Public: true, Channel: "slack"})
				}
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	clock.Set(viewNow)
}

type viewRun struct {
	keys   []string
	groups string
	total  int
}

func runAllPages(t *testing.T, svc *commands.Service, q string) viewRun {
	t.Helper()
	var out viewRun
	for page := 0; ; page++ {
		r, err := svc.QueryTickets(context.Background(), agent, q, page)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if page == 0 {
			out.total, out.groups = r.Total, fmt.Sprint(r.Groups)
		}
		if r.Page != page {
			break
		}
		for _, tk := range r.Tickets {
			out.keys = append(out.keys, tk.Key())
		}
		if page+1 >= r.Pages() || r.Layout == "calendar" {
			break
		}
	}
	return out
}

// The same data set gives the same tickets in the same order on both
// databases, page after page, with the same group counts.
func TestViewQueriesSameOnBothDatabases(t *testing.T) {
	results := map[string]map[string]viewRun{}
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(viewNow)
			db := storagetest.Open(t, d, storage.WithClock(clock.Now))
			seedViews(t, db, clock, 90)
			svc := commands.New(db, domain.DefaultConfig(), commands.Options{})
			results[d] = map[string]viewRun{}
			for _, q := range viewQueries {
				results[d][q] = runAllPages(t, svc, q)
			}
		})
	}
	sq, pg := results[storage.SQLite], results[storage.Postgres]
	if sq == nil || pg == nil {
		t.Skip("needs both databases")
	}
	nonEmpty := 0
	for _, q := range viewQueries {
		a, b := sq[q], pg[q]
		if !slices.Equal(a.keys, b.keys) || a.groups != b.groups || a.total != b.total {
			t.Errorf("%q differs:\nsqlite   %d %v %s\npostgres %d %v %s", q, a.total, a.keys, a.groups, b.total, b.keys, b.groups)
		}
		if len(a.keys) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(viewQueries)*3/4 {
		t.Errorf("only %d of %d queries found tickets: the seed does not exercise them", nonEmpty, len(viewQueries))
	}
}

// Spot checks of meaning, against the seed read back in Go.
func TestViewQueryMeaning(t *testing.T) {
	clock := storagetest.NewClock(viewNow)
	db := storagetest.Open(t, storage.SQLite, storage.WithClock(clock.Now))
	seedViews(t, db, clock, 90)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{})
	all, _, err := svc.ListTickets(context.Background(), agent, domain.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	open := func(tk *domain.Ticket) bool { return tk.Status != "resolved" && tk.Status != "closed" }
	for q, want := range map[string]func(*domain.Ticket) bool{
		"":              open,
		"mine":          func(tk *domain.Ticket) bool { return open(tk) && tk.AssigneeID == "UAGENT" },
		"#acme !urgent": func(tk *domain.Ticket) bool { return open(tk) && tk.CustomerKey == "ACME" && tk.Priority == "urgent" },
		"version:>=4.9 all": func(tk *domain.Ticket) bool {
			return slices.Contains([]string{"4.9.3", "4.10.0", "5.0.0-rc.1", "5.0.0"}, tk.Version)
		},
		"version:4.2.* type:bug": func(tk *domain.Ticket) bool {
			return open(tk) && tk.Type == "bug" && strings.HasPrefix(tk.Version, "4.2.")
		},
		"login all": func(tk *domain.Ticket) bool {
			return strings.Contains(strings.ToLower(tk.Title+tk.Description), "login")
		},
		"-due:<2d all": func(tk *domain.Ticket) bool {
			due, _ := tk.Due()
			return due.IsZero() || !due.Before(viewNow.Add(48*time.Hour))
		},
		"customer:none all":        func(tk *domain.Ticket) bool { return tk.CustomerKey == "TRIAGE" },
		"field.environment:none":   func(tk *domain.Ticket) bool { return open(tk) && tk.Fields["environment"] == "" },
		"-assignee:UAGENT2 closed": func(tk *domain.Ticket) bool { return !open(tk) && tk.AssigneeID != "UAGENT2" },
	} {
		var wantKeys []string
		for _, tk := range all { // newest first, the default order
			if want(tk) {
				wantKeys = append(wantKeys, tk.Key())
			}
		}
		got := runAllPages(t, svc, q)
		if q == "login all" {
			// A text search ranks its result: the same tickets, best first.
			slices.Sort(got.keys)
			slices.Sort(wantKeys)
		}
		if !slices.Equal(got.keys, wantKeys) || got.total != len(wantKeys) {
			t.Errorf("%q: got %d %v\nwant %d %v", q, got.total, got.keys, len(wantKeys), wantKeys)
		}
	}
}

func TestViewQueryErrorsPointAtTheWord(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		for q, want := range map[string]string{
			"status:opne #acme": "Bad value \"opne\" for status: did you mean `open`?",
			"prioryty:high":     "Unknown key \"prioryty\": did you mean `priority`?",
			"sort:statu":        `Bad value "statu" for sort (one of due, created, updated, priority, key`,
		} {
			_, err := e.svc.QueryTickets(context.Background(), agent, q, 0)
			if err == nil || !strings.Contains(domain.ErrorMessage(err), want) {
				t.Errorf("%q: %v, want %q", q, err, want)
			}
		}
		_, err := e.svc.QueryTickets(context.Background(), agent, "status:opne #acme", 0)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "```status:opne customer:acme\n       ^^^^```") {
			t.Errorf("no pointer under the word:\n%s", msg)
		}
	})
}

func TestCustomersSeeTheirCompanyOnly(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex"}); err != nil {
			t.Fatal(err)
		}
		e.ticket(t, commands.TicketInput{Title: "Acme's"})
		e.ticket(t, commands.TicketInput{CustomerKey: "GLOBEX", Title: "Globex's"})
		// Other customers' keys are not words a customer's query knows:
		// the refusal names their own company only.
		_, err := e.svc.QueryTickets(ctx, e.cust, "all customer:GLOBEX,ACME", 0)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "(one of ACME)") || strings.Contains(msg, "Globex") {
			t.Errorf("naming another customer: %v", err)
		}
		r, err := e.svc.QueryTickets(ctx, e.cust, "all", 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 1 || r.Tickets[0].Title != "Acme's" {
			t.Errorf("customer sees %d: %v", r.Total, r.Tickets)
		}
		r, _ = e.svc.QueryTickets(ctx, outsider, "all", 0)
		if r.Total != 0 {
			t.Errorf("an unlinked customer sees %d tickets", r.Total)
		}
	})
}

package domain_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

func TestUnknownPlaceholders(t *testing.T) {
	for _, c := range []struct {
		body string
		want []string
	}{
		{"Hello {requester.first_name}, {ticket.key} is fixed.", nil},
		{"Hi {requester.firstname} and {agent.nick} and {requester.firstname}", []string{"requester.firstname", "agent.nick"}},
		{"JSON {\"a\": 1} and { spaced } and {} stay text", nil},
		{"{sla.first_response_due}{sla.resolution_due}{ticket.due}", nil},
		{"{Ticket.Key}", []string{"Ticket.Key"}},
	} {
		if got := domain.UnknownPlaceholders(c.body); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %v, want %v", c.body, got, c.want)
		}
	}
}

func TestValidateSavedReplyNamesUnknownPlaceholders(t *testing.T) {
	r := &domain.SavedReply{Name: "x", Body: "Hi {requester.nickname}, see {ticket.url}"}
	err := domain.ValidateSavedReply(r)
	if err == nil || !strings.Contains(domain.ErrorMessage(err), "{requester.nickname}, {ticket.url}") || domain.ErrorField(err) != "body" {
		t.Fatalf("error %v", err)
	}
	ok := &domain.SavedReply{Name: " Fixed ", Body: " Hi {requester.name} ", Tags: "Billing, vip"}
	if err := domain.ValidateSavedReply(ok); err != nil || ok.Name != "Fixed" || ok.Tags != "billing vip" {
		t.Fatalf("%+v %v", ok, err)
	}
	for _, bad := range []*domain.SavedReply{{Name: "", Body: "x"}, {Name: "x", Body: " "}, {Name: strings.Repeat("n", 61), Body: "x"},
		{Name: "x", Body: strings.Repeat("b", 3001)}, {Name: "x", Body: "y", Tags: "no!"}} {
		if err := domain.ValidateSavedReply(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestExpandReply(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	due := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	full := domain.ReplyContext{RequesterName: "Cy Customer", RequesterEmail: "cy@acme.com", TicketKey: "ACME-7", TicketTitle: "Login fails",
		TicketStatus: "Open", TicketPriority: "high", CustomerName: "Acme Corp", CustomerKey: "ACME", AgentName: "Ana Agent",
		FirstResponseDue: due, ResolutionDue: due.Add(48 * time.Hour), Loc: paris}
	for _, c := range []struct {
		name, body string
		ctx        domain.ReplyContext
		want       string
	}{
		{"names", "Hello {requester.first_name} ({requester.name}), {agent.first_name} here.", full, "Hello Cy (Cy Customer), Ana here."},
		{"ticket", "{ticket.key} {ticket.title} is {ticket.status}, {ticket.priority}; {customer.name} ({customer.key})", full,
			"ACME-7 Login fails is Open, high; Acme Corp (ACME)"},
		{"dates in the requester's zone", "{sla.first_response_due} / {sla.resolution_due}", full,
			"Fri 4 Dec 2026 17:00 CET / Sun 6 Dec 2026 17:00 CET"},
		{"no zone is UTC", "{sla.first_response_due}", domain.ReplyContext{FirstResponseDue: due}, "Fri 4 Dec 2026 16:00 UTC"},
		{"no date", "{ticket.due} {sla.resolution_due}", full, "none Sun 6 Dec 2026 17:00 CET"},
		{"first name from the email", "Hi {requester.first_name}, {requester.name}", domain.ReplyContext{RequesterEmail: "bo@acme.com"}, "Hi bo, bo@acme.com"},
		{"unknown stays", "{ticket.url} {x}", full, "{ticket.url} {x}"},
		{"no recursion", "{ticket.title}", domain.ReplyContext{TicketTitle: "{agent.name}"}, "{agent.name}"},
	} {
		if got := domain.ExpandReply(c.body, c.ctx); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

package domain_test

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestValidateWebhookURL(t *testing.T) {
	for _, c := range []struct {
		in        string
		allowHTTP bool
		want, err string
	}{
		{"https://crm.example.com/hooks?x=1", false, "https://crm.example.com/hooks?x=1", ""},
		{"<https://crm.example.com/hooks>", false, "https://crm.example.com/hooks", ""},
		{"<https://crm.example.com/hooks|crm.example.com/hooks>", false, "https://crm.example.com/hooks", ""},
		{"http://localhost:8080/h", false, "http://localhost:8080/h", ""},
		{"http://127.0.0.1:9/h", false, "http://127.0.0.1:9/h", ""},
		{"http://[::1]:9/h", false, "http://[::1]:9/h", ""},
		{"http://crm.example.com/h", false, "", "must use https (http is for localhost only)"},
		{"http://crm.example.com/h", true, "http://crm.example.com/h", ""},
		{"ftp://crm.example.com/h", true, "", `not "ftp"`},
		{"crm.example.com/h", false, "", "is not a URL"},
		{"https://", false, "", "is not a URL"},
		{"https://a:b@crm.example.com/h", false, "", "no user or password"},
		{"https://crm.example.com/h#x", false, "", "no #fragment"},
		{"https://crm.example.com:99999/h", false, "", "is not a port"},
	} {
		got, err := domain.ValidateWebhookURL(c.in, c.allowHTTP)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(domain.ErrorMessage(err), c.err)):
			t.Errorf("%q: error %v, want one saying %q", c.in, err, c.err)
		}
	}
}

func TestParseWebhookEvents(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
		err  string
	}{
		{[]string{"ticket.created"}, "ticket.created", ""},
		{[]string{"ticket.created,comment.added", "SLA.Breach", "ticket.created"}, "ticket.created comment.added sla.breach", ""},
		{[]string{"comment.internal"}, "comment.internal", ""},
		{[]string{"ticket.deleted"}, "", `"ticket.deleted" is not a webhook event`},
		{nil, "", "Name at least one event"},
		{[]string{","}, "", "Name at least one event"},
	} {
		got, err := domain.ParseWebhookEvents(c.in)
		switch {
		case c.err == "" && (err != nil || strings.Join(got, " ") != c.want):
			t.Errorf("%q: %q, %v", c.in, got, err)
		case c.err != "" && (err == nil || !strings.Contains(domain.ErrorMessage(err), c.err)):
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		}
	}
}

func TestHookEventOf(t *testing.T) {
	for _, c := range []struct {
		e    domain.Event
		want string
	}{
		{domain.Event{Kind: domain.EventCreated}, domain.HookTicketCreated},
		{domain.Event{Kind: domain.EventStatus}, domain.HookStatusChanged},
		{domain.Event{Kind: domain.EventComment, NewValue: "public"}, domain.HookCommentAdded},
		{domain.Event{Kind: domain.EventComment, NewValue: "internal"}, domain.HookCommentInternal},
		{domain.Event{Kind: domain.EventTimeLogged}, domain.HookTimeLogged},
		{domain.Event{Kind: domain.EventTimerStopped}, domain.HookTimeLogged},
		{domain.Event{Kind: domain.EventAssigned}, ""},
	} {
		if got, _ := domain.HookEventOf(&c.e); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
	if got := domain.HookEventOfAlert(&domain.SLAAlert{Threshold: domain.ThresholdBreach}); got != domain.HookSLABreach {
		t.Errorf("breach: %q", got)
	}
	if got := domain.HookEventOfAlert(&domain.SLAAlert{Threshold: "75%"}); got != domain.HookSLAWarning {
		t.Errorf("warning: %q", got)
	}
}

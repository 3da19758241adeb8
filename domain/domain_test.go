package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestErrorMessage(t *testing.T) {
	appErr := domain.Errorf(domain.ENOTFOUND, "Ticket ACME-9 not found.")
	wrapped := fmt.Errorf("bot: %w", appErr)
	cases := []struct {
		err       error
		code, msg string
	}{
		{appErr, domain.ENOTFOUND, "Ticket ACME-9 not found."},
		{wrapped, domain.ENOTFOUND, "Ticket ACME-9 not found."},
		{errors.New("pq: connection refused"), domain.EINTERNAL, "Internal error."},
		{nil, "", ""},
	}
	for _, c := range cases {
		if domain.ErrorCode(c.err) != c.code || domain.ErrorMessage(c.err) != c.msg {
			t.Errorf("%v: code %q msg %q", c.err, domain.ErrorCode(c.err), domain.ErrorMessage(c.err))
		}
	}
}

func TestParseKey(t *testing.T) {
	for in, want := range map[string]string{"ACME-42": "ACME-42", "acme-7": "ACME-7", " GLOBEX2-1 ": "GLOBEX2-1"} {
		p, n, err := domain.ParseKey(in)
		if err != nil || domain.FormatKey(p, n) != want {
			t.Errorf("ParseKey(%q) = %s %d %v", in, p, n, err)
		}
	}
	for _, in := range []string{"ACME", "42", "ACME-", "A-1", "ACME-x", "-1", "ACME 42"} {
		if _, _, err := domain.ParseKey(in); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseKey(%q) accepted", in)
		}
	}
}

func TestWorkflowCheckMove(t *testing.T) {
	c := domain.DefaultConfig()
	bug, support := c.Workflows["bug"], c.Workflows["support"]
	cases := []struct {
		wf       *domain.Workflow
		from, to string
		fields   domain.Fields
		want     string // "" = allowed
	}{
		{support, "new", "open", nil, ""},
		{support, "open", "waiting", nil, ""},
		{support, "waiting", "resolved", nil, ""},
		{support, "resolved", "open", nil, ""},
		{support, "open", "closed", nil, ""},
		{support, "closed", "open", nil, ""},
		{support, "closed", "resolved", nil, "A ticket cannot go from Closed to Resolved. From Closed it can go to: Open."},
		{support, "resolved", "waiting", nil, "A ticket cannot go from Resolved to Waiting on customer. From Resolved it can go to: Open, Closed."},
		{support, "open", "open", nil, "The ticket is already Open."},
		{support, "open", "done", nil, `"done" is not a status.`},
		{bug, "new", "resolved", domain.Fields{"version": "4.2.1"}, "A ticket cannot go from New to Resolved."},
		{bug, "open", "resolved", nil, "Set Version before moving the ticket to Resolved."},
		{bug, "in_progress", "resolved", domain.Fields{"version": "4.2.1"}, ""},
		{bug, "in_progress", "closed", nil, ""},
	}
	for _, tc := range cases {
		err := tc.wf.CheckMove(c, tc.from, tc.to, tc.fields)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %s→%s refused: %v", tc.wf.Name, tc.from, tc.to, err)
		case tc.want != "" && (err == nil || !contains(domain.ErrorMessage(err), tc.want)):
			t.Errorf("%s %s→%s: got %v, want %q", tc.wf.Name, tc.from, tc.to, err, tc.want)
		}
	}
	if got := fmt.Sprint(support.Next("resolved")); got != "[open closed]" {
		t.Errorf("Next(resolved) = %s", got)
	}
}

func TestFieldNormalize(t *testing.T) {
	c := domain.DefaultConfig()
	min0 := 0.0
	released := &domain.FieldDef{Name: "version", Label: "Version", Kind: domain.FieldSemver, Versions: []string{"4.2.0", "4.2.1"}}
	multi := &domain.FieldDef{Name: "os", Kind: domain.FieldMulti, Options: []string{"Linux", "macOS", "Windows"}}
	num := &domain.FieldDef{Name: "n", Kind: domain.FieldNumber, Min: &min0}
	user := &domain.FieldDef{Name: "owner", Kind: domain.FieldUser}
	date := &domain.FieldDef{Name: "due", Kind: domain.FieldDate}
	cases := []struct {
		def      *domain.FieldDef
		in, want string
		err      string
	}{
		{c.Field("version"), "v4.2", "4.2.0", ""},
		{c.Field("version"), "4.2.1-rc.1", "4.2.1-rc.1", ""},
		{c.Field("version"), "four", "", `Version "four" is not a version like 4.2.1.`},
		{released, "4.2.1", "4.2.1", ""},
		{released, "4.3.0", "", "Version 4.3.0 has not been released; released versions: 4.2.0, 4.2.1."},
		{c.Field("environment"), "Production", "production", ""},
		{c.Field("environment"), "prod", "", "Environment must be one of production, staging, development"},
		{c.Field("component"), "auth/login", "auth/login", ""},
		{c.Field("component"), "<!channel>", "", "Component: a component name of at most 60 letters"},
		{c.Field("affected_users"), "12", "12", ""},
		{num, "-1", "", "n must be at least 0."},
		{num, "x", "", `n must be a number, not "x".`},
		{multi, "linux, windows,linux", "Linux,Windows", ""},
		{multi, "linux, bsd", "", `os: "bsd" is not one of Linux, macOS, Windows.`},
		{user, "U123ABC", "U123ABC", ""},
		{user, "<@U123ABC|jo>", "", "owner must be a Slack user."}, // bot reads Slack's markup
		{user, "jo", "", "owner must be a Slack user."},
		{date, "2026-11-31", "", "due must be a date like 2026-11-27"},
		{date, "2026-12-01", "2026-12-01", ""},
		{date, "  ", "", ""},
	}
	for _, tc := range cases {
		got, err := tc.def.Normalize(tc.in)
		if tc.err != "" {
			if err == nil || !contains(domain.ErrorMessage(err), tc.err) || domain.ErrorField(err) != tc.def.Name {
				t.Errorf("%s %q: got %q, %v; want error %q", tc.def.Name, tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %q: got %q, %v; want %q", tc.def.Name, tc.in, got, err, tc.want)
		}
	}
}

func TestTicketCloneSharesNothing(t *testing.T) {
	due := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	orig := &domain.Ticket{Title: "Printer on fire", Fields: domain.Fields{"version": "4.2"}, SLADueAt: &due}
	c := orig.Clone()
	c.Title, c.Fields["version"] = "changed", "5.0"
	*c.SLADueAt = due.Add(time.Hour)
	if orig.Title != "Printer on fire" || orig.Fields["version"] != "4.2" || !orig.SLADueAt.Equal(due) {
		t.Errorf("the original changed with its clone: %+v", orig)
	}
}

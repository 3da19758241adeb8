package commands_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// contractConfig is the defaults with a policy keyed by severity, as a
// vendor's contract is written: critical answered in 1h, resolved in 4h…
func contractConfig(t *testing.T) *domain.Config {
	t.Helper()
	policy := []byte(`sla_policies:
  contract:
    calendar: 24x7
    sla_by: severity
    targets:
      critical: {first_response: 1h, resolution: 4h}
      major:    {first_response: 4h, resolution: 24h}
      minor:    {resolution: 72h}
    warnings: ["75%"]
`)
	yaml := bytes.Replace(domain.DefaultConfigYAML(), []byte("sla_policies:\n"), policy, 1)
	cfg, err := domain.ParseConfig("contract.yaml", yaml)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// SLA targets keyed by severity: the deadline follows the severity, set
// at creation or later, and is the deadline, never the warning before it.
func TestSeverityKeyedSLA(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(contractConfig(t))
		e.svc.OnChange(e.svc.ApplySLA)
		if _, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "INITECH", Name: "Initech", SLAPolicy: "contract"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			severity   string
			priority   string
			deadline   time.Duration // from creation; 0: none
			schedulers time.Duration // the scheduler's next look (a warning at 75%)
		}{
			{"critical", "low", time.Hour, 45 * time.Minute},
			{"major", "urgent", 4 * time.Hour, 3 * time.Hour},
			{"minor", "urgent", 72 * time.Hour, 54 * time.Hour},
			{"", "urgent", 0, 0}, // no severity: no target under this policy
		} {
			tk := e.ticket(t, commands.TicketInput{CustomerKey: "INITECH", Title: "sev " + c.severity, Severity: c.severity, Priority: c.priority})
			tk, _ = e.svc.Ticket(ctx, agent, tk.Key())
			checkAt(t, c.severity+" deadline", tk.SLADeadline, tk.CreatedAt, c.deadline)
			checkAt(t, c.severity+" next look", tk.SLADueAt, tk.CreatedAt, c.schedulers)
			if due, which := tk.Due(); c.deadline != 0 && (which != domain.DueSLADeadline || !due.Equal(tk.CreatedAt.Add(c.deadline))) {
				t.Errorf("%s: due %v (%s)", c.severity, due, which)
			}
		}
		// Raising the severity later moves the deadline.
		tk, err := e.svc.SetSeverity(ctx, agent, "INITECH-3", "critical")
		if err != nil {
			t.Fatal(err)
		}
		tk, _ = e.svc.Ticket(ctx, agent, tk.Key())
		checkAt(t, "raised to critical", tk.SLADeadline, tk.CreatedAt, time.Hour)
		if _, err := e.svc.SetSeverity(ctx, agent, "INITECH-3", "sev9"); domain.ErrorField(err) != "severity" {
			t.Errorf("unknown severity: %v", err)
		}
		if _, err := e.svc.SetSeverity(ctx, e.cust, "INITECH-3", "minor"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a customer set a severity: %v", err)
		}
	})
}

// A policy keyed by severity must name severities.
func TestSeverityPolicyChecked(t *testing.T) {
	yaml := bytes.Replace(domain.DefaultConfigYAML(), []byte("sla_policies:\n"), []byte(`sla_policies:
  contract:
    calendar: 24x7
    sla_by: severity
    targets:
      urgent: {resolution: 4h}
`), 1)
	if _, err := domain.ParseConfig("bad.yaml", yaml); err == nil || !bytes.Contains([]byte(err.Error()), []byte(`unknown severity "urgent"`)) {
		t.Errorf("want the unknown severity named, got %v", err)
	}
}

func checkAt(t *testing.T, what string, got *time.Time, from time.Time, want time.Duration) {
	t.Helper()
	switch {
	case want == 0 && got != nil:
		t.Errorf("%s: %v, want none", what, got)
	case want != 0 && (got == nil || !got.Equal(from.Add(want))):
		t.Errorf("%s: %v, want %v", what, got, from.Add(want))
	}
}

// Due dates: set by agents (customers may not), cleared, and read by
// due: and sort:due before the SLA deadline, which stands in otherwise.
func TestDueDates(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.OnChange(e.svc.ApplySLA)
		slaOnly := e.ticket(t, commands.TicketInput{Title: "SLA only", Priority: "urgent"}) // standard: due by its SLA
		dated := e.ticket(t, commands.TicketInput{Title: "Dated", Priority: "low"})
		plain := e.ticket(t, commands.TicketInput{Title: "Plain", Priority: "low"})
		if _, err := e.svc.SetDue(ctx, e.cust, dated.Key(), t0.Add(time.Hour), true); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a customer set a due date: %v", err)
		}
		tk, err := e.svc.SetDue(ctx, agent, dated.Key(), t0.Add(30*time.Minute), true)
		if err != nil || tk.DueAt == nil || !tk.DueAt.Equal(t0.Add(30*time.Minute)) || !tk.DuePublic {
			t.Fatalf("set due: %v %+v", err, tk)
		}
		if due, which := tk.Due(); which != domain.DueDate || !due.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("due %v %s", due, which)
		}
		r, err := e.svc.QueryTickets(ctx, agent, "sort:due", 0)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, x := range r.Tickets {
			order = append(order, x.Title)
		}
		sla, _ := e.svc.Ticket(ctx, agent, slaOnly.Key())
		if sla.SLADeadline == nil || len(order) != 3 || order[0] != "Dated" || order[1] != "SLA only" {
			t.Errorf("sort:due %v (SLA deadline %v)", order, sla.SLADeadline)
		}
		if r, _ = e.svc.QueryTickets(ctx, agent, "due:<1h", 0); r.Total != 1 || r.Tickets[0].Title != "Dated" {
			t.Errorf("due:<1h: %d", r.Total)
		}
		if _, err := e.svc.SetDue(ctx, agent, dated.Key(), time.Time{}, false); err != nil {
			t.Fatal(err)
		}
		if tk, _ = e.svc.Ticket(ctx, agent, dated.Key()); tk.DueAt != nil || tk.DuePublic {
			t.Errorf("cleared: %+v", tk)
		}
		_ = plain
	})
}

// Automations set severity and due dates like people do; a bad due date
// in a rule is refused when the config is read.
func TestAutomationSetsSeverityAndDue(t *testing.T) {
	cfg := withRules(t, `
  - {name: triage, on: created, if: {text_contains: "outage"}, then: [{set_severity: critical}, {set_due: "+2d public"}]}
`)
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		tk := e.get(t, e.ticket(t, commands.TicketInput{Title: "Total outage"}).Key())
		want := time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC) // two days after t0, at 17:00
		if tk.Severity != "critical" || tk.DueAt == nil || !tk.DueAt.Equal(want) || !tk.DuePublic {
			t.Errorf("after the rule: severity %q due %v public %v", tk.Severity, tk.DueAt, tk.DuePublic)
		}
	})
	if _, err := domain.ParseConfig("bad.yaml", bytes.Replace(domain.DefaultConfigYAML(), []byte("automations: []"),
		[]byte("automations:\n  - {name: x, on: created, then: [{set_due: someday}]}"), 1)); err == nil {
		t.Error("a rule with a bad due date was accepted")
	}
}

package commands

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// A policy keyed by severity moves the ticket's SLA deadline and the
// scheduler's next look when the severity changes (the SLA hook runs in
// the change's transaction); a refused change writes nothing.
func TestSetSeverityOnFakes(t *testing.T) {
	cfg := domaintest.ConfigWith(t, "sla_policies:\n", `sla_policies:
  contract:
    calendar: 24x7
    sla_by: severity
    targets:
      critical: {first_response: 1h, resolution: 4h}
      major:    {first_response: 4h, resolution: 24h}
      minor:    {resolution: 72h}
    warnings: ["75%"]
`)
	customer := domain.Actor{UserID: "UCUST", Role: domain.RoleCustomer, CustomerID: 1}
	for _, c := range []struct {
		name             string
		by               domain.Actor
		from, to         string
		elapsed          time.Duration // since the ticket's creation
		deadline, due    time.Duration // from creation; 0: none
		errCode, field   string
		changes          []string
		unchanged, saved bool
	}{
		{name: "raised to critical", from: "minor", to: "critical", elapsed: 10 * time.Minute,
			deadline: time.Hour, due: 45 * time.Minute, saved: true, changes: []string{"severity severity: minor → critical"}},
		{name: "lowered to major", from: "critical", to: "major", elapsed: 30 * time.Minute,
			deadline: 4 * time.Hour, due: 3 * time.Hour, saved: true, changes: []string{"severity severity: critical → major"}},
		{name: "down to minor: resolution only", from: "major", to: "minor", elapsed: time.Hour,
			deadline: 72 * time.Hour, due: 54 * time.Hour, saved: true, changes: []string{"severity severity: major → minor"}},
		{name: "cleared: no target", from: "major", to: " ", elapsed: time.Hour, saved: true, changes: []string{"severity severity: major → "}},
		{name: "the same", from: "major", to: "MAJOR", unchanged: true},
		{name: "unknown", from: "major", to: "sev9", errCode: domain.EINVALID, field: "severity"},
		{name: "by a customer", by: customer, from: "major", to: "minor", errCode: domain.EFORBIDDEN},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec recorded
			now := fakeNow.Add(c.elapsed)
			updates := 0
			var due, deadline *time.Time
			saved := false
			tx := &domaintest.FakeTx{At: now, FakeEvents: rec.history(now), FakeOutbox: rec.outbox(),
				FakeTickets: &domaintest.FakeTickets{
					TicketByKeyFn: func(context.Context, string) (*domain.Ticket, error) {
						return &domain.Ticket{ID: 1, CustomerID: 1, CustomerKey: "INITECH", Number: 1, Type: "question", Status: "open",
							Priority: "normal", Severity: c.from, SLAPolicy: "contract", CreatedAt: fakeNow,
							SLADueAt: fakeAt(time.Minute), SLADeadline: fakeAt(time.Minute)}, nil // unlike any case's
					},
					UpdateTicketFn: func(context.Context, *domain.Ticket) error { updates++; return nil },
				},
				FakeComments: &domaintest.FakeComments{CommentsFn: func(context.Context, int64) ([]*domain.Comment, error) { return nil, nil }},
				FakeSLA: &domaintest.FakeSLA{
					SLAAlertsFn: func(context.Context, int64) ([]*domain.SLAAlert, error) { return nil, nil },
					SetTicketSLAFn: func(_ context.Context, _ int64, _ string, d, dl *time.Time) error {
						due, deadline, saved = d, dl, true
						return nil
					},
				},
			}
			svc := onFakes(tx, cfg)
			svc.OnChange(svc.ApplySLA)
			by := c.by
			if by.UserID == "" {
				by = fakeAgent
			}
			_, err := svc.SetSeverity(context.Background(), by, "INITECH-1", c.to)
			if domain.ErrorCode(err) != c.errCode || c.errCode == "" && err != nil || domain.ErrorField(err) != c.field {
				t.Fatalf("error %v, want code %q field %q", err, c.errCode, c.field)
			}
			if wrote := updates > 0; wrote != (c.errCode == "" && !c.unchanged) {
				t.Errorf("%d updates", updates)
			}
			wantList(t, "changes", rec.changes(), c.changes...)
			if saved != c.saved {
				t.Fatalf("SLA saved %v, want %v", saved, c.saved)
			}
			checkAfter(t, "deadline", deadline, c.deadline)
			checkAfter(t, "next look", due, c.due)
		})
	}
}

// A due date is kept to the minute in UTC, shown to the customer only
// when asked, and cleared by the zero time; each change is an event.
func TestSetDueOnFakes(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		had     *time.Time
		at      time.Time
		public  bool
		want    *time.Time
		change  string
		errCode string
	}{
		{name: "set, to the minute in UTC", at: time.Date(2026, 12, 4, 17, 0, 59, 0, paris), public: true,
			want: new(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)), change: "field due:  → 2026-12-04T16:00:00Z"},
		{name: "moved", had: fakeAt(time.Hour), at: fakeNow.Add(2 * time.Hour),
			want: fakeAt(2 * time.Hour), change: "field due: 2026-11-27T15:00:00Z → 2026-11-27T16:00:00Z"},
		{name: "cleared", had: fakeAt(time.Hour), change: "field due: 2026-11-27T15:00:00Z → "},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec recorded
			var got *domain.Ticket
			tx := &domaintest.FakeTx{At: fakeNow, FakeEvents: rec.history(fakeNow), FakeOutbox: rec.outbox(),
				FakeTickets: &domaintest.FakeTickets{
					TicketByKeyFn: func(context.Context, string) (*domain.Ticket, error) {
						return &domain.Ticket{ID: 1, CustomerID: 1, CustomerKey: "ACME", Number: 1, DueAt: c.had, DuePublic: c.had != nil}, nil
					},
					UpdateTicketFn: func(_ context.Context, t *domain.Ticket) error { got = t; return nil },
				},
			}
			if _, err := onFakes(tx, domain.DefaultConfig()).SetDue(context.Background(), fakeAgent, "ACME-1", c.at, c.public); err != nil {
				t.Fatal(err)
			}
			if got == nil || (got.DueAt == nil) != (c.want == nil) || c.want != nil && !got.DueAt.Equal(*c.want) || got.DuePublic != c.public {
				t.Errorf("saved %+v, want due %v public %v", got, c.want, c.public)
			}
			wantList(t, "changes", rec.changes(), c.change)
		})
	}
	customer := domain.Actor{UserID: "UCUST", Role: domain.RoleCustomer, CustomerID: 1}
	if _, err := onFakes(&domaintest.FakeTx{}, domain.DefaultConfig()).SetDue(context.Background(), customer, "ACME-1", fakeNow, false); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a customer set a due date: %v", err)
	}
}

// checkAfter compares an instant with the ticket's creation (fakeNow) plus want; 0 wants none.
func checkAfter(t *testing.T, what string, got *time.Time, want time.Duration) {
	t.Helper()
	if want == 0 && got != nil || want != 0 && (got == nil || !got.Equal(fakeNow.Add(want))) {
		t.Errorf("%s: %v, want %v after creation", what, got, want)
	}
}

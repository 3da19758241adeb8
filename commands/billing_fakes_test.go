package commands

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// Locking an invoiced month records what it came to: each entry rounded
// up and the ticket minimum topped up by the customer's contract (else the
// config's), at the engineer's rate (else the customer's). It refuses a
// month not over, one with a timer still running, one locked already, and
// anyone but a lead.
func TestLockPeriodOnFakes(t *testing.T) {
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	row := func(id, ticket int64, user string, start time.Duration, minutes int64, billable bool) *domain.TimeRow {
		return &domain.TimeRow{TimeEntry: domain.TimeEntry{ID: id, TicketID: ticket, UserID: user, StartedAt: oct.Add(start),
			Seconds: minutes * 60, Billable: billable}, CustomerKey: "ACME", TicketNumber: ticket}
	}
	rows := []*domain.TimeRow{
		row(1, 1, "UA", 24*time.Hour, 10, true),  // ACME-1: under its ticket's minimum
		row(2, 2, "UB", 48*time.Hour, 50, true),  // ACME-2, at UB's own rate
		row(3, 2, "UA", 72*time.Hour, 20, false), // not billed
	}
	for _, c := range []struct {
		name           string
		by             string
		month          string
		round, least   int64 // the customer's contract, minutes
		cfgRound       time.Duration
		running        int
		taken          bool // locked already
		billed, amount int64
		errCode, field string
	}{
		{name: "the customer's contract", by: "ULEAD", month: "2026-10", round: 15, least: 30,
			billed: (30 + 60) * 60, amount: 5000 + 20000}, // 10m → 15m → 30m at 100/h; 50m → 60m at 200/h
		{name: "the config's rounding", by: "ULEAD", month: "2026-10", cfgRound: 6 * time.Minute,
			billed: (12 + 54) * 60, amount: 2000 + 18000},
		{name: "last month, as people write it", by: "ULEAD", month: "last-month", billed: 60 * 60, amount: 1667 + 16667}, // exact minutes, each line to the nearest cent
		{name: "not over yet", by: "ULEAD", month: "2026-11", errCode: domain.EINVALID, field: "month"},
		{name: "a timer still runs", by: "ULEAD", month: "2026-10", running: 1, errCode: domain.EINVALID, field: "month"},
		{name: "locked already", by: "ULEAD", month: "2026-10", taken: true, errCode: domain.ECONFLICT},
		{name: "not a lead", by: "UAGENT", month: "2026-10", errCode: domain.EFORBIDDEN},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := domain.DefaultConfig()
			cfg.Slack.Leads = []string{"ULEAD"}
			cfg.Time.Rounding.Duration = c.cfgRound
			cfg.Time.Rates.Engineers = map[string]domain.Money{"UB": 20000}
			var locked *domain.BillingLock
			tx := &domaintest.FakeTx{At: fakeNow,
				FakeCustomers: &domaintest.FakeCustomers{CustomerByKeyFn: func(context.Context, string) (*domain.Customer, error) {
					return &domain.Customer{ID: 1, Key: "ACME", TimeZone: "UTC", HourlyRate: 10000,
						BillingRoundMinutes: c.round, BillingMinMinutes: c.least}, nil
				}},
				FakeTimeEntries: &domaintest.FakeTimeEntries{
					TimeEntriesFn: func(_ context.Context, f domain.TimeFilter) ([]*domain.TimeEntry, error) {
						if f.Running == nil || !*f.Running || f.CustomerID != 1 {
							t.Errorf("running timers asked with %+v", f)
						}
						return make([]*domain.TimeEntry, c.running), nil
					},
					TimeRowsFn: func(_ context.Context, f domain.TimeFilter) ([]*domain.TimeRow, error) {
						if f.Running == nil || *f.Running || f.CustomerID != 1 || !f.From.Equal(oct) || !f.To.Equal(oct.AddDate(0, 1, 0)) {
							t.Errorf("rows asked with %+v", f)
						}
						return rows, nil
					},
				},
				FakeBilling: &domaintest.FakeBilling{AddBillingLockFn: func(_ context.Context, l *domain.BillingLock) error {
					if c.taken {
						return domain.Errorf(domain.ECONFLICT, "taken")
					}
					locked = l
					return nil
				}},
			}
			by := domain.Actor{UserID: c.by, Role: domain.RoleAgent}
			_, err := onFakes(tx, cfg).LockPeriod(context.Background(), by, "ACME", c.month)
			if domain.ErrorCode(err) != c.errCode || c.errCode == "" && err != nil || domain.ErrorField(err) != c.field {
				t.Fatalf("error %v, want code %q field %q", err, c.errCode, c.field)
			}
			if c.errCode != "" {
				return
			}
			if locked == nil || locked.Period != "2026-10" || !locked.Start.Equal(oct) || locked.LockedBy != by.Ref() ||
				locked.Entries != 3 || locked.Seconds != 80*60 || locked.BilledSeconds != c.billed || locked.Amount != c.amount {
				t.Errorf("locked %+v, want %d s billed for %d cents", locked, c.billed, c.amount)
			}
		})
	}
}

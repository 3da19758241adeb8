package commands

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// The timer scan stops timers past time.hard_cap at start+cap and DMs
// their owners, and reminds the owners of timers past time.remind_after;
// without a hard cap it does not even look for stale timers (the fake's
// StaleTimers is unset then, and would panic).
func TestRemindForgottenTimersOnFakes(t *testing.T) {
	long := &domain.TimeEntry{ID: 7, TicketID: 1, UserID: "UA", StartedAt: fakeNow.Add(-11 * time.Hour)}
	forgotten := &domain.TimeEntry{ID: 8, TicketID: 1, UserID: "UB", StartedAt: fakeNow.Add(-2*time.Hour - 5*time.Minute)}
	for _, c := range []struct {
		name           string
		hardCap        time.Duration
		stale, due     []*domain.TimeEntry
		told           int
		posts, changes []string
		args           []map[string]string
	}{
		{name: "nothing due"},
		{name: "a reminder", due: []*domain.TimeEntry{forgotten}, told: 1,
			posts: []string{"timer_forgotten → dm UB"},
			args:  []map[string]string{{"ticket": "ACME-1", "started": "2026-11-27T11:55:00Z", "running": "2h05", "entry_id": "8"}}},
		{name: "capped then reminded", hardCap: 10 * time.Hour, stale: []*domain.TimeEntry{long}, due: []*domain.TimeEntry{forgotten}, told: 2,
			posts:   []string{"timer_capped → dm UA", "timer_forgotten → dm UB"},
			changes: []string{"timer_stopped seconds:  → 10h"},
			args: []map[string]string{
				{"ticket": "ACME-1", "started": "2026-11-27T03:00:00Z", "ended": "2026-11-27T13:00:00Z", "duration": "10h", "cap": "10h", "entry_id": "7"},
				{"ticket": "ACME-1", "started": "2026-11-27T11:55:00Z", "running": "2h05", "entry_id": "8"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec recorded
			reminded := map[int64]*time.Time{}
			times := &domaintest.FakeTimeEntries{
				DueTimerRemindersFn: func(_ context.Context, before time.Time, _ int) ([]*domain.TimeEntry, error) {
					if !before.Equal(fakeNow.Add(-2 * time.Hour)) {
						t.Errorf("reminders due before %v", before)
					}
					return cloneEntries(c.due), nil
				},
				SetTimerReminderFn: func(_ context.Context, id int64, remindedAt, _ *time.Time) error {
					reminded[id] = remindedAt
					return nil
				},
				UpdateTimeEntryFn: func(context.Context, *domain.TimeEntry) error { return nil },
			}
			if c.hardCap > 0 {
				times.StaleTimersFn = func(context.Context, time.Time, int) ([]*domain.TimeEntry, error) { return cloneEntries(c.stale), nil }
			}
			tx := &domaintest.FakeTx{At: fakeNow, FakeTimeEntries: times, FakeEvents: rec.history(fakeNow), FakeOutbox: rec.outbox(),
				FakeTickets: &domaintest.FakeTickets{TicketFn: func(_ context.Context, id int64) (*domain.Ticket, error) {
					return &domain.Ticket{ID: id, CustomerKey: "ACME", Number: id}, nil
				}},
			}
			cfg := domain.DefaultConfig()
			cfg.Time.HardCap.Duration = c.hardCap
			told, err := onFakes(tx, cfg).RemindForgottenTimers(context.Background())
			if err != nil || told != c.told {
				t.Fatalf("told %d (%v), want %d", told, err, c.told)
			}
			wantList(t, "posts", rec.posts(t), c.posts...)
			wantList(t, "changes", rec.changes(), c.changes...)
			args := rec.postArgs(t)
			for i := range min(len(args), len(c.args)) {
				if !maps.Equal(args[i], c.args[i]) {
					t.Errorf("post %d args %v, want %v", i, args[i], c.args[i])
				}
			}
			for _, e := range c.due {
				if r := reminded[e.ID]; r == nil || !r.Equal(fakeNow) {
					t.Errorf("timer %d reminded at %v, want now", e.ID, r)
				}
			}
		})
	}
}

// A reminder's Stop button stops that timer of the actor's at the time
// picked, or says why it cannot.
func TestStopTimerEntryOnFakes(t *testing.T) {
	started := fakeNow.Add(-3 * time.Hour)
	for _, c := range []struct {
		name    string
		entry   *domain.TimeEntry // nil: not found
		at      time.Time
		seconds int64
		errCode string
		field   string
	}{
		{name: "now", entry: &domain.TimeEntry{UserID: "UAGENT", StartedAt: started}, seconds: 3 * 3600},
		{name: "at a time picked", entry: &domain.TimeEntry{UserID: "UAGENT", StartedAt: started}, at: started.Add(90 * time.Minute), seconds: 90 * 60},
		{name: "in the future", entry: &domain.TimeEntry{UserID: "UAGENT", StartedAt: started}, at: fakeNow.Add(time.Minute), errCode: domain.EINVALID, field: "end"},
		{name: "before it started", entry: &domain.TimeEntry{UserID: "UAGENT", StartedAt: started}, at: started, errCode: domain.EINVALID, field: "end"},
		{name: "longer than a day", entry: &domain.TimeEntry{UserID: "UAGENT", StartedAt: fakeNow.Add(-30 * time.Hour)}, at: fakeNow.Add(-time.Hour), errCode: domain.EINVALID, field: "end"},
		{name: "someone else's", entry: &domain.TimeEntry{UserID: "UOTHER", StartedAt: started}, errCode: domain.EFORBIDDEN},
		{name: "stopped already", entry: &domain.TimeEntry{UserID: "UAGENT", StartedAt: started, EndedAt: &started}, errCode: domain.EINVALID},
		{name: "gone", errCode: domain.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec recorded
			var saved *domain.TimeEntry
			tx := &domaintest.FakeTx{At: fakeNow, FakeEvents: rec.history(fakeNow), FakeOutbox: rec.outbox(),
				FakeTimeEntries: &domaintest.FakeTimeEntries{
					TimeEntryFn: func(context.Context, int64) (*domain.TimeEntry, error) {
						if c.entry == nil {
							return nil, domain.Errorf(domain.ENOTFOUND, "no such entry")
						}
						e := *c.entry
						return &e, nil
					},
					UpdateTimeEntryFn: func(_ context.Context, e *domain.TimeEntry) error {
						saved = e
						return nil
					},
				},
				FakeTickets: &domaintest.FakeTickets{TicketFn: func(_ context.Context, id int64) (*domain.Ticket, error) {
					return &domain.Ticket{ID: id, CustomerKey: "ACME", Number: id}, nil
				}},
			}
			_, _, err := onFakes(tx, domain.DefaultConfig()).StopTimerEntry(context.Background(), fakeAgent, 7, c.at)
			if domain.ErrorCode(err) != c.errCode || c.errCode == "" && err != nil || domain.ErrorField(err) != c.field {
				t.Fatalf("error %v (field %q), want code %q field %q", err, domain.ErrorField(err), c.errCode, c.field)
			}
			if c.errCode != "" {
				if saved != nil {
					t.Errorf("saved %+v after refusing", saved)
				}
				return
			}
			if saved == nil || saved.Seconds != c.seconds {
				t.Errorf("saved %+v, want %d seconds", saved, c.seconds)
			}
		})
	}
}

func cloneEntries(es []*domain.TimeEntry) []*domain.TimeEntry {
	out := make([]*domain.TimeEntry, len(es))
	for i, e := range es {
		c := *e
		out[i] = &c
	}
	return out
}

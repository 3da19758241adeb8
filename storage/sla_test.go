package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestSLAAlertIsRecordedOnce(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		tk := seedTicket(t, db, seedCustomer(t, db, "ACME"), "Down")
		a := domain.SLAAlert{TicketID: tk.ID, Target: domain.TargetFirstResponse, Threshold: "75%", CycleStart: tk.CreatedAt, ThresholdAt: t0}
		add := func(a domain.SLAAlert) (first bool) {
			update(t, db, func(tx domain.Tx) (err error) {
				first, err = tx.AddSLAAlert(ctx, &a)
				return err
			})
			return first
		}
		if !add(a) || add(a) {
			t.Fatal("the same alert must be recorded once")
		}
		next := a
		next.Threshold = domain.ThresholdBreach
		cycle := a
		cycle.Target, cycle.CycleStart = domain.TargetNextResponse, t0.Add(time.Hour)
		if !add(next) || !add(cycle) {
			t.Fatal("another threshold or cycle is another alert")
		}
		update(t, db, func(tx domain.Tx) error {
			as, err := tx.SLAAlerts(ctx, tk.ID)
			if err != nil {
				return err
			}
			if len(as) != 3 || as[0].Threshold != "75%" || !as[0].CycleStart.Equal(tk.CreatedAt) || !as[2].CycleStart.Equal(t0.Add(time.Hour)) {
				t.Errorf("alerts %+v", as)
			}
			return nil
		})
	})
}

func TestDueSLATickets(t *testing.T) {
	now := t0.Add(time.Hour)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		var ids []int64
		for _, due := range []time.Duration{-time.Minute, 0, time.Microsecond, -time.Hour, -1} { // -1: none
			tk := seedTicket(t, db, p, "T")
			ids = append(ids, tk.ID)
			var at *time.Time
			if due != -1 {
				v := now.Add(due)
				at = &v
			}
			update(t, db, func(tx domain.Tx) error { return tx.SetTicketSLA(ctx, tk.ID, "gold", at, at) })
		}
		due := func(limit int) []int64 {
			var got []int64
			if err := db.View(ctx, func(tx domain.Tx) (err error) {
				got, err = tx.DueSLATickets(ctx, limit)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		// Soonest first; due exactly now is due; a microsecond later is not.
		if got := due(10); !slices.Equal(got, []int64{ids[3], ids[0], ids[1]}) {
			t.Errorf("due %v, want %v", got, []int64{ids[3], ids[0], ids[1]})
		}
		if got := due(2); !slices.Equal(got, []int64{ids[3], ids[0]}) {
			t.Errorf("limit 2: %v", got)
		}
	}, storage.WithClock(func() time.Time { return now }))
}

func TestSetTicketSLALeavesUpdatedAt(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		tk := seedTicket(t, db, seedCustomer(t, db, "ACME"), "T")
		due := t0.Add(90 * time.Minute)
		update(t, db, func(tx domain.Tx) error { return tx.SetTicketSLA(ctx, tk.ID, "silver", &due, &due) })
		update(t, db, func(tx domain.Tx) error {
			got, err := tx.Ticket(ctx, tk.ID)
			if err != nil {
				return err
			}
			if got.SLAPolicy != "silver" || got.SLADueAt == nil || !got.SLADueAt.Equal(due) || !got.UpdatedAt.Equal(tk.UpdatedAt) {
				t.Errorf("policy %q due %v updated %v (was %v)", got.SLAPolicy, got.SLADueAt, got.UpdatedAt, tk.UpdatedAt)
			}
			return nil
		})
	})
}

func TestTicketsCreated(t *testing.T) {
	clock := storagetest.NewClock(t0)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock.Set(t0)
		acme, beta := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "BETA")
		a1 := seedTicket(t, db, acme, "a1")
		clock.Advance(time.Hour)
		b1 := seedTicket(t, db, beta, "b1")
		a2 := seedTicket(t, db, acme, "a2")
		clock.Advance(time.Hour)
		seedTicket(t, db, acme, "a3") // at t0+2h: outside [t0, t0+2h)
		list := func(pid int64) []string {
			var out []string
			if err := db.View(ctx, func(tx domain.Tx) error {
				ts, err := tx.TicketsCreated(ctx, pid, t0, t0.Add(2*time.Hour))
				for _, tk := range ts {
					out = append(out, tk.Key())
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if got := list(0); strings.Join(got, " ") != a1.Key()+" "+b1.Key()+" "+a2.Key() {
			t.Errorf("all: %v", got)
		}
		if got := list(acme.ID); strings.Join(got, " ") != a1.Key()+" "+a2.Key() {
			t.Errorf("acme: %v", got)
		}
	}, storage.WithClock(clock.Now))
}

// Replicas exclude each other per job name; a lock whose job context was
// cancelled (shutdown) is still released.
func TestAdvisoryLocker(t *testing.T) {
	ctx := context.Background()
	sqlite := storagetest.Open(t, storage.SQLite)
	if sqlite.NewLocker() != nil {
		t.Error("SQLite is single-node: no locker")
	}
	db := storagetest.Open(t, storage.Postgres)
	a, b := db.NewLocker(), db.NewLocker()
	la, err := a.Lock(ctx, "sla-scan")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, "sla-scan"); !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second lock: %v", err)
	}
	lo, err := b.Lock(ctx, "timer-reminders")
	if err != nil {
		t.Fatalf("another job's lock: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := la.Unlock(cancelled); err != nil {
		t.Fatal(err)
	}
	lb, err := b.Lock(ctx, "sla-scan")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	for _, l := range []interface{ Unlock(context.Context) error }{lb, lo} {
		if err := l.Unlock(ctx); err != nil {
			t.Error(err)
		}
	}
}

// The scheduler's look-up must read the partial index, never the table.
func TestDueSLAUsesIndex(t *testing.T) {
	now := t0.Add(time.Hour)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedSLATickets(t, db, 5000, now)
		plan, err := storage.ExplainDueSLA(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "tickets_sla_due") {
			t.Errorf("plan does not use tickets_sla_due:\n%s", plan)
		}
		if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN tickets\n") || strings.HasSuffix(plan, "SCAN tickets") {
			t.Errorf("plan scans the table:\n%s", plan)
		}
		t.Logf("%s plan:\n%s", db.Dialect(), plan)
	})
}

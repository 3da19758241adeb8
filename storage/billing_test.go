package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestTimeRowsAndDeletion(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p, q := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "BETA")
		a, b := seedTicket(t, db, p, "Login fails"), seedTicket(t, db, q, "Slow")
		var ids []int64
		update(t, db, func(tx domain.Tx) error {
			for i, tk := range []*domain.Ticket{a, a, b} {
				start := t0.Add(time.Duration(i) * time.Hour)
				end := start.Add(30 * time.Minute)
				e := &domain.TimeEntry{TicketID: tk.ID, UserID: "U1", StartedAt: start, EndedAt: &end, Seconds: 1800, Billable: i != 1, Source: domain.TimeFromManual}
				if err := tx.CreateTimeEntry(ctx, e); err != nil {
					return err
				}
				ids = append(ids, e.ID)
			}
			return tx.DeleteTimeEntry(ctx, ids[0], "ULEAD")
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			rows, err := tx.TimeRows(ctx, domain.TimeFilter{UserID: "U1"})
			if err != nil || len(rows) != 2 || rows[0].Key() != "ACME-1" || rows[0].TicketTitle != "Login fails" || rows[0].TicketType != "question" ||
				rows[0].Billable || rows[1].Key() != "BETA-1" || rows[1].ID != ids[2] {
				t.Errorf("rows %+v %v", rows, err)
			}
			rows, _ = tx.TimeRows(ctx, domain.TimeFilter{CustomerID: q.ID, From: t0.Add(2 * time.Hour), To: t0.Add(3 * time.Hour)})
			if len(rows) != 1 {
				t.Errorf("customer and period: %+v", rows)
			}
			e, err := tx.TimeEntry(ctx, ids[0])
			if err != nil || e.DeletedAt == nil || !e.DeletedAt.Equal(t0) || e.DeletedBy != "ULEAD" {
				t.Errorf("deleted row kept: %+v %v", e, err)
			}
			return nil
		})
		// Moving an entry to another customer's ticket moves its billing too.
		update(t, db, func(tx domain.Tx) error {
			e, err := tx.TimeEntry(ctx, ids[1])
			if err != nil {
				return err
			}
			e.TicketID = b.ID
			return tx.UpdateTimeEntry(ctx, e)
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			if es, _ := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: q.ID}); len(es) != 2 {
				t.Errorf("moved entry not billed to BETA: %+v", es)
			}
			return nil
		})
	}, storage.WithClock(func() time.Time { return t0 }))
}

func TestTimerReminderQueries(t *testing.T) {
	clock := storagetest.NewClock(t0)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock.Set(t0)
		p := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, p, "a")
		var ids []int64
		update(t, db, func(tx domain.Tx) error {
			for i, u := range []string{"U1", "U2", "U3"} {
				e := &domain.TimeEntry{TicketID: tk.ID, UserID: u, StartedAt: t0.Add(-time.Duration(3-i) * time.Hour), Source: domain.TimeFromTimer}
				if err := tx.CreateTimeEntry(ctx, e); err != nil {
					return err
				}
				ids = append(ids, e.ID)
			}
			return nil
		})
		// Started 3h, 2h and 1h ago; the threshold is 2h.
		due := func() []int64 {
			var out []int64
			update(t, db, func(tx domain.Tx) error {
				es, err := tx.DueTimerReminders(ctx, tx.Now().Add(-2*time.Hour), 10)
				for _, e := range es {
					out = append(out, e.ID)
				}
				return err
			})
			return out
		}
		if got := due(); len(got) != 2 || got[0] != ids[0] || got[1] != ids[1] {
			t.Fatalf("due %v", got)
		}
		later := t0.Add(time.Hour)
		update(t, db, func(tx domain.Tx) error {
			now := tx.Now()
			if err := tx.SetTimerReminder(ctx, ids[0], &now, nil); err != nil {
				return err
			}
			return tx.SetTimerReminder(ctx, ids[1], nil, &later) // snoozed before its first reminder
		})
		if got := due(); len(got) != 0 {
			t.Errorf("after reminding: %v", got)
		}
		clock.Set(later)
		if got := due(); len(got) != 2 || got[0] != ids[1] || got[1] != ids[2] {
			t.Errorf("snooze over and U3 at 2h: %v", got)
		}
		update(t, db, func(tx domain.Tx) error {
			stale, err := tx.StaleTimers(ctx, tx.Now().Add(-210*time.Minute), 10)
			if err != nil || len(stale) != 1 || stale[0].ID != ids[0] {
				t.Errorf("stale %+v %v", stale, err)
			}
			return err
		})
	}, storage.WithClock(clock.Now))
}

func TestBillingLocks(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		paris, _ := time.LoadLocation("Europe/Paris")
		oct := time.Date(2026, 10, 1, 0, 0, 0, 0, paris)
		l := &domain.BillingLock{CustomerID: p.ID, Period: "2026-10", Start: oct, End: oct.AddDate(0, 1, 0), LockedBy: "ULEAD", Amount: 48750}
		update(t, db, func(tx domain.Tx) error { return tx.AddBillingLock(ctx, l) })
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddBillingLock(ctx, &domain.BillingLock{CustomerID: p.ID, Period: "2026-10", Start: oct, End: oct.AddDate(0, 1, 0), LockedBy: "U"})
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("lock twice: %v", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			for at, locked := range map[time.Time]bool{
				oct:                        true, // the start is in
				oct.Add(-time.Microsecond): false,
				oct.AddDate(0, 1, 0).Add(-time.Microsecond): true,
				oct.AddDate(0, 1, 0):                        false, // the end is out
			} {
				got, err := tx.BillingLockAt(ctx, p.ID, at)
				if locked != (err == nil) || (locked && (got.Amount != 48750 || !got.Start.Equal(oct) || got.Period != "2026-10")) {
					t.Errorf("at %v: %+v %v, want locked %v", at, got, err, locked)
				}
			}
			for _, c := range []struct {
				from, to time.Time
				n        int
			}{
				{time.Time{}, time.Time{}, 1},
				{oct.AddDate(0, 1, 0), time.Time{}, 0},
				{time.Time{}, oct, 0},
				{oct.AddDate(0, 0, 10), oct.AddDate(0, 0, 11), 1},
			} {
				if ls, err := tx.BillingLocks(ctx, p.ID, c.from, c.to); err != nil || len(ls) != c.n {
					t.Errorf("locks in %v..%v: %d %v, want %d", c.from, c.to, len(ls), err, c.n)
				}
			}
			return nil
		})
		update(t, db, func(tx domain.Tx) error { return tx.DeleteBillingLock(ctx, p.ID, oct) })
		err = db.Update(ctx, func(tx domain.Tx) error { return tx.DeleteBillingLock(ctx, p.ID, oct) })
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unlock twice: %v", err)
		}
	})
}

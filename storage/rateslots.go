package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// Rate slots spread a rate limit that belongs to the whole app (Slack's
// users.info: so many calls a minute, whichever replica makes them) over
// the replicas: one row per limit in the leases table (holder "rate")
// whose expires_at is the limit's theoretical arrival time, as in the
// generic cell rate algorithm: a call may go when that time is at most
// (burst-1)·every ahead of now, and moves it on by every. A 429's
// Retry-After moves it past the pause, for every replica at once.

func rateSlotName(name string) string { return "rate:" + name }

// TakeRateSlot spends one call of the limit name (one every every, burst
// at once); when none is free it spends nothing and says how long to wait.
func (d *DB) TakeRateSlot(ctx context.Context, name string, every time.Duration, burst int) (wait time.Duration, err error) {
	err = d.rateSlot(ctx, name, func(now, tat time.Time) time.Time {
		tat = later(tat, now)
		if w := tat.Sub(now) - every*time.Duration(burst-1); w > 0 {
			wait = w
			return time.Time{}
		}
		return tat.Add(every)
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to take a %s slot: %w", name, err)
	}
	return wait, nil
}

// HoldRateSlots frees no call of the limit name before pause from now.
func (d *DB) HoldRateSlots(ctx context.Context, name string, every time.Duration, burst int, pause time.Duration) error {
	err := d.rateSlot(ctx, name, func(now, tat time.Time) time.Time {
		if hold := now.Add(pause + every*time.Duration(burst-1)); hold.After(tat) {
			return hold
		}
		return time.Time{}
	})
	if err != nil {
		return fmt.Errorf("store: unable to hold %s: %w", name, err)
	}
	return nil
}

// rateSlot moves the limit's arrival time as next says, under the row's
// lock; next returns zero to leave it.
func (d *DB) rateSlot(ctx context.Context, name string, next func(now, tat time.Time) time.Time) error {
	return d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		if _, err := tx.exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, 'rate', ?) ON CONFLICT (name) DO NOTHING`,
			rateSlotName(name), ts(time.Unix(0, 0))); err != nil {
			return err
		}
		q := `SELECT expires_at FROM leases WHERE name = ?`
		if d.dialect == Postgres {
			q += ` FOR UPDATE`
		}
		var tat time.Time
		if err := tx.get(ctx, &tat, q, rateSlotName(name)); err != nil {
			return err
		}
		n := next(tx.now, tat)
		if n.IsZero() {
			return nil
		}
		_, err := tx.exec(ctx, `UPDATE leases SET expires_at = ? WHERE name = ?`, ts(n), rateSlotName(name))
		return err
	})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// TakeLease takes or renews the lease name for holder until ttl from now,
// when it is free, expired, or holder's already. It reports whether holder
// holds it, and who held it before when that was another holder whose
// lease had run out (their work may still be claimed: see bot.leader).
func (d *DB) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (held bool, previous string, err error) {
	err = d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		var cur struct {
			Holder  string    `db:"holder"`
			Expires time.Time `db:"expires_at"`
		}
		until := ts(tx.now.Add(ttl))
		switch err := tx.get(ctx, &cur, `SELECT holder, expires_at FROM leases WHERE name = ?`, name); {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?,?,?) ON CONFLICT (name) DO NOTHING`, name, holder, until)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			held = n == 1
			return err
		case err != nil:
			return err
		}
		if cur.Holder != holder && cur.Expires.After(tx.now) {
			return nil
		}
		// Conditional again: of two takers, one wins.
		res, err := tx.exec(ctx, `UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at <= ?)`,
			holder, until, name, holder, ts(tx.now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		if held && cur.Holder != holder && cur.Holder != "" {
			previous = cur.Holder
		}
		return err
	})
	if err != nil {
		return false, "", fmt.Errorf("store: unable to take lease %s: %w", name, err)
	}
	return held, previous, nil
}

// DropLease frees holder's lease name at once (a clean shutdown).
func (d *DB) DropLease(ctx context.Context, name, holder string) error {
	err := d.Update(ctx, func(dtx domain.Tx) error {
		_, err := dtx.(*Tx).exec(ctx, `UPDATE leases SET holder = '', expires_at = ? WHERE name = ? AND holder = ?`,
			ts(time.Unix(0, 0)), name, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to drop lease %s: %w", name, err)
	}
	return nil
}

// ReleaseOutboxClaims frees the outbox messages of kinds owner claimed,
// for the replica taking over dispatching from owner, whose lease ran out:
// the claims go back in the queue at once, in their places, instead of
// lapsing one by one after newer messages went out. Only the dispatcher's
// kinds: owner's other senders (mail) still hold theirs, and a mail
// released while its sender sends it goes out twice.
func (d *DB) ReleaseOutboxClaims(ctx context.Context, owner string, kinds []string) error {
	err := d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		in, args := inList(kinds)
		_, err := tx.exec(ctx, `UPDATE outbox SET next_attempt_at = ?, claimed_by = '' WHERE claimed_by = ? AND delivered_at IS NULL
			AND kind IN `+in, append([]any{ts(tx.now), owner}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to release %s's outbox claims: %w", owner, err)
	}
	return nil
}

// OutboxBacklog is what waits in the outbox, for `deskbot status`.
type OutboxBacklog struct {
	Kind    string     `db:"kind"`
	Waiting int        `db:"n"`
	Oldest  *time.Time `db:"-"` // queued first, of those waiting
	Failing int        `db:"failing"`
}

// Backlog lists the undelivered outbox messages per kind, and who holds
// the dispatch lease ("" and zero when nobody does).
func (d *DB) Backlog(ctx context.Context) (rows []OutboxBacklog, dispatcher string, until time.Time, err error) {
	err = d.db.SelectContext(ctx, &rows, `SELECT kind, COUNT(*) AS n,
		SUM(CASE WHEN last_error <> '' THEN 1 ELSE 0 END) AS failing
		FROM outbox WHERE delivered_at IS NULL GROUP BY kind ORDER BY kind`)
	if err != nil {
		return nil, "", time.Time{}, fmt.Errorf("store: unable to read the outbox backlog: %w", err)
	}
	for i := range rows {
		// The column itself, not MIN(): SQLite's MIN() loses its type.
		var oldest time.Time
		if err := d.db.GetContext(ctx, &oldest, d.db.Rebind(`SELECT created_at FROM outbox
			WHERE delivered_at IS NULL AND kind = ? ORDER BY created_at LIMIT 1`), rows[i].Kind); err != nil {
			return nil, "", time.Time{}, fmt.Errorf("store: unable to read the outbox backlog: %w", err)
		}
		rows[i].Oldest = &oldest
	}
	var l struct {
		Holder  string    `db:"holder"`
		Expires time.Time `db:"expires_at"`
	}
	switch err := d.db.GetContext(ctx, &l, d.db.Rebind(`SELECT holder, expires_at FROM leases WHERE name = ?`), "outbox"); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, "", time.Time{}, fmt.Errorf("store: unable to read the dispatch lease: %w", err)
	default:
		dispatcher, until = l.Holder, l.Expires
	}
	return rows, dispatcher, until, nil
}

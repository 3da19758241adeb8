package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

var _ domain.Inbox = (*DB)(nil)

// StoreInputs stores a batch of inputs in one statement, so one commit
// (one fsync) covers every envelope that arrived together: the ack waits
// for it. It runs outside any transaction: the statement alone is atomic.
func (d *DB) StoreInputs(ctx context.Context, owner string, lease time.Duration, in []*domain.InboxInput) ([]bool, error) {
	fresh := make([]bool, len(in))
	if len(in) == 0 {
		return fresh, nil
	}
	now := d.clock()
	until := ts(now.Add(lease))
	var q string
	var args []any
	if d.dialect == Postgres {
		keys, kinds, payloads := make([]string, len(in)), make([]string, len(in)), make([]string, len(in))
		for i, x := range in {
			keys[i], kinds[i], payloads[i] = x.DedupKey, x.Kind, x.Payload
		}
		q = `INSERT INTO inbox (dedup_key, kind, payload, owner, lease_until, received_at)
			SELECT k, kd, p, ?, ?, ? FROM unnest(?::text[], ?::text[], ?::text[]) AS v(k, kd, p)
			ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key`
		args = []any{owner, until, now, pq.Array(keys), pq.Array(kinds), pq.Array(payloads)}
	} else {
		var b strings.Builder
		b.WriteString(`INSERT INTO inbox (dedup_key, kind, payload, owner, lease_until, received_at) VALUES `)
		for i, x := range in {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?,?)")
			args = append(args, x.DedupKey, x.Kind, x.Payload, owner, until, now)
		}
		b.WriteString(` ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key`)
		q = b.String()
	}
	var rows []struct {
		ID  int64  `db:"id"`
		Key string `db:"dedup_key"`
	}
	err := d.writing(ctx, true, func() error { return d.front.SelectContext(ctx, &rows, d.front.Rebind(q), args...) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to store %d inputs: %w", len(in), err)
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.Key] = r.ID
	}
	for i, x := range in {
		if id, ok := ids[x.DedupKey]; ok {
			x.ID, x.Attempts, x.ReceivedAt = id, 1, now
			fresh[i] = true
			delete(ids, x.DedupKey) // the same key twice in a batch: the first is new
		}
	}
	return fresh, nil
}

// ClaimInputs takes inputs nobody finished whose lease ran out: their
// process died, or restarted and released them (ReleaseLeases).
func (d *DB) ClaimInputs(ctx context.Context, owner string, limit int, lease time.Duration) ([]*domain.InboxInput, error) {
	var out []*domain.InboxInput
	err := d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		skip := ""
		if d.dialect == Postgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		if err := tx.sel(ctx, &out, `SELECT id, dedup_key, kind, payload, attempts, received_at FROM inbox
			WHERE done_at IS NULL AND lease_until <= ? ORDER BY id LIMIT ?`+skip, tx.now, limit); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]int64, len(out))
		for i, x := range out {
			x.Attempts++
			ids[i] = x.ID
		}
		in, args := inList(ids)
		_, err := tx.exec(ctx, `UPDATE inbox SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN `+in,
			append([]any{owner, ts(tx.now.Add(lease))}, args...)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to claim inputs: %w", err)
	}
	return out, nil
}

// InputsDone marks inputs finished.
func (d *DB) InputsDone(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	err := d.writing(ctx, false, func() error {
		_, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE inbox SET done_at = ? WHERE id IN `+in), append([]any{d.clock()}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to mark %d inputs done: %w", len(ids), err)
	}
	return nil
}

// RenewLeases extends everything owner holds, in one transaction: a live
// process keeps short leases, so a dead one's work is free soon.
func (d *DB) RenewLeases(ctx context.Context, owner string, lease time.Duration) error {
	if owner == "" {
		return nil
	}
	err := d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		until := ts(tx.now.Add(lease))
		if _, err := tx.exec(ctx, `UPDATE inbox SET lease_until = ? WHERE owner = ? AND done_at IS NULL`, until, owner); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE claimed_by = ? AND delivered_at IS NULL`, until, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to renew leases: %w", err)
	}
	return nil
}

// ReleaseLeases frees what owner's earlier run held: a process calls it as
// it starts, before taking anything, and then takes its own back at once.
func (d *DB) ReleaseLeases(ctx context.Context, owner string) error {
	if owner == "" {
		return nil
	}
	err := d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		if _, err := tx.exec(ctx, `UPDATE inbox SET owner = '', lease_until = ? WHERE owner = ? AND done_at IS NULL`, tx.now, owner); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE outbox SET claimed_by = '', next_attempt_at = ? WHERE claimed_by = ? AND delivered_at IS NULL`, tx.now, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to release leases: %w", err)
	}
	return nil
}

// PurgeInputs deletes inputs finished before before: a redelivery comes
// within minutes, and the work's own dedup keys outlive this.
func (d *DB) PurgeInputs(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := d.writing(ctx, false, func() error {
		res, err := d.db.ExecContext(ctx, d.db.Rebind(`DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?`), ts(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to purge inputs: %w", err)
	}
	return int(n), nil
}

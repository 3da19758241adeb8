package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

var _ domain.Inbox = (*DB)(nil)

// sqliteInbox is the inbox's schema in its SQLite file (PostgreSQL's is
// migration 00007): the file holds nothing else, and what it holds is
// work in flight, so it is created as it is needed rather than migrated.
const sqliteInbox = `
CREATE TABLE IF NOT EXISTS inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key   TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMP NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    received_at TIMESTAMP NOT NULL,
    done_at     TIMESTAMP,
    person      TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS inbox_due ON inbox (lease_until) WHERE done_at IS NULL;
CREATE INDEX IF NOT EXISTS inbox_owner ON inbox (owner) WHERE done_at IS NULL;
CREATE INDEX IF NOT EXISTS inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;`

// sqliteInboxOrder adds the order key (PostgreSQL's migration 00030) to
// an inbox file created before it.
const sqliteInboxOrder = `
ALTER TABLE inbox ADD COLUMN person TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN topic TEXT NOT NULL DEFAULT '';`

const sqliteInboxOrderIndex = `
CREATE INDEX IF NOT EXISTS inbox_order ON inbox (person, topic, id) WHERE done_at IS NULL AND topic <> '';`

// migrateInbox creates SQLite's inbox file's table.
func (d *DB) migrateInbox(ctx context.Context) error {
	if d.dialect != SQLite {
		return nil
	}
	return d.inboxWrite(ctx, false, func(q sqlx.ExtContext) error {
		if _, err := q.ExecContext(ctx, sqliteInbox); err != nil {
			return fmt.Errorf("store: unable to create the inbox: %w", err)
		}
		var has int
		if err := sqlx.GetContext(ctx, q, &has, `SELECT COUNT(*) FROM pragma_table_info('inbox') WHERE name = 'topic'`); err != nil {
			return fmt.Errorf("store: unable to read the inbox's columns: %w", err)
		}
		if has == 0 {
			if _, err := q.ExecContext(ctx, sqliteInboxOrder); err != nil {
				return fmt.Errorf("store: unable to add the inbox's order key: %w", err)
			}
		}
		if _, err := q.ExecContext(ctx, sqliteInboxOrderIndex); err != nil {
			return fmt.Errorf("store: unable to index the inbox's order key: %w", err)
		}
		return nil
	})
}

// inboxWrite runs fn in a transaction on the inbox's handle, in its turn
// (inboxTurn).
func (d *DB) inboxWrite(ctx context.Context, urgent bool, fn func(q sqlx.ExtContext) error) error {
	h := d.inboxDB(urgent)
	return d.inboxTurn(ctx, urgent, func() error {
		tx, err := h.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

// inboxDB is the handle for an inbox statement: on SQLite the inbox's
// file; on PostgreSQL the connections kept for the inbox only for what an
// ack waits for (urgent), so that done marks, lease renewals and claims
// never take one while envelopes wait, and the main pool otherwise.
func (d *DB) inboxDB(urgent bool) *sqlx.DB {
	if d.dialect == SQLite || urgent {
		return d.front
	}
	return d.db
}

// inboxTurn runs fn in its turn among the inbox's writers on SQLite
// (urgent ones, which an ack waits for, first); at once on PostgreSQL.
func (d *DB) inboxTurn(ctx context.Context, urgent bool, fn func() error) error {
	if d.dialect == SQLite {
		if err := d.ilock.lock(ctx, urgent); err != nil {
			return err
		}
		defer d.ilock.unlock()
	}
	return fn()
}

func (d *DB) inboxExec(ctx context.Context, q sqlx.ExtContext, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, d.front.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// StoreInputs stores a batch of inputs in one statement, so one commit
// covers every envelope that arrived together: the ack waits for it.
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
		n := len(in)
		keys, kinds, payloads, persons, topics := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, x := range in {
			keys[i], kinds[i], payloads[i], persons[i], topics[i] = x.DedupKey, x.Kind, x.Payload, x.Person, x.Topic
		}
		q = `INSERT INTO inbox (dedup_key, kind, payload, person, topic, owner, lease_until, received_at)
			SELECT k, kd, p, pe, tp, ?, ?, ? FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(k, kd, p, pe, tp)
			ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key`
		args = []any{owner, until, now, pq.Array(keys), pq.Array(kinds), pq.Array(payloads), pq.Array(persons), pq.Array(topics)}
	} else {
		var b strings.Builder
		b.WriteString(`INSERT INTO inbox (dedup_key, kind, payload, person, topic, owner, lease_until, received_at) VALUES `)
		for i, x := range in {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?,?,?,?)")
			args = append(args, x.DedupKey, x.Kind, x.Payload, x.Person, x.Topic, owner, until, now)
		}
		b.WriteString(` ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key`)
		q = b.String()
	}
	var rows []struct {
		ID  int64  `db:"id"`
		Key string `db:"dedup_key"`
	}
	// One statement, no transaction around it: atomic alone, and one
	// round trip on PostgreSQL rather than three.
	err := d.inboxTurn(ctx, true, func() error {
		if d.dialect == Postgres {
			// Prepared (on each of the inbox's connections as it is
			// first used there): one round trip instead of two.
			st, err := d.storeInputsStmt(ctx, q)
			if err != nil {
				return err
			}
			return st.SelectContext(ctx, &rows, args...)
		}
		return d.front.SelectContext(ctx, &rows, d.front.Rebind(q), args...)
	})
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

func (d *DB) storeInputsStmt(ctx context.Context, q string) (*sqlx.Stmt, error) {
	d.frontMu.Lock()
	defer d.frontMu.Unlock()
	if d.storeStmt == nil {
		st, err := d.front.PreparexContext(ctx, d.front.Rebind(q))
		if err != nil {
			return nil, err
		}
		d.storeStmt = st
	}
	return d.storeStmt, nil
}

// ClaimInputs takes inputs nobody finished whose lease ran out: their
// process died, or restarted and released them (ReleaseLeases). It looks
// before it writes: most polls find nothing, and take no write turn.
func (d *DB) ClaimInputs(ctx context.Context, owner string, limit int, lease time.Duration) ([]*domain.InboxInput, error) {
	now := d.clock()
	var due int
	if err := d.inboxDB(false).GetContext(ctx, &due, d.front.Rebind(`SELECT COUNT(*) FROM (SELECT 1 FROM inbox
		WHERE done_at IS NULL AND lease_until <= ? LIMIT 1) AS due`), now); err != nil {
		return nil, fmt.Errorf("store: unable to look for inputs: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var out []*domain.InboxInput
	err := d.inboxWrite(ctx, false, func(tx sqlx.ExtContext) error {
		out = nil
		skip := ""
		if d.dialect == Postgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		if err := sqlx.SelectContext(ctx, tx, &out, d.front.Rebind(`SELECT id, dedup_key, kind, payload, person, topic, attempts, received_at
			FROM inbox WHERE done_at IS NULL AND lease_until <= ? ORDER BY id LIMIT ?`+skip), now, limit); err != nil {
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
		_, err := d.inboxExec(ctx, tx, `UPDATE inbox SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN `+in,
			append([]any{owner, ts(now.Add(lease))}, args...)...)
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
	err := d.inboxWrite(ctx, false, func(tx sqlx.ExtContext) error {
		_, err := d.inboxExec(ctx, tx, `UPDATE inbox SET done_at = ? WHERE id IN `+in, append([]any{d.clock()}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to mark %d inputs done: %w", len(ids), err)
	}
	return nil
}

// RenewLeases extends everything owner holds: a live process keeps short
// leases, so a dead one's work is free soon.
func (d *DB) RenewLeases(ctx context.Context, owner string, lease time.Duration) error {
	if owner == "" {
		return nil
	}
	until := ts(d.clock().Add(lease))
	err := d.inboxWrite(ctx, false, func(tx sqlx.ExtContext) error {
		_, err := d.inboxExec(ctx, tx, `UPDATE inbox SET lease_until = ? WHERE owner = ? AND done_at IS NULL`, until, owner)
		return err
	})
	if err == nil {
		err = d.Update(ctx, func(dtx domain.Tx) error {
			_, err := dtx.(*Tx).exec(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE claimed_by = ? AND delivered_at IS NULL`, until, owner)
			return err
		})
	}
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
	now := d.clock()
	err := d.inboxWrite(ctx, false, func(tx sqlx.ExtContext) error {
		_, err := d.inboxExec(ctx, tx, `UPDATE inbox SET owner = '', lease_until = ? WHERE owner = ? AND done_at IS NULL`, now, owner)
		return err
	})
	if err == nil {
		err = d.Update(ctx, func(dtx domain.Tx) error {
			_, err := dtx.(*Tx).exec(ctx, `UPDATE outbox SET claimed_by = '', next_attempt_at = ? WHERE claimed_by = ? AND delivered_at IS NULL`, now, owner)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("store: unable to release leases: %w", err)
	}
	return nil
}

// PurgeInputs deletes inputs finished before before: a redelivery comes
// within minutes, and the work's own dedup keys outlive this.
func (d *DB) PurgeInputs(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := d.inboxWrite(ctx, false, func(tx sqlx.ExtContext) (err error) {
		n, err = d.inboxExec(ctx, tx, `DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?`, ts(before))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to purge inputs: %w", err)
	}
	return int(n), nil
}

// EarlierInput reports whether person has an unfinished input on topic
// stored before input id, other than those in except (finished, their done
// mark not committed yet): the later input waits for it, whichever replica
// holds it. Only unfinished inputs are read (inbox_order), a handful.
func (d *DB) EarlierInput(ctx context.Context, id int64, person, topic string, except []int64) (bool, error) {
	q := `SELECT COUNT(*) FROM (SELECT 1 FROM inbox WHERE done_at IS NULL AND topic <> '' AND person = ? AND topic = ? AND id < ?`
	args := []any{person, topic, id}
	if len(except) > 0 {
		in, ex := inList(except)
		q += ` AND id NOT IN ` + in
		args = append(args, ex...)
	}
	var n int
	if err := d.inboxDB(false).GetContext(ctx, &n, d.front.Rebind(q+` LIMIT 1) AS earlier`), args...); err != nil {
		return false, fmt.Errorf("store: unable to look for earlier inputs: %w", err)
	}
	return n > 0, nil
}

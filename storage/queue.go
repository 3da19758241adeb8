package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

// queue holds the rows of a PostgreSQL write transaction whose inserts
// nobody waits on (history events, outbox messages). They go in one
// multi-row INSERT per table before the transaction's next statement and
// before it commits, so a transaction that opens many tickets (group
// commit) sends two statements for all their events and cards instead of
// two per ticket: on PostgreSQL each statement is a round trip, and a new
// ticket holds its customer's number row while they run.
//
// The statements that skip the flush (execAside, getAside) touch neither
// events nor outbox: numbering and inserting a ticket, recording an input.
// Every other statement flushes first, so nothing reads around the queue.
// SQLite, in process, inserts at once.
type queue struct {
	events []*domain.Event
	outbox []*domain.OutboxMessage
}

func (tx *Tx) queues() bool { return tx.write && tx.d.dialect == Postgres }

const flushEvents = `INSERT INTO events (ticket_id, actor, channel, kind, field, old_value, new_value, at)
	SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])`

const flushOutbox = `INSERT INTO outbox (kind, payload, dedup_key, next_attempt_at, created_at)
	SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])
	ON CONFLICT (dedup_key) WHERE delivered_at IS NULL DO NOTHING`

// flush inserts the queued rows.
func (tx *Tx) flush(ctx context.Context) error {
	if len(tx.queue.events) > 0 {
		n := len(tx.queue.events)
		ids, at := make([]int64, n), make([]time.Time, n)
		actor, channel, kind, field, old, new := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, e := range tx.queue.events {
			ids[i], actor[i], channel[i], kind[i], field[i], old[i], new[i], at[i] = e.TicketID, e.Actor, e.Channel, e.Kind, e.Field, e.OldValue, e.NewValue, e.At
		}
		tx.queue.events = nil
		if _, err := tx.execAside(ctx, flushEvents, pq.Array(ids), pq.Array(actor), pq.Array(channel), pq.Array(kind),
			pq.Array(field), pq.Array(old), pq.Array(new), pq.GenericArray{A: at}); err != nil {
			return fmt.Errorf("store: unable to add %d events: %w", n, err)
		}
	}
	if len(tx.queue.outbox) > 0 {
		n := len(tx.queue.outbox)
		kind, payload, dedup := make([]string, n), make([]string, n), make([]sql.NullString, n)
		next, created := make([]time.Time, n), make([]time.Time, n)
		for i, m := range tx.queue.outbox {
			kind[i], payload[i], next[i], created[i] = m.Kind, m.Payload, m.NextAttempt, m.CreatedAt
			if m.DedupKey != nil {
				dedup[i] = sql.NullString{String: *m.DedupKey, Valid: true}
			}
		}
		tx.queue.outbox = nil
		if _, err := tx.execAside(ctx, flushOutbox, pq.Array(kind), pq.Array(payload), pq.GenericArray{A: dedup},
			pq.GenericArray{A: next}, pq.GenericArray{A: created}); err != nil {
			return fmt.Errorf("store: unable to enqueue %d messages: %w", n, err)
		}
	}
	return nil
}

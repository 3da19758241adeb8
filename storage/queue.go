package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

// queue holds the writes of a PostgreSQL write transaction that nobody
// waits on (history events, outbox messages, outbox deliveries, inputs
// recorded as new: RecordInput). They go
// in one multi-row statement per kind before the transaction's next
// statement and before it commits, so a transaction that opens many
// tickets (group commit) sends two statements for all their events and
// cards instead of two per ticket: on PostgreSQL each statement is a round
// trip, and a new ticket holds its customer's number row while they run.
//
// The statements that skip the flush (execAside, getAside) touch no table
// with queued writes: numbering and inserting a ticket, recording a card,
// and marking an input processed, which writes the queued inputs first.
// Every other statement flushes first, so nothing reads around the queue.
// SQLite, in process, writes at once.
type queue struct {
	events    []*domain.Event
	outbox    []*domain.OutboxMessage
	delivered []int64 // outbox message IDs
	inputs    []processedInput
}

func (tx *Tx) queues() bool { return tx.write && tx.d.dialect == Postgres }

const flushEventsQuery = `INSERT INTO events (ticket_id, actor, channel, kind, field, old_value, new_value, at)
	SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])`

const flushOutboxQuery = `INSERT INTO outbox (kind, payload, dedup_key, next_attempt_at, created_at)
	SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])
	ON CONFLICT (dedup_key) WHERE delivered_at IS NULL DO NOTHING`

// flush writes everything queued.
func (tx *Tx) flush(ctx context.Context) error {
	for _, f := range []func(context.Context) error{tx.flushEvents, tx.flushOutbox, tx.flushDelivered, tx.flushInputs} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) flushEvents(ctx context.Context) error {
	n := len(tx.queue.events)
	if n == 0 {
		return nil
	}
	ids, at := make([]int64, n), make([]time.Time, n)
	actor, channel, kind, field, old, new := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, e := range tx.queue.events {
		ids[i], actor[i], channel[i], kind[i], field[i], old[i], new[i], at[i] = e.TicketID, e.Actor, e.Channel, e.Kind, e.Field, e.OldValue, e.NewValue, e.At
	}
	tx.queue.events = nil
	if _, err := tx.execAside(ctx, flushEventsQuery, pq.Array(ids), pq.Array(actor), pq.Array(channel), pq.Array(kind),
		pq.Array(field), pq.Array(old), pq.Array(new), pq.GenericArray{A: at}); err != nil {
		return fmt.Errorf("store: unable to add %d events: %w", n, err)
	}
	return nil
}

func (tx *Tx) flushOutbox(ctx context.Context) error {
	n := len(tx.queue.outbox)
	if n == 0 {
		return nil
	}
	kind, payload, dedup := make([]string, n), make([]string, n), make([]sql.NullString, n)
	next, created := make([]time.Time, n), make([]time.Time, n)
	for i, m := range tx.queue.outbox {
		kind[i], payload[i], next[i], created[i] = m.Kind, m.Payload, m.NextAttempt, m.CreatedAt
		if m.DedupKey != nil {
			dedup[i] = sql.NullString{String: *m.DedupKey, Valid: true}
		}
	}
	tx.queue.outbox = nil
	if _, err := tx.execAside(ctx, flushOutboxQuery, pq.Array(kind), pq.Array(payload), pq.GenericArray{A: dedup},
		pq.GenericArray{A: next}, pq.GenericArray{A: created}); err != nil {
		return fmt.Errorf("store: unable to enqueue %d messages: %w", n, err)
	}
	return nil
}

func (tx *Tx) flushDelivered(ctx context.Context) error {
	ids := tx.queue.delivered
	if len(ids) == 0 {
		return nil
	}
	tx.queue.delivered = nil
	if _, err := tx.execAside(ctx, `UPDATE outbox SET delivered_at = ?, last_error = '' WHERE id = ANY(?)`, tx.now, pq.Array(ids)); err != nil {
		return fmt.Errorf("store: unable to mark %d outbox messages delivered: %w", len(ids), err)
	}
	return nil
}

func (tx *Tx) flushInputs(ctx context.Context) error {
	n := len(tx.queue.inputs)
	if n == 0 {
		return nil
	}
	source, id, result := make([]string, n), make([]string, n), make([]string, n)
	for i, in := range tx.queue.inputs {
		source[i], id[i], result[i] = in.source, in.id, in.result
	}
	tx.queue.inputs = nil
	_, err := tx.execAside(ctx, `INSERT INTO processed_inputs (source, id, processed_at, result)
		SELECT s, i, ?, r FROM unnest(?::text[], ?::text[], ?::text[]) AS u(s, i, r)`,
		tx.now, pq.Array(source), pq.Array(id), pq.Array(result))
	return inputErr(err, n)
}

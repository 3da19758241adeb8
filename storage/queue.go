package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

// queue holds the writes of a PostgreSQL write transaction that nobody
// waits on (history events, outbox messages, outbox deliveries, inputs
// recorded as new: RecordInput). They go in one statement, multi-row,
// before the transaction's next statement and before it commits, so a
// transaction that opens many tickets (group commit) sends one statement
// for all their events, cards and inputs instead of three per ticket: on
// PostgreSQL each statement is a round trip, and a new ticket holds its
// customer's number row while they run.
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

// flush writes everything queued, in one statement: each kind of write is
// a data-modifying WITH of it, and PostgreSQL runs every one of them to
// completion.
func (tx *Tx) flush(ctx context.Context) error {
	return tx.writeQueued(ctx, tx.queuedEvents(), tx.queuedOutbox(), tx.queuedDelivered(), tx.queuedInputs())
}

// flushInputs writes the queued inputs alone.
func (tx *Tx) flushInputs(ctx context.Context) error {
	return tx.writeQueued(ctx, tx.queuedInputs())
}

// queuedWrite is one kind of queued write as a statement, nil when none.
type queuedWrite struct {
	what  string // for errors
	query string
	args  []any
	n     int
	input bool // records inputs: a unique violation is a redelivery
}

func (tx *Tx) writeQueued(ctx context.Context, writes ...*queuedWrite) error {
	var ctes []string
	var args []any
	var whats []string
	var last *queuedWrite
	input := false
	for _, w := range writes {
		if w == nil {
			continue
		}
		if last != nil {
			ctes = append(ctes, fmt.Sprintf("w%d AS (%s)", len(ctes), last.query))
		}
		last, input = w, input || w.input
		args = append(args, w.args...)
		whats = append(whats, fmt.Sprintf("%d %s", w.n, w.what))
	}
	if last == nil {
		return nil
	}
	q := last.query
	if len(ctes) > 0 {
		q = "WITH " + strings.Join(ctes, ", ") + " " + q
	}
	_, err := tx.execAside(ctx, q, args...)
	switch {
	case err == nil:
		return nil
	case input && isUniqueViolation(err):
		return domain.ErrInputSeen
	}
	return fmt.Errorf("store: unable to write %s: %w", strings.Join(whats, ", "), err)
}

func (tx *Tx) queuedEvents() *queuedWrite {
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
	return &queuedWrite{what: "events", query: flushEventsQuery, n: n, args: []any{pq.Array(ids), pq.Array(actor), pq.Array(channel),
		pq.Array(kind), pq.Array(field), pq.Array(old), pq.Array(new), pq.GenericArray{A: at}}}
}

func (tx *Tx) queuedOutbox() *queuedWrite {
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
	return &queuedWrite{what: "outbox messages", query: flushOutboxQuery, n: n, args: []any{pq.Array(kind), pq.Array(payload),
		pq.GenericArray{A: dedup}, pq.GenericArray{A: next}, pq.GenericArray{A: created}}}
}

func (tx *Tx) queuedDelivered() *queuedWrite {
	ids := tx.queue.delivered
	if len(ids) == 0 {
		return nil
	}
	tx.queue.delivered = nil
	return &queuedWrite{what: "outbox deliveries", n: len(ids), args: []any{tx.now, pq.Array(ids)},
		query: `UPDATE outbox SET delivered_at = ?, last_error = '' WHERE id = ANY(?)`}
}

func (tx *Tx) queuedInputs() *queuedWrite {
	n := len(tx.queue.inputs)
	if n == 0 {
		return nil
	}
	source, id, result := make([]string, n), make([]string, n), make([]string, n)
	for i, in := range tx.queue.inputs {
		source[i], id[i], result[i] = in.source, in.id, in.result
	}
	tx.queue.inputs = nil
	return &queuedWrite{what: "processed inputs", n: n, input: true, args: []any{tx.now, pq.Array(source), pq.Array(id), pq.Array(result)},
		query: `INSERT INTO processed_inputs (source, id, processed_at, result)
		SELECT s, i, ?, r FROM unnest(?::text[], ?::text[], ?::text[]) AS u(s, i, r)`}
}

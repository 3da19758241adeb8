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
// waits on: new tickets (queue_tickets.go), history events, outbox
// messages and deliveries, inputs recorded as new (RecordInput) and where
// cards are. They go in one multi-row statement before the transaction's
// next statement and before it commits, so a transaction that opens many
// tickets (group commit) makes a handful of round trips for all of them
// instead of several per ticket: on PostgreSQL each statement is a round
// trip, and new tickets hold their customer's counter row while they run.
//
// The statements that skip the flush (execAside, getAside) touch no table
// with queued writes: numbering a ticket, and marking an input processed,
// which writes the queued inputs first. Every other statement flushes
// first, so nothing reads around the queue. SQLite, in process, writes at
// once.
type queue struct {
	tickets   [][]any // id, project_id, number, then ticketInsertCols
	counters  map[int64]*counter
	ids       []int64 // ticket ids reserved, not used yet
	idBlock   int     // size of the last block of ids reserved
	opened    int64   // tickets opened in the transaction
	events    []*domain.Event
	outbox    []*domain.OutboxMessage
	delivered []int64 // outbox message IDs
	inputs    []processedInput
	cards     map[int64]cardRef // by ticket: the last recorded wins
}

// cardRef is where a ticket's card is (SetTicketCard).
type cardRef struct{ channel, ts, thread string }

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
	// Cards last: the statement's row count is theirs (writeQueued).
	return tx.writeQueued(ctx, append(tx.queuedTickets(), tx.queuedEvents(), tx.queuedOutbox(), tx.queuedDelivered(), tx.queuedInputs(), tx.queuedCards())...)
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
	// rows, when not zero, is how many rows the write must change; only
	// the last write of a statement can tell.
	rows int64
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
	res, err := tx.execAside(ctx, q, args...)
	switch {
	case err == nil && last.rows != 0:
		if n, err := res.RowsAffected(); err == nil && n != last.rows {
			return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
		}
		return nil
	case err == nil:
		return nil
	case input && uniqueViolationOn(err, "processed_inputs"):
		return domain.ErrInputSeen
	}
	return fmt.Errorf("store: unable to write %s: %w", strings.Join(whats, ", "), err)
}

// queuedCards records where cards are; a ticket that is not there fails
// the statement with ENOTFOUND (which one, a write alone tells).
func (tx *Tx) queuedCards() *queuedWrite {
	n := len(tx.queue.cards)
	if n == 0 {
		return nil
	}
	ids, channel, ts, thread := make([]int64, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	for id, c := range tx.queue.cards {
		ids, channel, ts, thread = append(ids, id), append(channel, c.channel), append(ts, c.ts), append(thread, c.thread)
	}
	tx.queue.cards = nil
	return &queuedWrite{what: "cards", n: n, rows: int64(n), args: []any{pq.Array(ids), pq.Array(channel), pq.Array(ts), pq.Array(thread)},
		query: `UPDATE tickets SET slack_channel = v.ch, slack_ts = v.ts, slack_thread_ts = v.th
		FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) AS v(id, ch, ts, th) WHERE tickets.id = v.id`}
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

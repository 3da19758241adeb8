package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

// A new ticket on PostgreSQL is queued like an event (queue.go): its
// customer's counter row is locked once per transaction, its number given
// from memory, its id taken from a block reserved from the sequence, and
// the rows go in with the transaction's next statement. The counter row
// stays locked until the transaction ends and a rollback undoes both the
// rows and the counter, so keys keep no gaps and no duplicates; ids may
// have gaps (unused reserved ids), which nobody sees. A transaction that
// opens N tickets for a customer thus makes one or two round trips for
// them instead of N: the one that locks the counter also reserves the
// first block of ids.

// counter is a customer's ticket counter, locked in this transaction.
type counter struct {
	seq     int64 // last number given
	written int64 // the counter as the row holds it in this transaction
	key     string
}

// ticketIDBlockMax bounds the ids one round trip reserves. The first
// block of a transaction is as large as the last transaction's tickets
// (a burst tends to go on), the next ones double: at most 64 ids wasted
// per transaction, and a lone ticket after lone tickets wastes none.
const ticketIDBlockMax = 64

func (tx *Tx) queueTicket(ctx context.Context, t *domain.Ticket, vals []any) error {
	if tx.queue.counters == nil {
		tx.queue.counters = map[int64]*counter{}
	}
	c := tx.queue.counters[t.ProjectID]
	if c == nil || len(tx.queue.ids) == 0 {
		if err := tx.reserveTicket(ctx, t.ProjectID, c == nil); err != nil {
			return err
		}
		c = tx.queue.counters[t.ProjectID]
	}
	c.seq++
	tx.queue.opened++
	t.ID, tx.queue.ids = tx.queue.ids[0], tx.queue.ids[1:]
	t.Number, t.ProjectKey = c.seq, c.key
	tx.queue.tickets = append(tx.queue.tickets, append([]any{t.ID, t.ProjectID, t.Number}, vals...))
	return nil
}

// reserveTicket locks the customer's counter (lock) and, when none are
// left, reserves the next block of ticket ids, in one round trip.
func (tx *Tx) reserveTicket(ctx context.Context, projectID int64, lock bool) error {
	n := 0
	if len(tx.queue.ids) == 0 {
		if tx.queue.idBlock == 0 {
			n = int(tx.d.ticketBurst.Load())
		}
		n = min(max(n, 2*tx.queue.idBlock, 1), ticketIDBlockMax)
		tx.queue.idBlock = n
	}
	var row struct {
		Seq int64         `db:"ticket_seq"`
		Key string        `db:"key"`
		IDs pq.Int64Array `db:"ids"`
	}
	// A plain array for none or one id: generate_series made PostgreSQL
	// plan the statement anew on every call. tickets_id_seq is the
	// sequence of tickets.id (BIGSERIAL, migrations/postgres).
	var ids string
	var args []any
	switch n {
	case 0:
		ids = `NULL::bigint[] AS ids`
	case 1:
		ids = `ARRAY[nextval('tickets_id_seq')] AS ids`
	default:
		ids, args = `(SELECT array_agg(nextval('tickets_id_seq')) FROM generate_series(1, ?)) AS ids`, []any{n}
	}
	var err error
	if lock {
		// Locking the row by moving it one on: a ticket is about to take
		// that number, and a lone ticket needs no second write.
		err = tx.getAside(ctx, &row, `UPDATE projects SET ticket_seq = ticket_seq + 1 WHERE id = ? RETURNING ticket_seq, key, `+ids,
			append([]any{projectID}, args...)...)
	} else {
		err = tx.getAside(ctx, &row, `SELECT 0 AS ticket_seq, '' AS key, `+ids, args...)
	}
	if err != nil {
		if err = notFound("Customer", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return err
		}
		return fmt.Errorf("store: unable to number a ticket: %w", err)
	}
	if lock {
		tx.queue.counters[projectID] = &counter{seq: row.Seq - 1, written: row.Seq, key: row.Key}
	}
	tx.queue.ids = append(tx.queue.ids, row.IDs...)
	return nil
}

// queuedTickets writes the queued tickets and moves their customers'
// counters, as two parts of the flush.
func (tx *Tx) queuedTickets() []*queuedWrite {
	n := len(tx.queue.tickets)
	if n == 0 {
		return nil
	}
	writes := []*queuedWrite{tx.queuedTicketRows(), tx.queuedCounters()}
	tx.queue.tickets = nil
	return writes
}

// queuedTicketRows inserts the queued tickets: a lone one as plain values,
// several as one array per column (PostgreSQL parses arrays, which costs
// more for one row than it saves).
func (tx *Tx) queuedTicketRows() *queuedWrite {
	n := len(tx.queue.tickets)
	insert := `INSERT INTO tickets (id, project_id, number, ` + ticketInsertCols + `) `
	if n == 1 {
		vals := tx.queue.tickets[0]
		return &queuedWrite{what: "tickets", n: 1, args: vals, query: insert + `VALUES (` + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + `)`}
	}
	// One array per column, cast to the column's type.
	marks := make([]string, len(ticketColTypes))
	args := make([]any, len(ticketColTypes))
	for c, typ := range ticketColTypes {
		col := make([]any, n)
		for r, vals := range tx.queue.tickets {
			col[r] = vals[c]
		}
		marks[c], args[c] = "?::"+typ+"[]", pq.GenericArray{A: col}
	}
	return &queuedWrite{what: "tickets", n: n, args: args, query: insert + `SELECT * FROM unnest(` + strings.Join(marks, ", ") + `)`}
}

// queuedCounters moves the counters of the customers that got tickets.
func (tx *Tx) queuedCounters() *queuedWrite {
	var ids, seqs []int64
	for id, c := range tx.queue.counters {
		if c.seq != c.written {
			ids, seqs, c.written = append(ids, id), append(seqs, c.seq), c.seq
		}
	}
	switch len(ids) {
	case 0: // each customer's only ticket took the number its lock moved to
		return nil
	case 1:
		return &queuedWrite{what: "ticket counters", n: 1, args: []any{seqs[0], ids[0]},
			query: `UPDATE projects SET ticket_seq = ? WHERE id = ?`}
	}
	return &queuedWrite{what: "ticket counters", n: len(ids), args: []any{pq.Array(ids), pq.Array(seqs)},
		query: `UPDATE projects SET ticket_seq = v.seq FROM unnest(?::bigint[], ?::bigint[]) AS v(id, seq) WHERE projects.id = v.id`}
}

// ticketColTypes are the types of id, project_id, number and the columns
// of ticketInsertCols, in order.
var ticketColTypes = []string{"bigint", "bigint", "bigint",
	"text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text",
	"text", "text", "text", "text", "text", "text", "text", "timestamptz",
	"text", "timestamptz", "timestamptz", "timestamptz", "timestamptz", "timestamptz", "text",
	"timestamptz", "timestamptz", "boolean"}

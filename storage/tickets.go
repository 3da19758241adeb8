package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// ticketRow carries the custom fields as the JSON text they are stored as.
type ticketRow struct {
	domain.Ticket
	FieldsJSON string `db:"fields_json"`
}

const ticketCols = `t.id, t.customer_id, ` + keyPrefixOf + ` AS customer_key, ` + keyNumberOf + ` AS number, t.title, t.description, t.type,
	t.status, t.priority, t.severity, t.requester_id, t.requester_email, t.requester_name,
	t.assignee_id, t.version, t.fields AS fields_json, t.source, t.source_ref, t.slack_channel,
	t.slack_ts, t.slack_thread_ts, t.email_thread, t.sla_policy, t.sla_due_at, t.created_by, t.created_at,
	t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, t.sla_deadline_at, t.due_at, t.due_public`

const ticketFrom = ` FROM tickets t JOIN customers p ON p.id = t.customer_id`

// A ticket's key is its customer's key and its number, unless it moved
// to another customer: then it keeps the key it had (key_prefix,
// key_number; migration 00009), so nothing people have seen is renumbered.
const (
	keyPrefixOf = `CASE WHEN t.key_prefix <> '' THEN t.key_prefix ELSE p.key END`
	keyNumberOf = `CASE WHEN t.key_prefix <> '' THEN t.key_number ELSE t.number END`
	// keyIs matches a key given as prefix and number twice.
	keyIs = `((t.key_prefix = '' AND p.key = ? AND t.number = ?) OR (t.key_prefix = ? AND t.key_number = ?))`
)

func fieldsJSON(f domain.Fields) (string, error) {
	if len(f) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(f)
	return string(b), err
}

func (r *ticketRow) ticket() (*domain.Ticket, error) {
	t := r.Ticket
	if r.FieldsJSON != "" && r.FieldsJSON != "{}" {
		if err := json.Unmarshal([]byte(r.FieldsJSON), &t.Fields); err != nil {
			return nil, fmt.Errorf("store: ticket %d has unreadable fields: %w", t.ID, err)
		}
	}
	return &t, nil
}

// CreateTicket takes the customer's next number and inserts the ticket.
// The counter row is locked until the transaction ends, so concurrent
// creations queue on it, and a rolled-back creation gives its number back:
// keys have no gaps and no duplicates.
func (tx *Tx) CreateTicket(ctx context.Context, t *domain.Ticket) error {
	t.CreatedAt, t.UpdatedAt = tx.now, tx.now
	fields, err := fieldsJSON(t.Fields)
	if err != nil {
		return fmt.Errorf("store: unable to encode fields: %w", err)
	}
	// Every column but customer_id and number, which come from the counter.
	vals := []any{t.Title, t.Description, t.Type, t.Status, t.Priority, t.Severity,
		t.RequesterID, t.RequesterEmail, t.RequesterName, t.AssigneeID, t.Version, fields,
		t.Source, t.SourceRef, t.SlackChannel, t.SlackTS, t.SlackThreadTS, t.EmailThread, t.SLAPolicy, tsp(t.SLADueAt),
		t.CreatedBy, t.CreatedAt, t.UpdatedAt, tsp(t.FirstResponseAt), tsp(t.ResolvedAt), tsp(t.ClosedAt),
		query.VersionKey(t.Version), tsp(t.SLADeadline), tsp(t.DueAt), t.DuePublic}
	var row struct {
		ID     int64  `db:"id"`
		Number int64  `db:"number"`
		Key    string `db:"key"`
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")
	insert := `INSERT INTO tickets (customer_id, number, ` + ticketInsertCols + `) `
	if tx.d.dialect == Postgres {
		// One round trip instead of two (SQLite has no UPDATE in a WITH);
		// no customer, no row: not found. The values are checked against
		// the plain INSERT, whose text names their columns.
		if err := tx.checkArgs(insert+`VALUES (?,?,`+marks+`)`, append([]any{t.CustomerID, 0}, vals...)); err != nil {
			return err
		}
		err = tx.get(ctx, &row, `WITH c AS (UPDATE customers SET ticket_seq = ticket_seq + 1 WHERE id = ? RETURNING id, ticket_seq, key) `+
			insert+`SELECT c.id, c.ticket_seq, `+marks+` FROM c RETURNING id, number, (SELECT key FROM c) AS key`,
			append([]any{t.CustomerID}, vals...)...)
	} else {
		err = tx.get(ctx, &row, `UPDATE customers SET ticket_seq = ticket_seq + 1 WHERE id = ? RETURNING ticket_seq AS number, key`, t.CustomerID)
		if err == nil {
			row.ID, err = tx.insert(ctx, insert+`VALUES (?,?,`+marks+`)`, append([]any{t.CustomerID, row.Number}, vals...)...)
		}
	}
	if err != nil {
		if err = notFound("Customer", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return err
		}
		return fmt.Errorf("store: unable to create ticket: %w", err)
	}
	t.ID, t.Number, t.CustomerKey = row.ID, row.Number, row.Key
	return nil
}

const ticketInsertCols = `title, description, type, status,
	priority, severity, requester_id, requester_email, requester_name, assignee_id, version, fields,
	source, source_ref, slack_channel, slack_ts, slack_thread_ts, email_thread, sla_policy, sla_due_at,
	created_by, created_at, updated_at, first_response_at, resolved_at, closed_at, version_key,
	sla_deadline_at, due_at, due_public`

// UpdateTicket saves every mutable column of a ticket.
func (tx *Tx) UpdateTicket(ctx context.Context, t *domain.Ticket) error {
	t.UpdatedAt = tx.now
	fields, err := fieldsJSON(t.Fields)
	if err != nil {
		return fmt.Errorf("store: unable to encode fields: %w", err)
	}
	_, err = tx.exec(ctx, `UPDATE tickets SET title=?, description=?, type=?, status=?, priority=?,
		severity=?, requester_id=?, requester_email=?, requester_name=?, assignee_id=?, version=?,
		fields=?, slack_channel=?, slack_ts=?, slack_thread_ts=?, email_thread=?, sla_policy=?, sla_due_at=?,
		updated_at=?, first_response_at=?, resolved_at=?, closed_at=?, version_key=?, sla_deadline_at=?, due_at=?,
		due_public=? WHERE id=?`,
		t.Title, t.Description, t.Type, t.Status, t.Priority, t.Severity, t.RequesterID,
		t.RequesterEmail, t.RequesterName, t.AssigneeID, t.Version, fields, t.SlackChannel, t.SlackTS,
		t.SlackThreadTS, t.EmailThread, t.SLAPolicy, tsp(t.SLADueAt), t.UpdatedAt, tsp(t.FirstResponseAt),
		tsp(t.ResolvedAt), tsp(t.ClosedAt), query.VersionKey(t.Version), tsp(t.SLADeadline), tsp(t.DueAt), t.DuePublic, t.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update ticket %s: %w", t.Key(), err)
	}
	return nil
}

// SetTicketCard records where a ticket's card is, and nothing else.
func (tx *Tx) SetTicketCard(ctx context.Context, ticketID int64, channel, ts, threadTS string) error {
	res, err := tx.exec(ctx, `UPDATE tickets SET slack_channel = ?, slack_ts = ?, slack_thread_ts = ? WHERE id = ?`,
		channel, ts, threadTS, ticketID)
	if err != nil {
		return fmt.Errorf("store: unable to record the card of ticket %d: %w", ticketID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	}
	return nil
}

// selectTickets runs a query of ticketCols and returns its tickets in
// its order; what says what the query is for in its error.
func (tx *Tx) selectTickets(ctx context.Context, what, q string, args ...any) ([]*domain.Ticket, error) {
	var rows []*ticketRow
	if err := tx.selectAll(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: unable to %s: %w", what, err)
	}
	out := make([]*domain.Ticket, 0, len(rows))
	for _, r := range rows {
		t, err := r.ticket()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (tx *Tx) ticket(ctx context.Context, what, where string, args ...any) (*domain.Ticket, error) {
	var r ticketRow
	lock := tx.forUpdate()
	if lock != "" {
		lock = " FOR UPDATE OF t"
	}
	scope, sargs := tx.scoped("t.customer_id")
	err := tx.get(ctx, &r, `SELECT `+ticketCols+ticketFrom+` WHERE `+where+scope+lock, append(args, sargs...)...)
	if err != nil {
		if err = notFound(what, err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read ticket: %w", err)
	}
	return r.ticket()
}

// Ticket reads a ticket by ID; in an Update it locks the ticket.
func (tx *Tx) Ticket(ctx context.Context, id int64) (*domain.Ticket, error) {
	return tx.ticket(ctx, "Ticket", "t.id = ?", id)
}

// TicketByKey reads a ticket by key (ACME-42); in an Update it locks the ticket.
func (tx *Tx) TicketByKey(ctx context.Context, key string) (*domain.Ticket, error) {
	customer, number, err := domain.ParseKey(key)
	if err != nil {
		return nil, err
	}
	return tx.ticket(ctx, "Ticket "+domain.FormatKey(customer, number), keyIs, customer, number, customer, number)
}

// TicketByCard finds the ticket whose card is this Slack message.
func (tx *Tx) TicketByCard(ctx context.Context, channel, msgTS string) (*domain.Ticket, error) {
	return tx.ticket(ctx, "Ticket for this message", "t.slack_channel = ? AND t.slack_ts = ?", channel, msgTS)
}

// TicketByThread finds the ticket whose conversation runs in this Slack thread.
func (tx *Tx) TicketByThread(ctx context.Context, channel, threadTS string) (*domain.Ticket, error) {
	return tx.ticket(ctx, "Ticket for this thread", "t.slack_channel = ? AND t.slack_thread_ts = ?", channel, threadTS)
}

func (tx *Tx) ticketWhere(f domain.TicketFilter) (string, []any) {
	var conds []string
	var args []any
	if tx.scope.Customer {
		conds, args = append(conds, "t.customer_id = ?"), append(args, tx.scope.CustomerID)
	}
	if f.CustomerID != 0 {
		conds, args = append(conds, "t.customer_id = ?"), append(args, f.CustomerID)
	}
	if f.AssigneeID != nil {
		conds, args = append(conds, "t.assignee_id = ?"), append(args, *f.AssigneeID)
	}
	if f.RequesterID != "" {
		conds, args = append(conds, "t.requester_id = ?"), append(args, f.RequesterID)
	}
	if len(f.Statuses) > 0 {
		in, a := inList(f.Statuses)
		conds, args = append(conds, "t.status IN "+in), append(args, a...)
	}
	if len(f.Priorities) > 0 {
		in, a := inList(f.Priorities)
		conds, args = append(conds, "t.priority IN "+in), append(args, a...)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// FindTickets lists tickets, newest first.
func (tx *Tx) FindTickets(ctx context.Context, f domain.TicketFilter) ([]*domain.Ticket, error) {
	where, args := tx.ticketWhere(f)
	q := `SELECT ` + ticketCols + ticketFrom + where + ` ORDER BY t.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	return tx.selectTickets(ctx, "find tickets", q, args...)
}

// CountTickets counts what FindTickets would list without a limit.
func (tx *Tx) CountTickets(ctx context.Context, f domain.TicketFilter) (int, error) {
	where, args := tx.ticketWhere(f)
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM tickets t`+where, args...); err != nil {
		return 0, fmt.Errorf("store: unable to count tickets: %w", err)
	}
	return n, nil
}

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// timeRowQuery reads entries with their tickets. A month of one customer
// is a range on time_entries_customer_period. An entry's customer is always
// its ticket's (MoveTicket moves the entries too); saying so in the join
// lets the planner read only that customer's tickets instead of hashing
// every ticket there is.
const timeRowQuery = `SELECT e.id, e.ticket_id, e.user_id, e.started_at, e.ended_at, e.seconds, e.billable,
	e.note, e.source, e.created_at, e.updated_at, e.deleted_at, e.deleted_by, e.reminded_at, e.remind_at,
	` + keyPrefixOf + ` AS customer_key, ` + keyNumberOf + ` AS ticket_number, t.title AS ticket_title, t.type AS ticket_type
	FROM time_entries e JOIN tickets t ON t.id = e.ticket_id AND t.customer_id = e.customer_id
	JOIN customers p ON p.id = e.customer_id
	WHERE `

// TimeRows lists entries with their tickets' keys, titles and types, by start time.
func (tx *Tx) TimeRows(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeRow, error) {
	where, args := timeWhere(f, "e.")
	scope, sargs := tx.scoped("e.customer_id")
	where, args = where+scope, append(args, sargs...)
	var rows []*domain.TimeRow
	if err := tx.selectAll(ctx, &rows, timeRowQuery+where+" ORDER BY e.started_at, e.id", args...); err != nil {
		return nil, fmt.Errorf("store: unable to list time rows: %w", err)
	}
	return rows, nil
}

const lockCols = `id, customer_id, period, period_start, period_end, locked_by, locked_at,
	entries, seconds, billed_seconds, amount`

// AddBillingLock locks a customer's period.
func (tx *Tx) AddBillingLock(ctx context.Context, l *domain.BillingLock) error {
	l.LockedAt = tx.now
	l.Start, l.End = ts(l.Start), ts(l.End)
	id, err := tx.insert(ctx, `INSERT INTO billing_locks (customer_id, period, period_start, period_end, locked_by, locked_at,
		entries, seconds, billed_seconds, amount) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		l.CustomerID, l.Period, l.Start, l.End, l.LockedBy, l.LockedAt, l.Entries, l.Seconds, l.BilledSeconds, l.Amount)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "%s is already locked.", l.Period)
	} else if err != nil {
		return fmt.Errorf("store: unable to lock billing period: %w", err)
	}
	l.ID = id
	return nil
}

// DeleteBillingLock unlocks the customer's period that starts at start.
func (tx *Tx) DeleteBillingLock(ctx context.Context, customerID int64, start time.Time) error {
	res, err := tx.exec(ctx, `DELETE FROM billing_locks WHERE customer_id = ? AND period_start = ?`, customerID, ts(start))
	if err != nil {
		return fmt.Errorf("store: unable to unlock billing period: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "That period is not locked.")
	}
	return nil
}

// BillingLockAt returns the lock covering an instant, if any.
func (tx *Tx) BillingLockAt(ctx context.Context, customerID int64, at time.Time) (*domain.BillingLock, error) {
	var l domain.BillingLock
	scope, sargs := tx.scoped("customer_id")
	err := tx.get(ctx, &l, `SELECT `+lockCols+` FROM billing_locks WHERE customer_id = ? AND period_start <= ?
		AND period_end > ?`+scope+` ORDER BY period_start DESC LIMIT 1`, append([]any{customerID, ts(at), ts(at)}, sargs...)...)
	if err != nil {
		if err = notFound("Billing lock", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read billing lock: %w", err)
	}
	return &l, nil
}

// BillingLocks lists a customer's locks overlapping [from, to); zero bounds are open.
func (tx *Tx) BillingLocks(ctx context.Context, customerID int64, from, to time.Time) ([]*domain.BillingLock, error) {
	scope, sargs := tx.scoped("customer_id")
	q, args := `SELECT `+lockCols+` FROM billing_locks WHERE customer_id = ?`+scope, append([]any{customerID}, sargs...)
	if !from.IsZero() {
		q, args = q+" AND period_end > ?", append(args, ts(from))
	}
	if !to.IsZero() {
		q, args = q+" AND period_start < ?", append(args, ts(to))
	}
	var ls []*domain.BillingLock
	if err := tx.selectAll(ctx, &ls, q+" ORDER BY period_start", args...); err != nil {
		return nil, fmt.Errorf("store: unable to list billing locks: %w", err)
	}
	return ls, nil
}

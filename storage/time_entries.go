package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

const timeCols = `id, ticket_id, user_id, started_at, ended_at, seconds, billable, note, source, created_at, updated_at,
	deleted_at, deleted_by, reminded_at, remind_at`

// CreateTimeEntry inserts an entry; a second running timer for the same
// person is refused by a unique index, so no race can leave two.
func (tx *Tx) CreateTimeEntry(ctx context.Context, e *domain.TimeEntry) error {
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	e.StartedAt = ts(e.StartedAt)
	e.EndedAt = tsp(e.EndedAt)
	id, err := tx.insert(ctx, `INSERT INTO time_entries (ticket_id, customer_id, user_id, started_at, ended_at,
		seconds, billable, note, source, created_at, updated_at)
		SELECT ?, customer_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tickets WHERE id = ?`,
		e.TicketID, e.UserID, e.StartedAt, e.EndedAt, e.Seconds, e.Billable, e.Note, e.Source,
		e.CreatedAt, e.UpdatedAt, e.TicketID)
	switch {
	case isUniqueViolation(err):
		return domain.Errorf(domain.ECONFLICT, "You already have a timer running.")
	case errors.Is(err, sql.ErrNoRows):
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	case err != nil:
		return fmt.Errorf("store: unable to create time entry: %w", err)
	}
	e.ID = id
	return nil
}

// UpdateTimeEntry saves an entry (stopping a timer, an edit).
func (tx *Tx) UpdateTimeEntry(ctx context.Context, e *domain.TimeEntry) error {
	e.UpdatedAt = tx.now
	e.StartedAt = ts(e.StartedAt)
	e.EndedAt = tsp(e.EndedAt)
	// The customer follows the ticket, so an entry moved to another
	// customer's ticket bills to that customer.
	_, err := tx.exec(ctx, `UPDATE time_entries SET ticket_id=?, customer_id=(SELECT customer_id FROM tickets WHERE id=?),
		started_at=?, ended_at=?, seconds=?, billable=?, note=?, updated_at=? WHERE id=?`,
		e.TicketID, e.TicketID, e.StartedAt, e.EndedAt, e.Seconds, e.Billable, e.Note, e.UpdatedAt, e.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update time entry: %w", err)
	}
	return nil
}

// TimeEntry reads one entry.
func (tx *Tx) TimeEntry(ctx context.Context, id int64) (*domain.TimeEntry, error) {
	var e domain.TimeEntry
	scope, sargs := tx.scoped("customer_id")
	err := tx.get(ctx, &e, `SELECT `+timeCols+` FROM time_entries WHERE id = ?`+scope+tx.forUpdate(), append([]any{id}, sargs...)...)
	if err != nil {
		if err = notFound("Time entry", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read time entry: %w", err)
	}
	return &e, nil
}

// RunningTimer returns the person's running timer, or a not-found error.
func (tx *Tx) RunningTimer(ctx context.Context, userID string) (*domain.TimeEntry, error) {
	var e domain.TimeEntry
	scope, sargs := tx.scoped("customer_id")
	err := tx.get(ctx, &e, `SELECT `+timeCols+` FROM time_entries WHERE user_id = ? AND ended_at IS NULL AND deleted_at IS NULL`+scope+tx.forUpdate(),
		append([]any{userID}, sargs...)...)
	if err != nil {
		if err = notFound("Running timer", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read running timer: %w", err)
	}
	return &e, nil
}

// TimeEntries lists entries by start time, leaving out deleted ones.
func (tx *Tx) TimeEntries(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeEntry, error) {
	where, args := timeWhere(f, "")
	scope, sargs := tx.scoped("customer_id")
	where, args = where+scope, append(args, sargs...)
	var es []*domain.TimeEntry
	if err := tx.selectAll(ctx, &es, `SELECT `+timeCols+` FROM time_entries WHERE `+where+" ORDER BY started_at, id", args...); err != nil {
		return nil, fmt.Errorf("store: unable to list time entries: %w", err)
	}
	return es, nil
}

// timeWhere turns a filter into conditions on time_entries, its columns
// qualified by prefix ("e." in joins).
func timeWhere(f domain.TimeFilter, prefix string) (string, []any) {
	conds := []string{prefix + "deleted_at IS NULL"}
	var args []any
	add := func(c string, a any) { conds, args = append(conds, prefix+c), append(args, a) }
	if f.TicketID != 0 {
		add("ticket_id = ?", f.TicketID)
	}
	if f.CustomerID != 0 {
		add("customer_id = ?", f.CustomerID)
	}
	if f.UserID != "" {
		add("user_id = ?", f.UserID)
	}
	if !f.From.IsZero() {
		add("started_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		add("started_at < ?", ts(f.To))
	}
	if f.Running != nil {
		if *f.Running {
			conds = append(conds, prefix+"ended_at IS NULL")
		} else {
			conds = append(conds, prefix+"ended_at IS NOT NULL")
		}
	}
	return strings.Join(conds, " AND "), args
}

// DeleteTimeEntry marks an entry deleted by someone.
func (tx *Tx) DeleteTimeEntry(ctx context.Context, id int64, by string) error {
	_, err := tx.exec(ctx, `UPDATE time_entries SET deleted_at=?, deleted_by=?, updated_at=? WHERE id=?`, tx.now, by, tx.now, id)
	if err != nil {
		return fmt.Errorf("store: unable to delete time entry: %w", err)
	}
	return nil
}

// StaleTimers locks running timers started at or before a time, oldest first.
func (tx *Tx) StaleTimers(ctx context.Context, startedBefore time.Time, limit int) ([]*domain.TimeEntry, error) {
	var es []*domain.TimeEntry
	err := tx.selectAll(ctx, &es, `SELECT `+timeCols+` FROM time_entries WHERE ended_at IS NULL AND deleted_at IS NULL
		AND started_at <= ? ORDER BY started_at, id LIMIT ?`+tx.skipLocked(), ts(startedBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list stale timers: %w", err)
	}
	return es, nil
}

// DueTimerReminders locks running timers whose reminder is due, oldest first.
func (tx *Tx) DueTimerReminders(ctx context.Context, startedBefore time.Time, limit int) ([]*domain.TimeEntry, error) {
	var es []*domain.TimeEntry
	err := tx.selectAll(ctx, &es, `SELECT `+timeCols+` FROM time_entries WHERE ended_at IS NULL AND deleted_at IS NULL
		AND ((remind_at IS NULL AND reminded_at IS NULL AND started_at <= ?) OR remind_at <= ?)
		ORDER BY started_at, id LIMIT ?`+tx.skipLocked(), ts(startedBefore), tx.now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list due timer reminders: %w", err)
	}
	return es, nil
}

// SetTimerReminder records when a reminder went out and when the next is due.
func (tx *Tx) SetTimerReminder(ctx context.Context, id int64, remindedAt, remindAt *time.Time) error {
	_, err := tx.exec(ctx, `UPDATE time_entries SET reminded_at=?, remind_at=?, updated_at=? WHERE id=?`,
		tsp(remindedAt), tsp(remindAt), tx.now, id)
	if err != nil {
		return fmt.Errorf("store: unable to record timer reminder: %w", err)
	}
	return nil
}

// skipLocked locks the rows a write transaction reads on PostgreSQL and
// passes over rows another transaction holds, so two replicas scanning
// at once each take different rows; SQLite has one writer anyway.
func (tx *Tx) skipLocked() string {
	if tx.write && tx.d.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const timeCols = `id, ticket_id, user_id, started_at, ended_at, seconds, billable, note, source, created_at, updated_at`

// CreateTimeEntry inserts an entry; a second running timer for the same
// person is refused by a unique index, so no race can leave two.
func (tx *Tx) CreateTimeEntry(ctx context.Context, e *domain.TimeEntry) error {
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	e.StartedAt = ts(e.StartedAt)
	e.EndedAt = tsp(e.EndedAt)
	id, err := tx.insert(ctx, `INSERT INTO time_entries (ticket_id, project_id, user_id, started_at, ended_at,
		seconds, billable, note, source, created_at, updated_at)
		SELECT ?, project_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tickets WHERE id = ?`,
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
	_, err := tx.exec(ctx, `UPDATE time_entries SET started_at=?, ended_at=?, seconds=?, billable=?, note=?,
		updated_at=? WHERE id=?`, e.StartedAt, e.EndedAt, e.Seconds, e.Billable, e.Note, e.UpdatedAt, e.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update time entry: %w", err)
	}
	return nil
}

// TimeEntry reads one entry.
func (tx *Tx) TimeEntry(ctx context.Context, id int64) (*domain.TimeEntry, error) {
	var e domain.TimeEntry
	err := tx.get(ctx, &e, `SELECT `+timeCols+` FROM time_entries WHERE id = ?`+tx.forUpdate(), id)
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
	err := tx.get(ctx, &e, `SELECT `+timeCols+` FROM time_entries WHERE user_id = ? AND ended_at IS NULL`+tx.forUpdate(), userID)
	if err != nil {
		if err = notFound("Running timer", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read running timer: %w", err)
	}
	return &e, nil
}

// TimeEntries lists entries by start time.
func (tx *Tx) TimeEntries(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeEntry, error) {
	var conds []string
	var args []any
	add := func(c string, a any) { conds, args = append(conds, c), append(args, a) }
	if f.TicketID != 0 {
		add("ticket_id = ?", f.TicketID)
	}
	if f.ProjectID != 0 {
		add("project_id = ?", f.ProjectID)
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
			conds = append(conds, "ended_at IS NULL")
		} else {
			conds = append(conds, "ended_at IS NOT NULL")
		}
	}
	q := `SELECT ` + timeCols + ` FROM time_entries`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	var es []*domain.TimeEntry
	if err := tx.sel(ctx, &es, q+" ORDER BY started_at, id", args...); err != nil {
		return nil, fmt.Errorf("store: unable to list time entries: %w", err)
	}
	return es, nil
}

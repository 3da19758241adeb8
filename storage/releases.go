package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// AddRelease records a release; one already recorded is no change.
func (tx *Tx) AddRelease(ctx context.Context, r *domain.Release) (bool, error) {
	if r.ReleasedAt.IsZero() {
		r.ReleasedAt = tx.now
	}
	res, err := tx.exec(ctx, `INSERT INTO releases (version, released_at, recorded_by) VALUES (?,?,?)
		ON CONFLICT (version) DO NOTHING`, r.Version, ts(r.ReleasedAt), r.RecordedBy)
	if err != nil {
		return false, fmt.Errorf("store: unable to record release: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Releases lists the recorded releases in the order they shipped.
func (tx *Tx) Releases(ctx context.Context) ([]*domain.Release, error) {
	var out []*domain.Release
	if err := tx.selectAll(ctx, &out, `SELECT id, version, released_at, recorded_by FROM releases ORDER BY released_at, id`); err != nil {
		return nil, fmt.Errorf("store: unable to list releases: %w", err)
	}
	return out, nil
}

// VersionTickets reads three columns of the tickets a version report
// counts: those created since from, and those in statuses.
func (tx *Tx) VersionTickets(ctx context.Context, from time.Time, statuses []string) ([]*domain.VersionTicket, error) {
	where, args := "t.created_at >= ?", []any{ts(from)}
	if len(statuses) > 0 {
		in, a := inList(statuses)
		where += " OR t.status IN " + in
		args = append(args, a...)
	}
	scope, sargs := tx.scoped("t.customer_id")
	var out []*domain.VersionTicket
	if err := tx.selectAll(ctx, &out, `SELECT t.version, t.status, t.created_at FROM tickets t WHERE (`+where+`)`+scope, append(args, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to read ticket versions: %w", err)
	}
	return out, nil
}

// SaveSurveyAnswer records an answer; the respondent's later answer replaces the earlier.
func (tx *Tx) SaveSurveyAnswer(ctx context.Context, a *domain.SurveyAnswer) error {
	a.AnsweredAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO survey_answers (ticket_id, customer_id, respondent, rating, answered_at)
		VALUES (?,?,?,?,?) ON CONFLICT (ticket_id, respondent) DO UPDATE SET rating = excluded.rating,
		answered_at = excluded.answered_at`, a.TicketID, a.CustomerID, a.Respondent, a.Rating, a.AnsweredAt)
	if err != nil {
		return fmt.Errorf("store: unable to save survey answer: %w", err)
	}
	return nil
}

// SurveySummary counts and averages a customer's answers (everyone's for 0).
func (tx *Tx) SurveySummary(ctx context.Context, customerID int64) (domain.SurveySummary, error) {
	var s domain.SurveySummary
	q := `SELECT COUNT(*) AS n, COALESCE(AVG(rating * 1.0), 0) AS avg FROM survey_answers`
	var args []any
	if tx.scope.Customer {
		customerID = tx.scope.CustomerID
	}
	if customerID != 0 || tx.scope.Customer {
		q += ` WHERE customer_id = ?`
		args = append(args, customerID)
	}
	if err := tx.get(ctx, &s, q, args...); err != nil {
		return s, fmt.Errorf("store: unable to sum up survey answers: %w", err)
	}
	return s, nil
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

const issueCols = `i.id, i.tracker, i.repo, i.number, i.url, i.title, i.state, i.milestone, i.labels, i.checked_at`

// SaveIssue inserts an issue, or updates the one with its reference, and
// sets i.ID. Either way it was checked now.
func (tx *Tx) SaveIssue(ctx context.Context, i *domain.TrackerIssue) error {
	i.CheckedAt = tx.now
	err := tx.get(ctx, &i.ID, `INSERT INTO tracker_issues (tracker, repo, number, url, title, state, milestone, labels, created_at, checked_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (tracker, repo, number) DO UPDATE SET url = excluded.url, title = excluded.title, state = excluded.state,
			milestone = excluded.milestone, labels = excluded.labels, checked_at = excluded.checked_at
		RETURNING id`, i.Tracker, i.Repo, i.Number, i.URL, i.Title, i.State, i.Milestone, i.Labels, ts(tx.now), ts(tx.now))
	if err != nil {
		return fmt.Errorf("store: unable to save tracker issue: %w", err)
	}
	return nil
}

// IssueByRef finds an issue by its tracker, repository and number.
func (tx *Tx) IssueByRef(ctx context.Context, tracker, repo string, number int64) (*domain.TrackerIssue, error) {
	var i domain.TrackerIssue
	err := tx.get(ctx, &i, `SELECT `+issueCols+`, 0 AS waiting FROM tracker_issues i WHERE i.tracker = ? AND i.repo = ? AND i.number = ?`,
		tracker, repo, number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No ticket is linked to %s.", domain.FormatIssueRef(repo, number))
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read tracker issue: %w", err)
	}
	return &i, nil
}

// LinkIssue ties a ticket to an issue; false when it already was.
func (tx *Tx) LinkIssue(ctx context.Context, ticketID, issueID int64, by string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO ticket_issues (ticket_id, issue_id, linked_by, linked_at) VALUES (?,?,?,?)
		ON CONFLICT (ticket_id, issue_id) DO NOTHING`, ticketID, issueID, by, ts(tx.now))
	if err != nil {
		return false, fmt.Errorf("store: unable to link issue: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unable to link issue: %w", err)
	}
	return n == 1, nil
}

// TicketIssues lists each ticket's issues with the number of customers
// whose unresolved tickets wait on it. Customers never read them.
func (tx *Tx) TicketIssues(ctx context.Context, ticketIDs []int64) (map[int64][]*domain.TrackerIssue, error) {
	out := map[int64][]*domain.TrackerIssue{}
	if len(ticketIDs) == 0 || tx.scope.Customer {
		return out, nil
	}
	in, arg := tx.idsIn("ti.ticket_id", ticketIDs)
	var rows []struct {
		TicketID int64 `db:"ticket_id"`
		domain.TrackerIssue
	}
	err := tx.selectAll(ctx, &rows, `SELECT ti.ticket_id, `+issueCols+`,
		(SELECT COUNT(DISTINCT t.customer_id) FROM ticket_issues w JOIN tickets t ON t.id = w.ticket_id
			WHERE w.issue_id = i.id AND t.resolved_at IS NULL) AS waiting
		FROM ticket_issues ti JOIN tracker_issues i ON i.id = ti.issue_id
		WHERE `+in+` ORDER BY ti.linked_at, i.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list linked issues: %w", err)
	}
	for _, r := range rows {
		i := r.TrackerIssue
		out[r.TicketID] = append(out[r.TicketID], &i)
	}
	return out, nil
}

// IssueTicketIDs lists the tickets linked to an issue, oldest link first.
func (tx *Tx) IssueTicketIDs(ctx context.Context, issueID int64) ([]int64, error) {
	var ids []int64
	if err := tx.selectAll(ctx, &ids, `SELECT ticket_id FROM ticket_issues WHERE issue_id = ? ORDER BY linked_at, ticket_id`, issueID); err != nil {
		return nil, fmt.Errorf("store: unable to list linked tickets: %w", err)
	}
	return ids, nil
}

// OpenLinkedIssues lists issues some unresolved ticket waits on, least
// recently checked first.
func (tx *Tx) OpenLinkedIssues(ctx context.Context, limit int) ([]*domain.TrackerIssue, error) {
	var out []*domain.TrackerIssue
	err := tx.selectAll(ctx, &out, `SELECT `+issueCols+`, 0 AS waiting FROM tracker_issues i
		WHERE EXISTS (SELECT 1 FROM ticket_issues ti JOIN tickets t ON t.id = ti.ticket_id
			WHERE ti.issue_id = i.id AND t.resolved_at IS NULL)
		ORDER BY i.checked_at, i.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list linked issues: %w", err)
	}
	return out, nil
}

package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

// mergeChunk bounds the ids of one UPDATE … IN (…): both databases take
// far more parameters, and a long list is one statement per chunk.
const mergeChunk = 500

// MergeTickets moves the source's rows into the target and records the merge.
func (tx *Tx) MergeTickets(ctx context.Context, m *domain.Merge, targetCustomerID int64) error {
	src, dst := m.SourceID, m.TargetID
	mv := &m.Moved
	var err error
	// A comment whose source message is already on the target (one mail
	// sent to both tickets) stays: the target has it.
	if mv.Comments, err = tx.ids(ctx, `SELECT id FROM comments c WHERE ticket_id = ? AND (source_ref = '' OR NOT EXISTS
		(SELECT 1 FROM comments o WHERE o.ticket_id = ? AND o.source_ref = c.source_ref)) ORDER BY id`, src, dst); err != nil {
		return fmt.Errorf("store: unable to list comments to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE comments SET ticket_id = ?, merged_from = ? WHERE id IN `, mv.Comments, dst, src); err != nil {
		return fmt.Errorf("store: unable to merge comments: %w", err)
	}
	if mv.TimeEntries, err = tx.ids(ctx, `SELECT id FROM time_entries WHERE ticket_id = ? ORDER BY id`, src); err != nil {
		return fmt.Errorf("store: unable to list time entries to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE time_entries SET ticket_id = ?, customer_id = ? WHERE id IN `, mv.TimeEntries, dst, targetCustomerID); err != nil {
		return fmt.Errorf("store: unable to merge time entries: %w", err)
	}
	if mv.Attachments, err = tx.ids(ctx, `SELECT id FROM attachments WHERE ticket_id = ? ORDER BY id`, src); err != nil {
		return fmt.Errorf("store: unable to list attachments to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE attachments SET ticket_id = ? WHERE id IN `, mv.Attachments, dst); err != nil {
		return fmt.Errorf("store: unable to merge attachments: %w", err)
	}
	if mv.Messages, err = tx.ids(ctx, `SELECT id FROM ticket_messages WHERE ticket_id = ? ORDER BY id`, src); err != nil {
		return fmt.Errorf("store: unable to list mails to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_messages SET ticket_id = ? WHERE id IN `, mv.Messages, dst); err != nil {
		return fmt.Errorf("store: unable to merge mail threading: %w", err)
	}
	if err := tx.selectAll(ctx, &mv.Participants, `SELECT email FROM ticket_participants p WHERE ticket_id = ? AND NOT EXISTS
		(SELECT 1 FROM ticket_participants o WHERE o.ticket_id = ? AND o.email = p.email) ORDER BY email`, src, dst); err != nil {
		return fmt.Errorf("store: unable to list participants to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_participants SET ticket_id = ? WHERE ticket_id = ? AND email IN `, mv.Participants, dst, src); err != nil {
		return fmt.Errorf("store: unable to merge participants: %w", err)
	}
	if err := tx.selectAll(ctx, &mv.Tags, `SELECT tag FROM ticket_tags s WHERE ticket_id = ? AND NOT EXISTS
		(SELECT 1 FROM ticket_tags o WHERE o.ticket_id = ? AND o.tag = s.tag) ORDER BY tag`, src, dst); err != nil {
		return fmt.Errorf("store: unable to list tags to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_tags SET ticket_id = ? WHERE ticket_id = ? AND tag IN `, mv.Tags, dst, src); err != nil {
		return fmt.Errorf("store: unable to merge tags: %w", err)
	}
	if mv.Issues, err = tx.ids(ctx, `SELECT issue_id FROM ticket_issues s WHERE ticket_id = ? AND NOT EXISTS
		(SELECT 1 FROM ticket_issues o WHERE o.ticket_id = ? AND o.issue_id = s.issue_id) ORDER BY issue_id`, src, dst); err != nil {
		return fmt.Errorf("store: unable to list engineering issues to merge: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_issues SET ticket_id = ? WHERE ticket_id = ? AND issue_id IN `, mv.Issues, dst, src); err != nil {
		return fmt.Errorf("store: unable to merge engineering issues: %w", err)
	}
	if mv.Links, err = tx.mergeLinks(ctx, src, dst); err != nil {
		return err
	}
	return tx.addMerge(ctx, m)
}

// mergeLinks re-points the source's links at the target, both ways:
// dependencies on the duplicate become dependencies on the ticket that
// goes on. A link between the two, or one the target already has, stays.
func (tx *Tx) mergeLinks(ctx context.Context, src, dst int64) ([]domain.MovedLink, error) {
	var ls []*domain.Link
	if err := tx.selectAll(ctx, &ls, `SELECT from_id, to_id, kind, created_at FROM ticket_links WHERE from_id = ? OR to_id = ? ORDER BY from_id, to_id, kind`, src, src); err != nil {
		return nil, fmt.Errorf("store: unable to list links to merge: %w", err)
	}
	var moved []domain.MovedLink
	for _, l := range ls {
		ml := domain.MovedLink{From: l.FromID, To: l.ToID, Kind: l.Kind, NewFrom: l.FromID, NewTo: l.ToID}
		if ml.NewFrom == src {
			ml.NewFrom = dst
		}
		if ml.NewTo == src {
			ml.NewTo = dst
		}
		if ml.NewFrom == ml.NewTo {
			continue
		}
		var n int
		if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM ticket_links WHERE from_id = ? AND to_id = ? AND kind = ?`, ml.NewFrom, ml.NewTo, ml.Kind); err != nil {
			return nil, fmt.Errorf("store: unable to read links: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := tx.moveLink(ctx, ml.From, ml.To, ml.NewFrom, ml.NewTo, ml.Kind); err != nil {
			return nil, err
		}
		moved = append(moved, ml)
	}
	return moved, nil
}

func (tx *Tx) moveLink(ctx context.Context, from, to, newFrom, newTo int64, kind string) error {
	if _, err := tx.exec(ctx, `UPDATE ticket_links SET from_id = ?, to_id = ? WHERE from_id = ? AND to_id = ? AND kind = ?`,
		newFrom, newTo, from, to, kind); err != nil {
		return fmt.Errorf("store: unable to move link: %w", err)
	}
	return nil
}

func (tx *Tx) addMerge(ctx context.Context, m *domain.Merge) error {
	moved, err := json.Marshal(m.Moved)
	if err != nil {
		return fmt.Errorf("store: unable to encode merge: %w", err)
	}
	m.MergedAt = tx.now
	id, err := tx.insert(ctx, `INSERT INTO ticket_merges (source_id, target_id, merged_by, merged_at, moved) VALUES (?,?,?,?,?)`,
		m.SourceID, m.TargetID, m.MergedBy, ts(m.MergedAt), string(moved))
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "This ticket is already merged.")
	} else if err != nil {
		return fmt.Errorf("store: unable to record merge: %w", err)
	}
	m.ID = id
	return nil
}

// UndoMerge moves back what the merge moved. Rows since deleted for good
// (a ticket's cascade) are simply not there to move.
func (tx *Tx) UndoMerge(ctx context.Context, m *domain.Merge, by string) error {
	src, dst, mv := m.SourceID, m.TargetID, m.Moved
	if err := updateIDs(ctx, tx, `UPDATE comments SET ticket_id = ?, merged_from = NULL WHERE ticket_id = ? AND id IN `, mv.Comments, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge comments: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE time_entries SET ticket_id = ?, customer_id = (SELECT customer_id FROM tickets WHERE id = ?) WHERE ticket_id = ? AND id IN `,
		mv.TimeEntries, src, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge time entries: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE attachments SET ticket_id = ? WHERE ticket_id = ? AND id IN `, mv.Attachments, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge attachments: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_messages SET ticket_id = ? WHERE ticket_id = ? AND id IN `, mv.Messages, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge mail threading: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_participants SET ticket_id = ? WHERE ticket_id = ? AND email IN `, mv.Participants, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge participants: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_tags SET ticket_id = ? WHERE ticket_id = ? AND tag IN `, mv.Tags, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge tags: %w", err)
	}
	if err := updateIDs(ctx, tx, `UPDATE ticket_issues SET ticket_id = ? WHERE ticket_id = ? AND issue_id IN `, mv.Issues, src, dst); err != nil {
		return fmt.Errorf("store: unable to unmerge engineering issues: %w", err)
	}
	for _, l := range mv.Links {
		if err := tx.moveLink(ctx, l.NewFrom, l.NewTo, l.From, l.To, l.Kind); err != nil {
			return err
		}
	}
	res, err := tx.exec(ctx, `UPDATE ticket_merges SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL`, ts(tx.now), by, m.ID)
	if err != nil {
		return fmt.Errorf("store: unable to record unmerge: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.Errorf(domain.ECONFLICT, "This merge was already undone.")
	}
	now := tx.now
	m.UndoneAt, m.UndoneBy = &now, by
	return nil
}

// LiveMerge reads the merge in force of a source ticket.
func (tx *Tx) LiveMerge(ctx context.Context, sourceID int64) (*domain.Merge, error) {
	var row struct {
		domain.Merge
		Moved string `db:"moved"`
	}
	err := tx.get(ctx, &row, `SELECT id, source_id, target_id, merged_by, merged_at, moved, undone_at, undone_by
		FROM ticket_merges WHERE source_id = ? AND undone_at IS NULL`+tx.forUpdate(), sourceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "This ticket is not merged.")
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read merge: %w", err)
	}
	m := row.Merge
	if err := json.Unmarshal([]byte(row.Moved), &m.Moved); err != nil {
		return nil, fmt.Errorf("store: unable to decode merge %d: %w", m.ID, err)
	}
	return &m, nil
}

// ids reads one column of ids.
func (tx *Tx) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	var out []int64
	err := tx.selectAll(ctx, &out, q, args...)
	return out, err
}

// updateIDs runs q (ending in "IN ") over vals by chunks, args first.
func updateIDs[T any](ctx context.Context, tx *Tx, q string, vals []T, args ...any) error {
	for start := 0; start < len(vals); start += mergeChunk {
		in, inArgs := inList(vals[start:min(start+mergeChunk, len(vals))])
		if _, err := tx.exec(ctx, q+in, append(append([]any(nil), args...), inArgs...)...); err != nil {
			return err
		}
	}
	return nil
}

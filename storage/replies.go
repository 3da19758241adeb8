package storage

import (
	"context"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

const replyCols = `id, name, body, owner_id, set_status, set_priority, add_tags, set_assignee, uses, created_by, created_at, updated_at`

// SaveReply creates (ID 0) or updates a saved reply.
func (tx *Tx) SaveReply(ctx context.Context, r *domain.SavedReply) error {
	r.UpdatedAt = ts(tx.now)
	var err error
	if r.ID == 0 {
		r.CreatedAt = r.UpdatedAt
		err = tx.get(ctx, &r.ID, `INSERT INTO saved_replies (name, body, owner_id, set_status, set_priority, add_tags, set_assignee, uses, created_by, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,0,?,?,?) RETURNING id`,
			r.Name, r.Body, r.Owner, r.Status, r.Priority, r.Tags, r.Assignee, r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	} else {
		_, err = tx.exec(ctx, `UPDATE saved_replies SET name = ?, body = ?, owner_id = ?, set_status = ?, set_priority = ?, add_tags = ?,
			set_assignee = ?, updated_at = ? WHERE id = ?`, r.Name, r.Body, r.Owner, r.Status, r.Priority, r.Tags, r.Assignee, r.UpdatedAt, r.ID)
	}
	switch {
	case isUniqueViolation(err):
		return domain.FieldErrorf("name", "There is already a reply named %q; pick another name.", r.Name)
	case err != nil:
		return fmt.Errorf("store: unable to save reply: %w", err)
	}
	return nil
}

// DeleteReply deletes a saved reply.
func (tx *Tx) DeleteReply(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM saved_replies WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: unable to delete reply: %w", err)
	}
	return nil
}

// SavedReply reads one saved reply.
func (tx *Tx) SavedReply(ctx context.Context, id int64) (*domain.SavedReply, error) {
	var r domain.SavedReply
	if err := tx.get(ctx, &r, `SELECT `+replyCols+` FROM saved_replies WHERE id = ?`, id); err != nil {
		if err = notFound("Saved reply", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read reply: %w", err)
	}
	return &r, nil
}

// SavedReplies lists the shared replies and user's own, by name.
func (tx *Tx) SavedReplies(ctx context.Context, user string) ([]*domain.SavedReply, error) {
	var rs []*domain.SavedReply
	if err := tx.selectAll(ctx, &rs, `SELECT `+replyCols+` FROM saved_replies WHERE owner_id = '' OR owner_id = ?
		ORDER BY lower(name), owner_id, id`, user); err != nil {
		return nil, fmt.Errorf("store: unable to list replies: %w", err)
	}
	return rs, nil
}

// CountReplyUse adds one to a reply's use count.
func (tx *Tx) CountReplyUse(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `UPDATE saved_replies SET uses = uses + 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: unable to count reply use: %w", err)
	}
	return nil
}

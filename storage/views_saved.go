package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

const savedViewCols = `id, name, owner, shared, query, pinned, digest, digest_channel, digest_since, created_at, updated_at`

// CreateSavedView inserts a view; names are unique per owner, ignoring case.
func (tx *Tx) CreateSavedView(ctx context.Context, v *domain.SavedView) error {
	v.CreatedAt, v.UpdatedAt = tx.now, tx.now
	id, err := tx.insert(ctx, `INSERT INTO saved_views (name, owner, shared, query, pinned, digest, digest_channel,
		digest_since, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		v.Name, v.Owner, v.Shared, v.Query, v.Pinned, v.Digest, v.DigestChannel, tsp(v.DigestSince), v.CreatedAt, v.UpdatedAt)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "You already have a view named %q.", v.Name)
	} else if err != nil {
		return fmt.Errorf("store: unable to save view: %w", err)
	}
	v.ID = id
	return nil
}

// UpdateSavedView saves every mutable column of a view.
func (tx *Tx) UpdateSavedView(ctx context.Context, v *domain.SavedView) error {
	v.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE saved_views SET name=?, shared=?, query=?, pinned=?, digest=?, digest_channel=?,
		digest_since=?, updated_at=? WHERE id=?`,
		v.Name, v.Shared, v.Query, v.Pinned, v.Digest, v.DigestChannel, tsp(v.DigestSince), v.UpdatedAt, v.ID)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "You already have a view named %q.", v.Name)
	} else if err != nil {
		return fmt.Errorf("store: unable to update view %d: %w", v.ID, err)
	}
	return nil
}

// DeleteSavedView deletes a view and its digest record.
func (tx *Tx) DeleteSavedView(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM saved_views WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: unable to delete view %d: %w", id, err)
	}
	return nil
}

// SavedView reads one view.
func (tx *Tx) SavedView(ctx context.Context, id int64) (*domain.SavedView, error) {
	var v domain.SavedView
	scope, sargs := "", []any(nil)
	if tx.scope.Customer {
		scope, sargs = " AND owner = ?", []any{tx.scope.UserID}
	}
	if err := tx.get(ctx, &v, `SELECT `+savedViewCols+` FROM saved_views WHERE id = ?`+scope, append([]any{id}, sargs...)...); err != nil {
		if err = notFound("View", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read view: %w", err)
	}
	return &v, nil
}

// SavedViews lists the owner's views, then those others share, by name.
func (tx *Tx) SavedViews(ctx context.Context, owner string) ([]*domain.SavedView, error) {
	var out []*domain.SavedView
	shared := " OR shared"
	if tx.scope.Customer {
		// Views agents share name other customers and show how we work.
		shared, owner = "", tx.scope.UserID
	}
	if err := tx.selectAll(ctx, &out, `SELECT `+savedViewCols+` FROM saved_views WHERE owner = ?`+shared+`
		ORDER BY CASE WHEN owner = ? THEN 0 ELSE 1 END, lower(name), id`, owner, owner); err != nil {
		return nil, fmt.Errorf("store: unable to list views: %w", err)
	}
	return out, nil
}

// DigestViews lists the views with a schedule, through a partial index.
func (tx *Tx) DigestViews(ctx context.Context) ([]*domain.SavedView, error) {
	var out []*domain.SavedView
	if err := tx.selectAll(ctx, &out, `SELECT `+savedViewCols+` FROM saved_views WHERE digest <> '' ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: unable to list digests: %w", err)
	}
	return out, nil
}

// ClaimDigest inserts unless the slot is recorded: a second replica
// waits on the primary key for the first to commit, then inserts nothing.
func (tx *Tx) ClaimDigest(ctx context.Context, viewID int64, slot time.Time) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO view_digests (view_id, slot, sent_at) VALUES (?,?,?)
		ON CONFLICT (view_id, slot) DO NOTHING`, viewID, ts(slot), tx.now)
	if err != nil {
		return false, fmt.Errorf("store: unable to record digest: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unable to record digest: %w", err)
	}
	return n == 1, nil
}

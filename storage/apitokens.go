package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

const apiTokenCols = `id, name, prefix, hash, access, COALESCE(customer_id, 0) AS customer_id, created_by, created_at, revoked_at`

// AddAPIToken stores a token; a live token of that name is a conflict.
func (tx *Tx) AddAPIToken(ctx context.Context, t *domain.APIToken) error {
	t.CreatedAt = tx.now
	var customer *int64
	if t.CustomerID != 0 {
		customer = &t.CustomerID
	}
	err := tx.get(ctx, &t.ID, `INSERT INTO api_tokens (name, prefix, hash, access, customer_id, created_by, created_at)
		VALUES (?,?,?,?,?,?,?) RETURNING id`, t.Name, t.Prefix, t.Hash, t.Access, customer, t.CreatedBy, ts(t.CreatedAt))
	switch {
	case isUniqueViolation(err):
		return domain.Errorf(domain.ECONFLICT, "There is already a token named %s; revoke it first or pick another name.", t.Name)
	case isForeignKeyViolation(err):
		return domain.Errorf(domain.ENOTFOUND, "Customer not found.")
	case err != nil:
		return fmt.Errorf("store: unable to add API token: %w", err)
	}
	return nil
}

// APITokenByPrefix finds a live token by its public prefix.
func (tx *Tx) APITokenByPrefix(ctx context.Context, prefix string) (*domain.APIToken, error) {
	var t domain.APIToken
	err := tx.get(ctx, &t, `SELECT `+apiTokenCols+` FROM api_tokens WHERE prefix = ? AND revoked_at IS NULL`, prefix)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "API token not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read API token: %w", err)
	}
	return &t, nil
}

// APITokens lists the live tokens by name.
func (tx *Tx) APITokens(ctx context.Context) ([]*domain.APIToken, error) {
	var ts []*domain.APIToken
	if err := tx.selectAll(ctx, &ts, `SELECT `+apiTokenCols+` FROM api_tokens WHERE revoked_at IS NULL ORDER BY name`); err != nil {
		return nil, fmt.Errorf("store: unable to list API tokens: %w", err)
	}
	return ts, nil
}

// RevokeAPIToken revokes the live token of that name.
func (tx *Tx) RevokeAPIToken(ctx context.Context, name string) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, ts(tx.now), name)
	if err != nil {
		return fmt.Errorf("store: unable to revoke API token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: unable to revoke API token: %w", err)
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no token named %s.", name)
	}
	return nil
}

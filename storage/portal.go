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

// PortalKeys lists the link signing keys, newest first.
func (tx *Tx) PortalKeys(ctx context.Context) ([]*domain.PortalKey, error) {
	var ks []*domain.PortalKey
	if err := tx.selectAll(ctx, &ks, `SELECT id, secret, created_at, retired_at FROM portal_keys ORDER BY id DESC`); err != nil {
		return nil, fmt.Errorf("store: unable to list link keys: %w", err)
	}
	return ks, nil
}

// AddPortalKey stores a new signing key.
func (tx *Tx) AddPortalKey(ctx context.Context, k *domain.PortalKey) error {
	k.CreatedAt = tx.now
	err := tx.get(ctx, &k.ID, `INSERT INTO portal_keys (secret, created_at) VALUES (?,?) RETURNING id`, k.Secret, ts(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: unable to add link key: %w", err)
	}
	return nil
}

// RetirePortalKeys retires the keys still signing.
func (tx *Tx) RetirePortalKeys(ctx context.Context) error {
	if _, err := tx.exec(ctx, `UPDATE portal_keys SET retired_at = ? WHERE retired_at IS NULL`, ts(tx.now)); err != nil {
		return fmt.Errorf("store: unable to retire link keys: %w", err)
	}
	return nil
}

// RevokePortalLinks refuses the ticket's links issued until now.
func (tx *Tx) RevokePortalLinks(ctx context.Context, ticketID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO portal_revocations (ticket_id, revoked_at) VALUES (?,?)
		ON CONFLICT (ticket_id) DO UPDATE SET revoked_at = excluded.revoked_at`, ticketID, ts(tx.now))
	if isForeignKeyViolation(err) {
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return fmt.Errorf("store: unable to revoke links: %w", err)
	}
	return nil
}

// PortalRevokedAt is when the ticket's links were last revoked; zero when never.
func (tx *Tx) PortalRevokedAt(ctx context.Context, ticketID int64) (time.Time, error) {
	var at time.Time
	err := tx.get(ctx, &at, `SELECT revoked_at FROM portal_revocations WHERE ticket_id = ?`, ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: unable to read link revocation: %w", err)
	}
	return at, nil
}

// TicketsOfRequester lists an address's tickets as requester, newest first.
func (tx *Tx) TicketsOfRequester(ctx context.Context, address string, limit int) ([]*domain.Ticket, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	return tx.selectTickets(ctx, "list a requester's tickets", `SELECT `+ticketCols+ticketFrom+` WHERE t.requester_email = ?
		OR t.id IN (SELECT ticket_id FROM ticket_participants WHERE email = ? AND role = 'requester')
		ORDER BY t.id DESC LIMIT `+fmt.Sprint(max(limit, 1)), address, address)
}

// PortalRating is a respondent's survey answer on a ticket, 0 when none.
func (tx *Tx) PortalRating(ctx context.Context, ticketID int64, respondent string) (int, error) {
	var n int
	err := tx.get(ctx, &n, `SELECT rating FROM survey_answers WHERE ticket_id = ? AND respondent = ?`, ticketID, respondent)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("store: unable to read survey answer: %w", err)
	}
	return n, nil
}

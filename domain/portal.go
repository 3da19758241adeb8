package domain

import (
	"context"
	"time"
)

// PortalKey signs the customers' ticket links. The newest unretired key
// signs; a retired key still verifies until its grace period ends.
type PortalKey struct {
	ID        int64      `db:"id"`
	Secret    []byte     `db:"secret"`
	CreatedAt time.Time  `db:"created_at"`
	RetiredAt *time.Time `db:"retired_at"`
}

// PortalStore is the part of a transaction the ticket page needs; Tx embeds it.
type PortalStore interface {
	// PortalKeys lists the signing keys, newest first.
	PortalKeys(ctx context.Context) ([]*PortalKey, error)
	AddPortalKey(ctx context.Context, k *PortalKey) error
	// RetirePortalKeys retires every key not retired yet, at Now.
	RetirePortalKeys(ctx context.Context) error
	// RevokePortalLinks refuses the ticket's links issued until Now.
	RevokePortalLinks(ctx context.Context, ticketID int64) error
	// PortalRevokedAt is when the ticket's links were last revoked; zero when never.
	PortalRevokedAt(ctx context.Context, ticketID int64) (time.Time, error)
	// PortalRating is a respondent's survey answer on a ticket, 0 when none.
	PortalRating(ctx context.Context, ticketID int64, respondent string) (int, error)
	// TicketsOfRequester lists the tickets an address asked for (as
	// requester), newest first, at most limit.
	TicketsOfRequester(ctx context.Context, address string, limit int) ([]*Ticket, error)
}

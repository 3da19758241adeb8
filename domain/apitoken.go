package domain

import (
	"context"
	"time"
)

// ChannelAPI and SourceAPI mark what came through the REST API (api/).
const (
	ChannelAPI = "api"
	SourceAPI  = "api"
)

// Access levels of an API token.
const (
	AccessRead  = "read"
	AccessWrite = "write"
)

// APIToken lets another system use the REST API. Only a hash of the
// secret is kept: the secret is shown once, when the token is created.
type APIToken struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	// Prefix is the token's first characters, not secret: it finds the
	// row, and lists tell tokens apart by it.
	Prefix string `db:"prefix"`
	Hash   []byte `db:"hash"` // SHA-256 of the whole token
	Access string `db:"access"`
	// CustomerID, when set, makes the token act as that customer would:
	// it reads their tickets only (Scope) and writes what they may.
	CustomerID int64      `db:"customer_id"`
	CreatedBy  string     `db:"created_by"`
	CreatedAt  time.Time  `db:"created_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Actor is who the token's calls are in events and audit: "api:NAME",
// an agent unless the token is scoped to one customer.
func (t *APIToken) Actor() Actor {
	a := Actor{UserID: "api:" + t.Name, Name: "API " + t.Name, Role: RoleAgent, Channel: ChannelAPI}
	if t.CustomerID != 0 {
		a.Role, a.CustomerID = RoleCustomer, t.CustomerID
	}
	return a
}

// CanWrite tells whether the token may change anything.
func (t *APIToken) CanWrite() bool { return t.Access == AccessWrite }

// APITokenStore stores API tokens; Tx embeds it.
type APITokenStore interface {
	// AddAPIToken stores a token; a live token of that name is ECONFLICT.
	AddAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByPrefix finds a live (unrevoked) token, or ENOTFOUND.
	APITokenByPrefix(ctx context.Context, prefix string) (*APIToken, error)
	// APITokens lists the live tokens by name.
	APITokens(ctx context.Context) ([]*APIToken, error)
	// RevokeAPIToken revokes the live token of that name at Now, or ENOTFOUND.
	RevokeAPIToken(ctx context.Context, name string) error
}

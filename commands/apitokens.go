package commands

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"regexp"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// tokenPrefix starts every API token, so a leaked one is recognisable
// (secret scanners, logs); prefixLen characters find its row.
const (
	tokenPrefix = "dsk_"
	prefixLen   = len(tokenPrefix) + 8
)

var tokenName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// ErrBadToken answers a missing, unknown or revoked API token alike, so
// a caller learns nothing about which tokens exist.
var ErrBadToken = domain.Errorf(domain.EFORBIDDEN, "The API token is missing, unknown or revoked.")

// CreateAPIToken makes a token for the REST API and returns its secret,
// which is shown once: only its hash is kept. access is read (the
// default) or write; customer, when set, scopes the token to that
// customer: it then reads and writes as one of their people would.
// Admins only.
func (s *Service) CreateAPIToken(ctx context.Context, a domain.Actor, name, access, customer string) (string, *domain.APIToken, error) {
	if !s.IsAdmin(a) {
		return "", nil, domain.Errorf(domain.EFORBIDDEN, "Only deskbot admins (slack.admins in the config) can manage API tokens.")
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if !tokenName.MatchString(name) {
		return "", nil, domain.FieldErrorf("name", "A token name is 1 to 40 lower-case letters, digits, dots, dashes or underscores, like `ci` or `crm-sync`.")
	}
	switch access = strings.ToLower(access); access {
	case "":
		access = domain.AccessRead
	case domain.AccessRead, domain.AccessWrite:
	default:
		return "", nil, domain.FieldErrorf("access", "Access is `read` or `write`, not %q.", access)
	}
	secret, err := newSecret()
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256([]byte(secret))
	t := &domain.APIToken{Name: name, Prefix: secret[:prefixLen], Hash: sum[:], Access: access, CreatedBy: a.Ref()}
	err = s.store.Update(ctx, func(tx domain.Tx) error {
		if customer != "" {
			key := strings.ToUpper(strings.TrimPrefix(customer, "#"))
			p, err := tx.CustomerByKey(ctx, key)
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return domain.FieldErrorf("customer", "There is no customer %s: `/desk customers` lists them.", key)
			} else if err != nil {
				return err
			}
			t.CustomerID = p.ID
		}
		return tx.AddAPIToken(ctx, t)
	})
	if err != nil {
		return "", nil, err
	}
	s.log.Info("api token created", "name", name, "access", access, "customer_id", t.CustomerID, "by", a.Ref())
	return secret, t, nil
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// APITokens lists the live tokens. Admins only.
func (s *Service) APITokens(ctx context.Context, a domain.Actor) ([]*domain.APIToken, error) {
	if !s.IsAdmin(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only deskbot admins (slack.admins in the config) can manage API tokens.")
	}
	var out []*domain.APIToken
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		out, err = tx.APITokens(ctx)
		return err
	})
	return out, err
}

// RevokeAPIToken stops a token from working at once. Admins only.
func (s *Service) RevokeAPIToken(ctx context.Context, a domain.Actor, name string) error {
	if !s.IsAdmin(a) {
		return domain.Errorf(domain.EFORBIDDEN, "Only deskbot admins (slack.admins in the config) can manage API tokens.")
	}
	name = strings.ToLower(strings.TrimSpace(name))
	err := s.store.Update(ctx, func(tx domain.Tx) error { return tx.RevokeAPIToken(ctx, name) })
	if err == nil {
		s.log.Info("api token revoked", "name", name, "by", a.Ref())
	}
	return err
}

// Authenticate finds the live token a caller presented. The row is found
// by the token's public prefix and the hashes are compared in constant
// time; anything wrong is ErrBadToken.
func (s *Service) Authenticate(ctx context.Context, secret string) (*domain.APIToken, error) {
	if len(secret) <= prefixLen || !strings.HasPrefix(secret, tokenPrefix) {
		return nil, ErrBadToken
	}
	var t *domain.APIToken
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		t, err = tx.APITokenByPrefix(ctx, secret[:prefixLen])
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, ErrBadToken
	} else if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(sum[:], t.Hash) != 1 {
		return nil, ErrBadToken
	}
	return t, nil
}

// QueryTicketsPage runs a query as QueryTickets does (the same language,
// aliases and default status filter, the actor's scope), one page of
// size tickets: for callers that are not Slack and choose their page size.
func (s *Service) QueryTicketsPage(ctx context.Context, a domain.Actor, q string, page, size int) (*ViewResult, error) {
	var r *ViewResult
	err := s.view(ctx, a, func(tx domain.Tx) error {
		parsed, err := s.parseList(ctx, tx, q)
		if err != nil {
			return err
		}
		r, err = s.runQuery(ctx, tx, a, parsed, page, time.UTC, size)
		return err
	})
	return r, err
}

package domain

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain/query"
)

// SavedView is a named query: personal, or shared with the team; pinned
// views show on their owner's App Home, and a view with a digest schedule
// is posted into a channel (or its owner's DMs) on that schedule.
type SavedView struct {
	ID     int64  `db:"id"`
	Name   string `db:"name"`
	Owner  string `db:"owner"` // Slack user ID
	Shared bool   `db:"shared"`
	// Query is the canonical text (query.Query.String()) of what was saved,
	// relative parts ("me", "2d") kept relative.
	Query  string `db:"query"`
	Pinned bool   `db:"pinned"`
	// Digest is a Schedule's canonical text ("mon,thu 09:00 Europe/Paris"), "" for none.
	Digest        string     `db:"digest"`
	DigestChannel string     `db:"digest_channel"` // channel ID; "" DMs the owner
	DigestSince   *time.Time `db:"digest_since"`   // slots before it never fire
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
}

// ViewQuery is a resolved query with what storage needs from the
// configuration to run it; storage turns it into one SQL query.
type ViewQuery struct {
	Q *query.Resolved
	// CustomerID restricts the result to one customer (a customer's own company).
	CustomerID int64
	// Customer applies CustomerID even when it is zero: a customer whose
	// company is unknown sees nothing.
	Customer bool
	Now      time.Time
	// From the configuration: statuses that are done (resolved or closed)
	// and that pause SLA clocks, and priorities lowest first.
	DoneStatuses   []string
	PausedStatuses []string
	Statuses       []string // every status in workflow order, for sort and group order
	Priorities     []string
	// NoCustomerKey is the customer that customer:none means (triage).
	NoCustomerKey string
	Offset, Limit int
	// CountOnly skips the page: only Total and Groups are read.
	CountOnly bool
}

// ViewGroup is one group header: its value ("" when unset) and how many
// tickets of the whole result it holds.
type ViewGroup struct {
	Key   string `db:"g"`
	Count int    `db:"n"`
}

// ViewPage is one page of a query's result with the totals of all of it.
type ViewPage struct {
	Tickets []*Ticket
	Total   int
	Groups  []ViewGroup // in display order; empty when the query is not grouped
	// Marks on the page's tickets, by ticket ID.
	Blocked  map[int64]bool // has a blocker that is not done
	Breached map[int64]bool // an SLA target breached (an alert was recorded)
	// Snippets: for a text search, the best matching passage of a ticket's
	// description or of a comment the reader may see, by ticket ID, the
	// matched words between HitStart and HitEnd (raw text otherwise).
	Snippets map[int64]string
}

// Markers around matched words in ViewPage.Snippets: private use
// characters, which nobody types; transports turn them into emphasis.
const (
	HitStart = "\ue000"
	HitEnd   = "\ue001"
)

// ViewStore is what saved views and the query language need from storage.
type ViewStore interface {
	// QueryTickets runs a query in one statement for the page and one for
	// the counts; nothing is filtered after reading.
	QueryTickets(ctx context.Context, q *ViewQuery) (*ViewPage, error)
	// TicketLinks lists the links touching any of ids.
	TicketLinks(ctx context.Context, ids []int64) ([]*Link, error)
	// TicketsByID reads tickets by ID; missing ones are left out.
	TicketsByID(ctx context.Context, ids []int64) ([]*Ticket, error)

	// CreateSavedView refuses a second view of one name per owner with ECONFLICT.
	CreateSavedView(ctx context.Context, v *SavedView) error
	UpdateSavedView(ctx context.Context, v *SavedView) error
	DeleteSavedView(ctx context.Context, id int64) error
	SavedView(ctx context.Context, id int64) (*SavedView, error)
	// SavedViews lists the owner's views and the views others share, by name.
	SavedViews(ctx context.Context, owner string) ([]*SavedView, error)
	// DigestViews lists the views that have a digest schedule.
	DigestViews(ctx context.Context) ([]*SavedView, error)
	// ClaimDigest records that a view's digest for one slot is being sent
	// and reports false when it was already recorded.
	ClaimDigest(ctx context.Context, viewID int64, slot time.Time) (bool, error)
}

// OutboxDigest posts a saved view's digest (commands.DigestJob).
const OutboxDigest = "slack.digest"

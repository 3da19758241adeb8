package domain

import (
	"context"
	"time"
)

// Store gives the use cases transactions over deskbot's data.
type Store interface {
	// Update runs fn in one read-write transaction: all of its changes
	// commit together, or none do when fn returns an error. Tickets read
	// in it are locked until it ends.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn with read-only access.
	View(ctx context.Context, fn func(Tx) error) error
	// ViewAs is View for a reader limited to a scope: every query fn runs
	// through the Tx is filtered by it (scope.go).
	ViewAs(ctx context.Context, scope Scope, fn func(Tx) error) error
}

// Tx is the data a use case works on inside one transaction. Now is fixed
// when the transaction starts, so every row it writes carries one time and
// tests can set the clock. It is the sum of one small interface per area,
// so a function takes only the area it works on and a test fakes only
// that (domain/domaintest).
type Tx interface {
	Now() time.Time
	CustomerStore
	TicketStore
	CommentStore
	EventStore
	LinkStore
	TimeStore
	BillingStore
	SLAStore
	ViewStore       // saved views and the query language: views.go
	EmailStore      // mail threads, participants and attachments: email.go
	PortalStore     // the customers' ticket page's keys and links: portal.go
	AutomationStore // tags, rule runs, counters: rules.go
	ReleaseStore    // releases and the versions tickets were on: rules.go
	SurveyStore     // satisfaction surveys: rules.go
	OutboxStore
	InputStore
	APITokenStore // the REST API's tokens: apitoken.go
	WebhookStore  // outgoing webhooks and their deliveries: webhook.go
	ReplyStore    // saved replies (macros): replies.go
	TagStore      // tags set by hand, renamed: tags.go
	WatchStore    // watchers and the CC list: watch.go
	MergeStore    // merged tickets and what moved: merge.go
	TrackerStore  // issues in GitHub/GitLab linked to tickets: tracker.go
}

// CustomerStore holds the customers, their Slack Connect
// organisations and their version history.
type CustomerStore interface {
	CreateCustomer(ctx context.Context, p *Customer) error
	UpdateCustomer(ctx context.Context, p *Customer) error
	Customer(ctx context.Context, id int64) (*Customer, error)
	CustomerByKey(ctx context.Context, key string) (*Customer, error)
	CustomerByChannel(ctx context.Context, channelID string) (*Customer, error)
	CustomerByDomain(ctx context.Context, domain string) (*Customer, error)
	Customers(ctx context.Context) ([]*Customer, error)
	// EnsureCustomer returns the customer with p.Key, creating it from p if
	// it does not exist yet, safely when several callers race.
	EnsureCustomer(ctx context.Context, p *Customer) (*Customer, error)
	// CustomerByTeam finds the customer of a Slack Connect organisation
	// (an external person's team_id), or ENOTFOUND; LinkTeam files one
	// under a customer unless it already is, and returns the one in force.
	CustomerByTeam(ctx context.Context, teamID string) (*Customer, error)
	LinkTeam(ctx context.Context, teamID, name string, customerID int64) (*Customer, error)
	// MoveTicket files a ticket under another customer; its key stays.
	MoveTicket(ctx context.Context, t *Ticket, to *Customer) error
	AddVersionChange(ctx context.Context, v *VersionChange) error
	VersionChanges(ctx context.Context, customerID int64) ([]*VersionChange, error)
}

// TicketStore holds the tickets themselves.
type TicketStore interface {
	// CreateTicket gives the ticket the next number of its customer: numbers
	// have no gaps and no duplicates, whatever runs at the same time.
	CreateTicket(ctx context.Context, t *Ticket) error
	UpdateTicket(ctx context.Context, t *Ticket) error
	Ticket(ctx context.Context, id int64) (*Ticket, error)
	TicketByKey(ctx context.Context, key string) (*Ticket, error)
	TicketByCard(ctx context.Context, channel, ts string) (*Ticket, error)
	TicketByThread(ctx context.Context, channel, threadTS string) (*Ticket, error)
	FindTickets(ctx context.Context, f TicketFilter) ([]*Ticket, error)
	// TicketRecords reads tickets with everything a card shows about them,
	// a fixed number of queries however many tickets; ids not found are
	// left out.
	TicketRecords(ctx context.Context, ids []int64) ([]*TicketRecord, error)
	CountTickets(ctx context.Context, f TicketFilter) (int, error)
}

// CommentStore holds a ticket's comments and internal notes.
type CommentStore interface {
	AddComment(ctx context.Context, c *Comment) error
	UpdateComment(ctx context.Context, c *Comment) error
	CommentBySource(ctx context.Context, ticketID int64, ref string) (*Comment, error)
	Comments(ctx context.Context, ticketID int64) ([]*Comment, error)
}

// EventStore holds a ticket's history.
type EventStore interface {
	// AddEvent appends to a ticket's history and sets e.ID.
	AddEvent(ctx context.Context, e *Event) error
	Events(ctx context.Context, ticketID int64) ([]*Event, error)
}

// LinkStore holds the links between tickets (blocks, parent, follows).
type LinkStore interface {
	AddLink(ctx context.Context, l *Link) error
	Links(ctx context.Context, ticketID int64) ([]*Link, error)
}

// TimeStore holds timers and time entries.
type TimeStore interface {
	// CreateTimeEntry refuses a second running timer for one user with ECONFLICT.
	CreateTimeEntry(ctx context.Context, e *TimeEntry) error
	UpdateTimeEntry(ctx context.Context, e *TimeEntry) error
	TimeEntry(ctx context.Context, id int64) (*TimeEntry, error)
	RunningTimer(ctx context.Context, userID string) (*TimeEntry, error)
	TimeEntries(ctx context.Context, f TimeFilter) ([]*TimeEntry, error)
	// TimeRows lists entries like TimeEntries, with their tickets' keys,
	// titles and types, for timesheets and reports.
	TimeRows(ctx context.Context, f TimeFilter) ([]*TimeRow, error)
	// DeleteTimeEntry marks an entry deleted; the row stays as the audit trail.
	DeleteTimeEntry(ctx context.Context, id int64, by string) error
	// StaleTimers locks running timers started at or before startedBefore
	// (oldest first); rows another replica holds are skipped.
	StaleTimers(ctx context.Context, startedBefore time.Time, limit int) ([]*TimeEntry, error)
	// DueTimerReminders locks running timers whose reminder is due: never
	// reminded and started at or before startedBefore, or RemindAt passed.
	// Rows another replica holds are skipped.
	DueTimerReminders(ctx context.Context, startedBefore time.Time, limit int) ([]*TimeEntry, error)
	// SetTimerReminder records a reminder sent (remindedAt) and the next due (remindAt, nil: none).
	SetTimerReminder(ctx context.Context, id int64, remindedAt, remindAt *time.Time) error
}

// BillingStore holds the invoiced periods, whose time can no longer change.
type BillingStore interface {
	// AddBillingLock locks a period; one already locked from the same start is ECONFLICT.
	AddBillingLock(ctx context.Context, l *BillingLock) error
	DeleteBillingLock(ctx context.Context, customerID int64, start time.Time) error
	// BillingLockAt returns the lock covering an instant, or ENOTFOUND.
	BillingLockAt(ctx context.Context, customerID int64, at time.Time) (*BillingLock, error)
	// BillingLocks lists a customer's locks overlapping [from, to) (zero: all), oldest first.
	BillingLocks(ctx context.Context, customerID int64, from, to time.Time) ([]*BillingLock, error)
}

// SLAStore holds the SLA clocks' bookkeeping: due times and alerts sent.
type SLAStore interface {
	// DueSLATickets lists up to limit tickets whose SLA due time is at or
	// before Now, soonest first, through the index on it.
	DueSLATickets(ctx context.Context, limit int) ([]int64, error)
	// SetTicketSLA saves a ticket's policy and next SLA due time alone,
	// leaving updated_at as it was: the scheduler's bookkeeping is no change.
	// deadline is the next SLA deadline (never a warning), for due: and the calendar.
	SetTicketSLA(ctx context.Context, ticketID int64, policy string, due, deadline *time.Time) error
	SLAAlerts(ctx context.Context, ticketID int64) ([]*SLAAlert, error)
	// AddSLAAlert records an alert and reports false when it was already recorded.
	AddSLAAlert(ctx context.Context, a *SLAAlert) (bool, error)
	// TicketsCreated lists tickets created in [from, to), of one customer
	// when customerID is not zero, oldest first.
	TicketsCreated(ctx context.Context, customerID int64, from, to time.Time) ([]*Ticket, error)
}

// OutboxStore is the outbox inside a use case's transaction: what it
// queues to happen outside, and what a delivery recorded. The dispatcher
// claims through Outbox.
type OutboxStore interface {
	Enqueue(ctx context.Context, m *OutboxMessage) error
	// MarkDelivered marks an outbox message done inside a transaction,
	// so what its delivery produced (a card's ts) commits with it.
	MarkDelivered(ctx context.Context, id int64) error
	// SetTicketCard records the Slack message that shows a ticket, leaving
	// updated_at as it was: posting a card changes nothing about the ticket.
	SetTicketCard(ctx context.Context, ticketID int64, channel, ts, threadTS string) error
}

// InputStore records the inputs already handled, so a redelivery does nothing twice.
type InputStore interface {
	// MarkProcessed records an input (Slack envelope, email Message-ID) and
	// reports false when it was already recorded, so redeliveries do nothing.
	MarkProcessed(ctx context.Context, source, id string) (bool, error)
	// RecordInput records an input with what it produced (a ticket key),
	// so a redelivery can answer with it (ProcessedResult reads it back).
	// It is for a caller that expects the input new: one already recorded
	// is ErrInputSeen, and the transaction must end there.
	RecordInput(ctx context.Context, source, id, result string) error
	ProcessedResult(ctx context.Context, source, id string) (string, error)
}

// TicketFilter selects tickets; zero fields do not filter.
type TicketFilter struct {
	CustomerID  int64
	AssigneeID  *string // "" selects unassigned tickets
	RequesterID string
	Statuses    []string
	Priorities  []string
	Limit       int
	Offset      int
}

// TimeFilter selects time entries; zero fields do not filter.
type TimeFilter struct {
	TicketID   int64
	CustomerID int64
	UserID     string
	From, To   time.Time // started in [From, To)
	Running    *bool
}

// Outbox is how the dispatcher takes side effects to deliver.
type Outbox interface {
	// ClaimOutbox leases up to limit due messages of the given kinds to
	// owner (the claiming process, "" for none) for lease; another process
	// does not see them until the lease runs out. An owner's live process
	// renews its leases, its restart releases them (Inbox).
	ClaimOutbox(ctx context.Context, owner string, kinds []string, limit int, lease time.Duration) ([]*OutboxMessage, error)
	OutboxDelivered(ctx context.Context, id int64) error
	OutboxFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error
}

// InboxInput is a Slack envelope stored before it was acknowledged.
type InboxInput struct {
	ID       int64  `db:"id"`
	DedupKey string `db:"dedup_key"` // "event:<event_id>", "envelope:<envelope_id>"
	Kind     string `db:"kind"`      // the Socket Mode request type
	Payload  string `db:"payload"`   // the envelope's payload, as received
	// Person sent it and Topic is what it changes ("" for nothing an
	// earlier input of theirs could have changed first): an input waits for
	// the person's earlier ones on the same topic (bot/order.go).
	Person string `db:"person"`
	Topic  string `db:"topic"`
	// Attempts counts the takes: above 1 the input was taken again after
	// its process died (or restarted) before finishing it.
	Attempts   int       `db:"attempts"`
	ReceivedAt time.Time `db:"received_at"`
}

// InboxWriters is how many StoreInputs a process runs at once on a
// database that takes several writers (PostgreSQL), each on a connection
// kept for the inbox; a single-writer database (SQLite) takes one.
const InboxWriters = 4

// Inbox is the durable queue of inputs between their ack and their work,
// and the leases a process holds on shared work (its inbox inputs and its
// outbox claims). A lease is renewed while its owner lives; an owner's
// restart releases what its earlier run held.
type Inbox interface {
	// StoreInputs stores inputs taken by owner for lease, in one commit,
	// setting their ID; new[i] is false for an input whose dedup key was
	// already stored (a redelivery), which is left as it is.
	StoreInputs(ctx context.Context, owner string, lease time.Duration, in []*InboxInput) (new []bool, err error)
	// ClaimInputs takes up to limit unfinished inputs whose lease ran out.
	ClaimInputs(ctx context.Context, owner string, limit int, lease time.Duration) ([]*InboxInput, error)
	// InputsDone marks inputs finished.
	InputsDone(ctx context.Context, ids []int64) error
	// RenewLeases extends owner's unfinished inputs and outbox claims.
	RenewLeases(ctx context.Context, owner string, lease time.Duration) error
	// ReleaseLeases frees owner's unfinished inputs and outbox claims now.
	ReleaseLeases(ctx context.Context, owner string) error
	// PurgeInputs deletes inputs finished before before.
	PurgeInputs(ctx context.Context, before time.Time) (int, error)
	// EarlierInput reports whether person has an unfinished input on topic
	// stored before input id, other than the ids in except.
	EarlierInput(ctx context.Context, id int64, person, topic string, except []int64) (bool, error)
}

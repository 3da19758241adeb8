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
}

// Tx is the data a use case works on inside one transaction. Now is fixed
// when the transaction starts, so every row it writes carries one time and
// tests can set the clock.
type Tx interface {
	Now() time.Time
	RulesTx // workflows, automations, releases, surveys: rules.go
	// EmailTx: mail threads, participants and attachments (domain/email.go).
	EmailTx
	// PortalTx: the customers' ticket page's keys and links (domain/portal.go).
	PortalTx

	CreateProject(ctx context.Context, p *Project) error
	UpdateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id int64) (*Project, error)
	ProjectByKey(ctx context.Context, key string) (*Project, error)
	ProjectByChannel(ctx context.Context, channelID string) (*Project, error)
	ProjectByDomain(ctx context.Context, domain string) (*Project, error)
	Projects(ctx context.Context) ([]*Project, error)
	// EnsureProject returns the project with p.Key, creating it from p if
	// it does not exist yet, safely when several callers race.
	EnsureProject(ctx context.Context, p *Project) (*Project, error)
	AddVersionChange(ctx context.Context, v *VersionChange) error
	VersionChanges(ctx context.Context, projectID int64) ([]*VersionChange, error)

	// CreateTicket gives the ticket the next number of its project: numbers
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

	AddComment(ctx context.Context, c *Comment) error
	UpdateComment(ctx context.Context, c *Comment) error
	CommentBySource(ctx context.Context, ticketID int64, ref string) (*Comment, error)
	Comments(ctx context.Context, ticketID int64) ([]*Comment, error)

	// AddEvent appends to a ticket's history. It does not set e.ID: the
	// row may be written with the transaction's next statement.
	AddEvent(ctx context.Context, e *Event) error
	Events(ctx context.Context, ticketID int64) ([]*Event, error)

	AddLink(ctx context.Context, l *Link) error
	Links(ctx context.Context, ticketID int64) ([]*Link, error)

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

	// AddBillingLock locks a period; one already locked from the same start is ECONFLICT.
	AddBillingLock(ctx context.Context, l *BillingLock) error
	DeleteBillingLock(ctx context.Context, projectID int64, start time.Time) error
	// BillingLockAt returns the lock covering an instant, or ENOTFOUND.
	BillingLockAt(ctx context.Context, projectID int64, at time.Time) (*BillingLock, error)
	// BillingLocks lists a project's locks overlapping [from, to) (zero: all), oldest first.
	BillingLocks(ctx context.Context, projectID int64, from, to time.Time) ([]*BillingLock, error)

	// DueSLATickets lists up to limit tickets whose SLA due time is at or
	// before Now, soonest first, through the index on it.
	DueSLATickets(ctx context.Context, limit int) ([]int64, error)
	// SetTicketSLA saves a ticket's policy and next SLA due time alone,
	// leaving updated_at as it was: the scheduler's bookkeeping is no change.
	SetTicketSLA(ctx context.Context, ticketID int64, policy string, due *time.Time) error
	SLAAlerts(ctx context.Context, ticketID int64) ([]*SLAAlert, error)
	// AddSLAAlert records an alert and reports false when it was already recorded.
	AddSLAAlert(ctx context.Context, a *SLAAlert) (bool, error)
	// TicketsCreated lists tickets created in [from, to), of one customer
	// when projectID is not zero, oldest first.
	TicketsCreated(ctx context.Context, projectID int64, from, to time.Time) ([]*Ticket, error)

	ViewTx // saved views and the query language, views.go

	Enqueue(ctx context.Context, m *OutboxMessage) error
	// MarkDelivered marks an outbox message done inside a transaction,
	// so what its delivery produced (a card's ts) commits with it.
	MarkDelivered(ctx context.Context, id int64) error
	// SetTicketCard records the Slack message that shows a ticket, leaving
	// updated_at as it was: posting a card changes nothing about the ticket.
	SetTicketCard(ctx context.Context, ticketID int64, channel, ts, threadTS string) error
	// MarkProcessed records an input (Slack envelope, email Message-ID) and
	// reports false when it was already recorded, so redeliveries do nothing.
	MarkProcessed(ctx context.Context, source, id string) (bool, error)
	// RecordInput records an input with what it produced (a ticket key),
	// so a redelivery can answer with it (ProcessedResult reads it back).
	// It is for a caller that expects the input new: when it was already recorded, the transaction
	// fails with ErrInputSeen, at the latest when it commits (the row may
	// be written with the transaction's next statement).
	RecordInput(ctx context.Context, source, id, result string) error
	ProcessedResult(ctx context.Context, source, id string) (string, error)
}

// TicketFilter selects tickets; zero fields do not filter.
type TicketFilter struct {
	ProjectID   int64
	AssigneeID  *string // "" selects unassigned tickets
	RequesterID string
	Statuses    []string
	Priorities  []string
	Limit       int
	Offset      int
}

// TimeFilter selects time entries; zero fields do not filter.
type TimeFilter struct {
	TicketID  int64
	ProjectID int64
	UserID    string
	From, To  time.Time // started in [From, To)
	Running   *bool
}

// Outbox is how the dispatcher takes side effects to deliver.
type Outbox interface {
	// ClaimOutbox leases up to limit due messages of the given kinds for
	// lease; another process does not see them until the lease runs out.
	ClaimOutbox(ctx context.Context, kinds []string, limit int, lease time.Duration) ([]*OutboxMessage, error)
	OutboxDelivered(ctx context.Context, id int64) error
	OutboxFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error
}

// Package domain holds deskbot's types, the rules that are pure functions
// over them, and the interfaces the use cases (package commands) need from
// storage. It imports neither Slack nor SQL.
package domain

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Roles an actor can have. Agents work tickets; customers open and follow them.
const (
	RoleAgent    = "agent"
	RoleCustomer = "customer"
	RoleSystem   = "system"
)

// Channels an input can come from; recorded on every event.
const (
	ChannelSlack     = "slack"
	ChannelEmail     = "email"
	ChannelScheduler = "scheduler"
	ChannelCLI       = "cli"
)

// Actor is whoever causes a change: a Slack user, an email sender or deskbot itself.
type Actor struct {
	UserID  string // Slack user ID, empty for email senders
	Email   string
	Name    string
	Role    string
	Channel string
	// CustomerID limits a customer to their own company's tickets; zero for agents.
	CustomerID int64
	// TimeZone is the person's IANA zone when known (their Slack profile).
	TimeZone string
}

// IsAgent reports whether the actor may do agent work (assign, log time…).
func (a Actor) IsAgent() bool { return a.Role == RoleAgent || a.Role == RoleSystem }

// Ref is how the actor is written in events and fields: a Slack ID, else an email.
func (a Actor) Ref() string {
	switch {
	case a.UserID != "":
		return a.UserID
	case a.Email != "":
		return a.Email
	case a.Role == RoleSystem:
		return "deskbot"
	}
	return "unknown"
}

// SystemActor is deskbot acting on its own (scheduler, automations).
func SystemActor(channel string) Actor {
	return Actor{Role: RoleSystem, Channel: channel, Name: "deskbot"}
}

// Customer is a customer of the vendor. Its Key prefixes ticket keys (ACME-42).
type Customer struct {
	ID             int64     `db:"id"`
	Key            string    `db:"key"`
	Name           string    `db:"name"`
	ChannelID      string    `db:"channel_id"`      // the customer's Slack channel, if any
	AutoTickets    bool      `db:"auto_tickets"`    // top-level customer messages there become tickets
	EmailDomains   string    `db:"email_domains"`   // comma-separated, lower case
	TimeZone       string    `db:"time_zone"`       // IANA
	Tier           string    `db:"tier"`            // contract tier, e.g. gold
	SLAPolicy      string    `db:"sla_policy"`      // policy name from the config
	HourlyRate     int64     `db:"hourly_rate"`     // cents per hour
	CurrentVersion string    `db:"current_version"` // software version the customer runs
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`

	// The contract's billing rules, in minutes; zero turns a rule off.
	BillingRoundMinutes int64 `db:"billing_round_minutes"` // round each entry up to this
	BillingMinMinutes   int64 `db:"billing_min_minutes"`   // least billed per ticket and period
}

// Domains returns the customer's email domains as a list.
func (p *Customer) Domains() []string {
	var out []string
	for _, d := range strings.Split(p.EmailDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

var customerKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,9}$`)

// ValidateCustomerKey checks the short key used in ticket keys.
func ValidateCustomerKey(key string) error {
	if !customerKeyRE.MatchString(key) {
		return FieldErrorf("key", "Customer key %q must be 2 to 10 capital letters or digits, starting with a letter (like ACME).", key)
	}
	return nil
}

// VersionChange records that a customer moved to a version of the vendor's software.
type VersionChange struct {
	ID         int64     `db:"id"`
	CustomerID int64     `db:"customer_id"`
	Version    string    `db:"version"`
	Since      time.Time `db:"since"`
	RecordedBy string    `db:"recorded_by"`
	CreatedAt  time.Time `db:"created_at"`
}

// Sources a ticket can come from.
const (
	SourceSlash    = "slash"
	SourceModal    = "modal"
	SourceShortcut = "shortcut"
	SourceReaction = "reaction"
	SourceChannel  = "channel"
	SourceEmail    = "email"
	SourceCLI      = "cli"
)

// Sources lists every valid ticket source.
func Sources() []string {
	return []string{SourceSlash, SourceModal, SourceShortcut, SourceReaction, SourceChannel, SourceEmail, SourceCLI, SourceAPI}
}

// Ticket is one piece of work for a customer.
type Ticket struct {
	ID          int64  `db:"id"`
	CustomerID  int64  `db:"customer_id"`
	CustomerKey string `db:"customer_key"` // denormalised for display; read-only
	Number      int64  `db:"number"`
	Title       string `db:"title"`
	Description string `db:"description"`
	Type        string `db:"type"`
	Status      string `db:"status"`
	Priority    string `db:"priority"`
	Severity    string `db:"severity"`
	// The requester is a Slack user or an email address (or both).
	RequesterID    string `db:"requester_id"`
	RequesterEmail string `db:"requester_email"`
	RequesterName  string `db:"requester_name"`
	AssigneeID     string `db:"assignee_id"`
	Version        string `db:"version"`
	Fields         Fields `db:"-"`
	Source         string `db:"source"`
	// SourceRef identifies the input that created the ticket (a Slack
	// permalink or message ts, an email Message-ID), for the link back.
	SourceRef string `db:"source_ref"`
	// The live card: the Slack message that shows the ticket.
	SlackChannel string `db:"slack_channel"`
	SlackTS      string `db:"slack_ts"`
	// SlackThreadTS is the thread where the ticket's conversation runs: the
	// card's own ts, or the customer's message the card answers in thread.
	SlackThreadTS string `db:"slack_thread_ts"`
	// EmailThread is the Message-ID of the mail that opened the ticket;
	// replies and outgoing mail reference it.
	EmailThread string     `db:"email_thread"`
	SLAPolicy   string     `db:"sla_policy"`
	SLADueAt    *time.Time `db:"sla_due_at"` // the scheduler's next look: a warning or a deadline
	// SLADeadline is the next SLA deadline (never a warning time).
	SLADeadline *time.Time `db:"sla_deadline_at"`
	// DueAt is the due date an agent, a command or an automation set;
	// DuePublic shows it to the customer.
	DueAt           *time.Time `db:"due_at"`
	DuePublic       bool       `db:"due_public"`
	CreatedBy       string     `db:"created_by"`
	CreatedAt       time.Time  `db:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
	FirstResponseAt *time.Time `db:"first_response_at"`
	ResolvedAt      *time.Time `db:"resolved_at"`
	ClosedAt        *time.Time `db:"closed_at"`
}

// Key is the human key, ACME-42.
func (t *Ticket) Key() string { return FormatKey(t.CustomerKey, t.Number) }

// What a ticket's due time is (Ticket.Due).
const (
	DueDate        = "due date"
	DueSLADeadline = "SLA deadline"
)

// Due is when the ticket is due and what says so: its due date, else its
// next SLA deadline; the zero time when neither. Lists, the calendar and
// the timeline show it, due: and sort:due read it.
func (t *Ticket) Due() (time.Time, string) {
	switch {
	case t.DueAt != nil:
		return *t.DueAt, DueDate
	case t.SLADeadline != nil:
		return *t.SLADeadline, DueSLADeadline
	}
	return time.Time{}, ""
}

// Clone is a copy that shares nothing with t.
func (t *Ticket) Clone() *Ticket {
	c := *t
	c.Fields = maps.Clone(t.Fields)
	for _, p := range []**time.Time{&c.SLADueAt, &c.SLADeadline, &c.DueAt, &c.FirstResponseAt, &c.ResolvedAt, &c.ClosedAt} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	return &c
}

// FormatKey joins a customer key and a ticket number.
func FormatKey(customer string, number int64) string {
	return customer + "-" + strconv.FormatInt(number, 10)
}

var ticketKeyRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]{1,9})-([0-9]{1,9})$`)

// ParseKey splits "ACME-42" into ("ACME", 42); it accepts lower case.
func ParseKey(s string) (customer string, number int64, err error) {
	m := ticketKeyRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", 0, Errorf(EINVALID, "%q is not a ticket key (like ACME-42).", s)
	}
	n, _ := strconv.ParseInt(m[2], 10, 64)
	return strings.ToUpper(m[1]), n, nil
}

// IsKey reports whether s looks like a ticket key.
func IsKey(s string) bool { return ticketKeyRE.MatchString(strings.TrimSpace(s)) }

// Comment is a message on a ticket: a thread reply, an email, an internal note.
type Comment struct {
	ID          int64      `db:"id"`
	TicketID    int64      `db:"ticket_id"`
	AuthorID    string     `db:"author_id"`
	AuthorEmail string     `db:"author_email"`
	AuthorName  string     `db:"author_name"`
	AuthorRole  string     `db:"author_role"`
	Body        string     `db:"body"`
	Public      bool       `db:"public"` // false: internal note, never sent to the customer
	Channel     string     `db:"channel"`
	SourceRef   string     `db:"source_ref"` // Slack message ts or email Message-ID
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	DeletedAt   *time.Time `db:"deleted_at"`
	// MergedFrom is the ticket the comment was written on when a merge
	// brought it here (0: written here): the SLA clock leaves it out.
	MergedFrom int64 `db:"merged_from"`
}

// Event kinds. Every change to a ticket writes one.
const (
	EventCreated      = "created"
	EventStatus       = "status"
	EventAssigned     = "assigned"
	EventPriority     = "priority"
	EventField        = "field"
	EventComment      = "comment"
	EventCommentEdit  = "comment_edited"
	EventCommentDel   = "comment_deleted"
	EventLinked       = "linked"
	EventTimerStarted = "timer_started"
	EventTimerStopped = "timer_stopped"
	EventTimeLogged   = "time_logged"
	EventTimeEdited   = "time_edited"
	EventTimeDeleted  = "time_deleted"
	EventFirstReply   = "first_response"
	EventTitle        = "title"
	EventDismissed    = "dismissed" // "Not a ticket"
	EventMoved        = "moved"     // filed under another customer (Field "customer": old and new keys); the key stays
)

// Event is one row of a ticket's history.
type Event struct {
	ID       int64     `db:"id"`
	TicketID int64     `db:"ticket_id"`
	Actor    string    `db:"actor"`
	Channel  string    `db:"channel"`
	Kind     string    `db:"kind"`
	Field    string    `db:"field"`
	OldValue string    `db:"old_value"`
	NewValue string    `db:"new_value"`
	At       time.Time `db:"at"`
}

// Link kinds between tickets. A link row reads "From <kind> To".
const (
	LinkBlocks = "blocks"
	LinkParent = "parent" // From is the parent of To
	// LinkFollowUp: From was opened by a customer's answer to To, which
	// was closed. It orders nothing, unlike blocks and parent.
	LinkFollowUp = "follows_up"
)

// Link relates two tickets.
type Link struct {
	FromID    int64     `db:"from_id"`
	ToID      int64     `db:"to_id"`
	Kind      string    `db:"kind"`
	CreatedAt time.Time `db:"created_at"`
}

// TicketRecord is a ticket with its customer, history, time and links,
// read together (Tx.TicketRecords).
type TicketRecord struct {
	Ticket   *Ticket
	Customer *Customer
	Entries  []*TimeEntry // not deleted, oldest first
	Events   []*Event     // oldest first
	Comments []*Comment   // oldest first, deleted ones included
	Alerts   []*SLAAlert  // in the order recorded
	Links    []*Link      // from or to the ticket
	// LinkedKeys are the keys of the tickets at the other end of Links.
	LinkedKeys map[int64]string
	Tags       []string // sorted
	Cc         []string // the CC list's addresses (participants but the requester)
}

// TimeEntry is time spent on a ticket, from a timer or logged by hand.
type TimeEntry struct {
	ID        int64      `db:"id"`
	TicketID  int64      `db:"ticket_id"`
	UserID    string     `db:"user_id"`
	StartedAt time.Time  `db:"started_at"`
	EndedAt   *time.Time `db:"ended_at"` // nil while the timer runs
	Seconds   int64      `db:"seconds"`  // duration once stopped or logged
	Billable  bool       `db:"billable"`
	Note      string     `db:"note"`
	Source    string     `db:"source"` // timer or manual
	CreatedAt time.Time  `db:"created_at"`
	UpdatedAt time.Time  `db:"updated_at"`
	// A deleted entry stays as the audit trail; lists and reports skip it.
	DeletedAt *time.Time `db:"deleted_at"`
	DeletedBy string     `db:"deleted_by"`
	// RemindedAt is when the last forgotten-timer reminder went out;
	// RemindAt, when set, is when the next one is due.
	RemindedAt *time.Time `db:"reminded_at"`
	RemindAt   *time.Time `db:"remind_at"`
}

// TimeRow is a time entry with what timesheets and reports show of its ticket.
type TimeRow struct {
	TimeEntry
	CustomerKey  string `db:"customer_key"`
	TicketNumber int64  `db:"ticket_number"`
	TicketTitle  string `db:"ticket_title"`
	TicketType   string `db:"ticket_type"`
}

// Key is the ticket's key, ACME-42.
func (r *TimeRow) Key() string { return FormatKey(r.CustomerKey, r.TicketNumber) }

// BillingLock marks a customer's period as invoiced: time that started in
// [Start, End) can no longer be logged, edited or deleted.
type BillingLock struct {
	ID         int64     `db:"id"`
	CustomerID int64     `db:"customer_id"`
	Period     string    `db:"period"` // as written when locked: 2026-10
	Start      time.Time `db:"period_start"`
	End        time.Time `db:"period_end"`
	LockedBy   string    `db:"locked_by"`
	LockedAt   time.Time `db:"locked_at"`
	// What the period came to when locked: the invoice, kept as it was.
	Entries       int   `db:"entries"`
	Seconds       int64 `db:"seconds"`
	BilledSeconds int64 `db:"billed_seconds"`
	Amount        int64 `db:"amount"` // cents
}

// Time entry sources.
const (
	TimeFromTimer  = "timer"
	TimeFromManual = "manual"
)

// Running reports whether the entry is a running timer.
func (e *TimeEntry) Running() bool { return e.EndedAt == nil }

// Duration is the logged duration, or the time run so far for a running timer.
func (e *TimeEntry) Duration(now time.Time) time.Duration {
	if e.Running() {
		return now.Sub(e.StartedAt).Truncate(time.Second)
	}
	return time.Duration(e.Seconds) * time.Second
}

// OutboxMessage is a side effect to deliver outside (post or update a Slack
// message, DM someone, send a mail), written in the same transaction as the
// change that causes it so that neither is lost without the other.
type OutboxMessage struct {
	ID          int64      `db:"id"`
	Kind        string     `db:"kind"`
	Payload     string     `db:"payload"` // JSON, meaning set by Kind
	DedupKey    *string    `db:"dedup_key"`
	Attempts    int        `db:"attempts"`
	NextAttempt time.Time  `db:"next_attempt_at"`
	LastError   string     `db:"last_error"`
	CreatedAt   time.Time  `db:"created_at"`
	DeliveredAt *time.Time `db:"delivered_at"`
	// FirstClaimed is when a delivery was first attempted: a retry looks
	// for what an interrupted attempt may have posted since then.
	FirstClaimed *time.Time `db:"first_claimed_at"`
}

// Outbox kinds.
const (
	// OutboxCard posts or refreshes a ticket's card. Pending ones coalesce per ticket.
	OutboxCard = "slack.card"
	// OutboxSlackPost posts a message (thread reply, DM, channel post).
	OutboxSlackPost = "slack.post"
)

// CardDedupKey coalesces card refreshes for one ticket while one is pending.
func CardDedupKey(ticketID int64) *string {
	s := fmt.Sprintf("card:%d", ticketID)
	return &s
}

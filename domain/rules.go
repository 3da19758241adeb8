package domain

import (
	"context"
	"time"
)

// Event kinds of types, fields, tags, automations, releases and surveys.
const (
	EventType       = "type"       // the ticket's type changed (Field "type")
	EventTag        = "tag"        // a tag added (NewValue) or removed (OldValue)
	EventSLAPolicy  = "sla_policy" // an automation applied another SLA policy
	EventSeverity   = "severity"   // severity changed (SLA targets may be keyed by it)
	EventAutomation = "automation" // a rule ran: Field is its name, NewValue what it did
	EventReminder   = "reminder"   // a stale ticket's customer was reminded
	EventFixed      = "fixed"      // a release fixes the ticket (NewValue: the version)
	EventSurvey     = "survey"     // a satisfaction answer (NewValue: the rating)
)

// ChannelAutomation is the channel of changes automations make.
const ChannelAutomation = "automation"

// OutboxEmail sends a mail (commands.EmailJob), delivered by the mail
// transport; with mail off, such messages wait in the outbox.
const OutboxEmail = "email.send"

// Release is a version of the vendor's software that shipped.
type Release struct {
	ID         int64     `db:"id"`
	Version    string    `db:"version"` // canonical semver
	ReleasedAt time.Time `db:"released_at"`
	RecordedBy string    `db:"recorded_by"`
}

// SurveyAnswer is a customer's satisfaction rating of a resolved ticket;
// a second answer by the same person replaces the first.
type SurveyAnswer struct {
	TicketID   int64     `db:"ticket_id"`
	CustomerID int64     `db:"customer_id"`
	Respondent string    `db:"respondent"`
	Rating     int       `db:"rating"` // 1 (bad) to 5 (great)
	AnsweredAt time.Time `db:"answered_at"`
}

// SurveyScale is the highest rating.
const SurveyScale = 5

// SurveySummary is a customer's ratings: how many and their mean.
type SurveySummary struct {
	Count   int     `db:"n"`
	Average float64 `db:"avg"`
}

// TicketActivity is when things last happened on an open ticket, for the
// time-based automations and stale-ticket chasing. Nil: never.
type TicketActivity struct {
	TicketID  int64  `db:"ticket_id"`
	Status    string `db:"status"`
	SLAPolicy string `db:"sla_policy"`
	// LastActivity is the last event not made by an automation (so a
	// rule's own reminder does not make a ticket look busy); LastStatus is
	// the last status change, by anyone.
	LastActivity, LastStatus *time.Time
	// The last public comment by an agent and by the customer.
	LastAgentReply, LastCustomerReply *time.Time
	CreatedAt                         time.Time `db:"created_at"`
}

// VersionTicket is one ticket's version and when it came in, for reports.
type VersionTicket struct {
	Version   string    `db:"version"`
	Status    string    `db:"status"`
	CreatedAt time.Time `db:"created_at"`
}

// AutomationStore is what workflows and automations need from storage.
type AutomationStore interface {
	// AddTag tags a ticket and reports false when it already had the tag.
	AddTag(ctx context.Context, ticketID int64, tag string) (bool, error)
	// RemoveTag untags a ticket and reports false when it did not have the tag.
	RemoveTag(ctx context.Context, ticketID int64, tag string) (bool, error)
	// Tags lists a ticket's tags, sorted.
	Tags(ctx context.Context, ticketID int64) ([]string, error)
	// ClaimAutomationRun records that a rule ran on a ticket for an anchor
	// (the instant a time-based rule counted from) and reports false when
	// it was already recorded, so a rule fires once per anchor across replicas.
	ClaimAutomationRun(ctx context.Context, ticketID int64, rule, anchor string) (bool, error)
	// NextCounter increments a named counter and returns its new value (1 first).
	NextCounter(ctx context.Context, name string) (int64, error)
	// TicketActivity lists the tickets in statuses with their last activity.
	TicketActivity(ctx context.Context, statuses []string) ([]*TicketActivity, error)
}

// ReleaseStore holds the releases and the versions tickets were on.
type ReleaseStore interface {
	// AddRelease records a release and reports false when it was already recorded.
	AddRelease(ctx context.Context, r *Release) (bool, error)
	// Releases lists the recorded releases, oldest first.
	Releases(ctx context.Context) ([]*Release, error)
	// VersionTickets lists the tickets created since from, or in one of
	// statuses (for the open ones), with their versions.
	VersionTickets(ctx context.Context, from time.Time, statuses []string) ([]*VersionTicket, error)
}

// SurveyStore holds the answers to satisfaction surveys.
type SurveyStore interface {
	// SaveSurveyAnswer records an answer, replacing the respondent's earlier one.
	SaveSurveyAnswer(ctx context.Context, a *SurveyAnswer) error
	// SurveySummary sums up a customer's answers (all customers' when customerID is 0).
	SurveySummary(ctx context.Context, customerID int64) (SurveySummary, error)
}

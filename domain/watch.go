package domain

import (
	"context"
	"time"
)

// WatchStore holds who follows a ticket, the changes waiting to be told
// to them, and the ticket's CC list kept by hand (the participants, email.go).
type WatchStore interface {
	// Follow makes user a watcher and reports false when they already were.
	Follow(ctx context.Context, ticketID int64, user string) (bool, error)
	// Unfollow reports false when user was not watching.
	Unfollow(ctx context.Context, ticketID int64, user string) (bool, error)
	// Watchers lists a ticket's watchers, sorted.
	Watchers(ctx context.Context, ticketID int64) ([]string, error)
	// AddWatchNote records that user is to be told of an event, once.
	AddWatchNote(ctx context.Context, user string, eventID int64) error
	// WatchNotes lists what user is to be told of events made in [from, to), oldest first.
	WatchNotes(ctx context.Context, user string, from, to time.Time) ([]*WatchNote, error)
	// RemoveParticipant takes an address off a ticket and reports false
	// when it was not there.
	RemoveParticipant(ctx context.Context, ticketID int64, email string) (bool, error)
}

// WatchNote is one change a watcher is told of: the event with its ticket.
type WatchNote struct {
	Event
	CustomerKey  string `db:"customer_key"`
	TicketNumber int64  `db:"ticket_number"`
	TicketTitle  string `db:"ticket_title"`
}

// Key is the ticket's key.
func (n *WatchNote) Key() string { return FormatKey(n.CustomerKey, n.TicketNumber) }

// WatchBatch is how long a watcher's changes gather before one DM tells them.
const WatchBatch = time.Minute

// watchedKinds are the public changes watchers are told of: not time
// tracking, internal notes (a comment event whose NewValue is "internal"),
// nor the bookkeeping of SLA clocks and automations.
var watchedKinds = map[string]bool{
	EventStatus: true, EventAssigned: true, EventPriority: true, EventField: true, EventComment: true,
	EventLinked: true, EventTitle: true, EventDismissed: true, EventMoved: true, EventType: true,
	EventTag: true, EventSeverity: true, EventFixed: true,
	EventEscalated: true, EventIssueLinked: true, // an engineering issue opened or linked
}

// Watched tells whether watchers hear of an event.
func Watched(e *Event) bool {
	if e.Kind == EventComment && e.NewValue != "public" {
		return false
	}
	return watchedKinds[e.Kind]
}

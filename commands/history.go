package commands

import (
	"context"
	"slices"

	"github.com/deskbot/deskbot/domain"
)

// customerEvents are the kinds of event a customer may read in their
// ticket's history: what they see on their card anyway. Our time keeping,
// automations, tags, internal notes and other customers' keys stay out.
var customerEvents = []string{
	domain.EventCreated, domain.EventStatus, domain.EventAssigned, domain.EventPriority, domain.EventSeverity,
	domain.EventTitle, domain.EventType, domain.EventFirstReply, domain.EventFixed, domain.EventDismissed,
	domain.EventComment, domain.EventLinked, domain.EventMerged, domain.EventUnmerged, EventDescription,
}

// CustomerVisible tells whether a customer may read an event of their own
// ticket. Storage's scope already leaves out links and merges naming
// another customer's ticket; this leaves out what is ours alone.
func CustomerVisible(e *domain.Event) bool {
	switch {
	case !slices.Contains(customerEvents, e.Kind):
		return false
	case e.Kind == domain.EventComment:
		return e.NewValue == visibility(true)
	case e.Kind == domain.EventField:
		return false
	}
	return true
}

// TicketEvents reads a ticket's history as the actor may see it, newest
// first: everything for agents, the customer's face for customers.
func (s *Service) TicketEvents(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, []*domain.Event, error) {
	var t *domain.Ticket
	var es []*domain.Event
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		es, err = tx.Events(ctx, t.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !a.IsAgent() {
		es = slices.DeleteFunc(es, func(e *domain.Event) bool { return !CustomerVisible(e) })
	}
	slices.Reverse(es)
	return t, es, nil
}

// EventsBefore pages a newest-first history by event id: up to size
// events older than before (0: from the newest), and whether more follow.
func EventsBefore(es []*domain.Event, before int64, size int) ([]*domain.Event, bool) {
	start := 0
	if before > 0 {
		start = len(es)
		for i, e := range es {
			if e.ID < before {
				start = i
				break
			}
		}
	}
	end := min(start+size, len(es))
	return es[start:end], end < len(es)
}

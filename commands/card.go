package commands

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// InternalTask stands for a linked ticket the reader may not see.
const InternalTask = "an internal task"

// CardView is everything a ticket's card shows.
type CardView struct {
	Ticket   *domain.Ticket
	Customer *domain.Customer
	Logged   time.Duration       // stopped and logged time
	Running  []*domain.TimeEntry // timers running on the ticket now
	Next     []string            // statuses the workflow allows from here
	Blockers []string            // keys of tickets that block this one
	Blocks   []string            // keys of tickets this one blocks
	// FollowsUp is the closed ticket this one was opened to follow up;
	// FollowedUpBy, the tickets that follow this one up.
	FollowsUp    []string
	FollowedUpBy []string
	Now          time.Time
	SLA          *SLAView // nil when no policy applies
	// OriginalDeleted: the message the ticket came from was deleted.
	OriginalDeleted bool
	Tags            []string // sorted
	Cc              []string // the CC list (the working face shows it)
	// MergedInto is the key of the ticket this one was merged into;
	// MergedFrom, the keys of those merged into it (merge.go).
	MergedInto string
	MergedFrom []string
	// Issues are the engineering issues linked to the ticket, for the
	// working face only (trackers.go).
	Issues []*domain.TrackerIssue
	// CustomerThread: the customer reads the ticket's Slack thread (their
	// channel, or one shared with their organisation). The transport sets
	// it, as only Slack knows a shared channel; the working face then
	// offers a reply there.
	CustomerThread bool
}

// Card gathers a ticket's public card, the one posted in its channel.
func (s *Service) Card(ctx context.Context, ticketID int64) (*CardView, error) {
	return s.oneCard(ctx, domain.PublicScope, ticketID)
}

// CardFor gathers a ticket's card as the actor may see it, to show it to
// them alone: an agent's shows every link, a customer's only their side.
func (s *Service) CardFor(ctx context.Context, a domain.Actor, ticketID int64) (*CardView, error) {
	return s.oneCard(ctx, a.Scope(), ticketID)
}

func (s *Service) oneCard(ctx context.Context, scope domain.Scope, ticketID int64) (*CardView, error) {
	vs, err := s.readCards(ctx, scope, []int64{ticketID})
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	}
	return vs[0], nil
}

// Cards gathers many tickets' public cards with a fixed number of queries
// (the outbox posts cards by the batch), in the order of ids; tickets not
// found are left out. A card is posted where the ticket's customer reads
// it, so each is read in its customer's public scope: a link to another
// customer's ticket shows as an internal task, internal notes stay out.
func (s *Service) Cards(ctx context.Context, ids []int64) ([]*CardView, error) {
	return s.readCards(ctx, domain.PublicScope, ids)
}

func (s *Service) readCards(ctx context.Context, scope domain.Scope, ids []int64) ([]*CardView, error) {
	var recs []*domain.TicketRecord
	var issues map[int64][]*domain.TrackerIssue
	var now time.Time
	err := s.store.ViewAs(ctx, scope, func(tx domain.Tx) (err error) {
		now = tx.Now()
		if recs, err = tx.TicketRecords(ctx, ids); err != nil {
			return err
		}
		issues, err = tx.TicketIssues(ctx, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	cfg := s.Config()
	out := make([]*CardView, 0, len(recs))
	for _, r := range recs {
		v := s.cardOf(cfg, r, now)
		v.Issues = issues[r.Ticket.ID]
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) cardOf(cfg *domain.Config, r *domain.TicketRecord, now time.Time) *CardView {
	t := r.Ticket
	v := &CardView{Ticket: t, Customer: r.Customer, Now: now, Next: s.TransitionsFor(t), Tags: r.Tags, Cc: r.Cc}
	for _, e := range r.Entries {
		if e.Running() {
			v.Running = append(v.Running, e)
		} else {
			v.Logged += time.Duration(e.Seconds) * time.Second
		}
	}
	slaV := slaViewOf(t, slaRunOf(cfg, t, r.Events, r.Comments, r.Alerts, now), now)
	if slaV.Policy != "" && slaV.Status != sla.NotApplicable {
		v.SLA = slaV
	}
	for _, e := range r.Events {
		if e.Kind == EventOriginalDeleted {
			v.OriginalDeleted = true
		}
	}
	v.MergedInto, v.MergedFrom = mergePointers(r.Events)
	for _, l := range r.Links {
		var list *[]string
		switch {
		case l.Kind == domain.LinkBlocks && l.ToID == t.ID:
			list = &v.Blockers
		case l.Kind == domain.LinkBlocks:
			list = &v.Blocks
		case l.Kind == domain.LinkFollowUp && l.FromID == t.ID:
			list = &v.FollowsUp
		case l.Kind == domain.LinkFollowUp:
			list = &v.FollowedUpBy
		default:
			continue
		}
		other := l.ToID
		if l.ToID == t.ID {
			other = l.FromID
		}
		key := r.LinkedKeys[other]
		if key == "" {
			key = InternalTask // another customer's: the reader may know only that it exists
		}
		*list = append(*list, key)
	}
	return v
}

// SetCard records the Slack message that shows a ticket and the thread its
// conversation runs in.
//
// outboxID, when not zero, is the outbox message that asked for the card:
// it is marked delivered in the same transaction, one commit instead of two
// on the path every new ticket takes.
func (s *Service) SetCard(ctx context.Context, ticketID int64, channel, ts, threadTS string, outboxID int64) error {
	// One lane: cards touch one row each and never wait for each other.
	return s.cards.do(ctx, s.store, "", func(tx domain.Tx) error {
		if err := tx.SetTicketCard(ctx, ticketID, channel, ts, threadTS); err != nil {
			return err
		}
		if outboxID != 0 {
			return tx.MarkDelivered(ctx, outboxID)
		}
		return nil
	})
}

// TicketByThread finds the ticket whose conversation runs in a Slack
// thread, or nil.
func (s *Service) TicketByThread(ctx context.Context, channel, threadTS string) (*domain.Ticket, error) {
	var t *domain.Ticket
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		if t, err = tx.TicketByThread(ctx, channel, threadTS); err != nil {
			return err
		}
		// A reply in a merged ticket's thread goes on in the target.
		t, err = followMerges(ctx, tx, t)
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return t, err
}

// FollowUpTicket returns the requester's open ticket for the customer that
// changed within window, so a quick follow-up message joins it; nil if none.
func (s *Service) FollowUpTicket(ctx context.Context, customerID int64, requesterID string, window time.Duration) (*domain.Ticket, error) {
	var t *domain.Ticket
	err := s.store.View(ctx, func(tx domain.Tx) error {
		ts, err := tx.FindTickets(ctx, domain.TicketFilter{CustomerID: customerID, RequesterID: requesterID, Statuses: s.OpenStatuses(), Limit: 1})
		if err != nil || len(ts) == 0 {
			return err
		}
		if tx.Now().Sub(ts[0].UpdatedAt) <= window {
			t = ts[0]
		}
		return nil
	})
	return t, err
}

// Dismiss closes a ticket that should not have been opened ("Not a ticket"),
// whatever the workflow, since it never was real work. The requester or an
// agent may.
func (s *Service) Dismiss(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, error) {
	cfg := s.Config()
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		if !a.IsAgent() && t.RequesterID != a.UserID {
			return domain.Errorf(domain.EFORBIDDEN, "Only the requester or an agent can say this is not a ticket.")
		}
		var closed string
		for _, st := range cfg.Statuses {
			if st.Category == domain.CategoryClosed {
				closed = st.Name
				break
			}
		}
		if closed == "" || t.Status == closed {
			return domain.Errorf(domain.EINVALID, "%s is already closed.", t.Key())
		}
		from := t.Status
		now := tx.Now()
		t.Status, t.ClosedAt = closed, &now
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return err
		}
		if err := event(ctx, tx, a, t, domain.EventDismissed, "status", from, closed); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, cfg, t, domain.EventDismissed); err != nil {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	return t, err
}

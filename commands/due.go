package commands

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// SetDue sets a ticket's due date, or clears it (at zero). public shows it
// to the customer, on the card in their channel. Agents and automations
// may; the change is an event like any field's.
func (s *Service) SetDue(ctx context.Context, a domain.Actor, key string, at time.Time, public bool) (*domain.Ticket, error) {
	if err := requireAgent(a, "set due dates"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		return s.setDue(ctx, tx, cfg, a, t, at, public)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) setDue(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, at time.Time, public bool) error {
	old := formatDue(t.DueAt)
	if at.IsZero() {
		t.DueAt, t.DuePublic = nil, false
	} else {
		at = at.UTC().Truncate(time.Minute)
		t.DueAt, t.DuePublic = &at, public
	}
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventField, "due", old, formatDue(t.DueAt)); err != nil {
		return err
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventField); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

func formatDue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

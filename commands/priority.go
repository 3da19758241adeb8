package commands

import (
	"context"

	"github.com/deskbot/deskbot/domain"
)

// SetPriority changes a ticket's priority. Only agents may. The SLA hook
// then recomputes the deadlines from the ticket's history: the new
// target applies with the business time already used, so a raise can put
// the ticket at risk or in breach at once.
func (s *Service) SetPriority(ctx context.Context, a domain.Actor, key, priority string) (*domain.Ticket, error) {
	if err := requireAgent(a, "change priorities"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	if !cfg.HasPriority(priority) {
		return nil, domain.FieldErrorf("priority", "%s", unknownMsg("priority", priority, cfg.Priorities))
	}
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		return s.setPriority(ctx, tx, cfg, a, t, priority)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// setPriority changes t's priority inside tx, with its event, the hooks
// and the card; the same priority changes nothing.
func (s *Service) setPriority(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, priority string) error {
	if !cfg.HasPriority(priority) {
		return domain.FieldErrorf("priority", "%s", unknownMsg("priority", priority, cfg.Priorities))
	}
	if t.Priority == priority {
		return nil
	}
	old := t.Priority
	t.Priority = priority
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventPriority, "priority", old, priority); err != nil {
		return err
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventPriority); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

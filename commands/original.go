package commands

import (
	"context"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// Events about the message a ticket came from.
const (
	// EventDescription: the original message was edited and the
	// description follows it (OldValue, NewValue: before and after).
	EventDescription = "description"
	// EventOriginalDeleted: the original message was deleted; the card
	// says so, and the ticket keeps its description.
	EventOriginalDeleted = "original_deleted"
)

// OriginalChanged follows an edit or a deletion of the message a ticket
// was opened from (a customer's message in their channel, a reacted
// message). ref is the message's dedup id, as CreateTicket recorded it.
// An edit by its author updates the ticket's description; a deletion is
// recorded and shown on the card. No ticket from that message: nil, nil.
func (s *Service) OriginalChanged(ctx context.Context, a domain.Actor, ref, text string, deleted bool) (*domain.Ticket, error) {
	cfg := s.Config()
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		key, err := tx.ProcessedResult(ctx, "ticket", ref)
		if err != nil {
			return err
		}
		if t, err = tx.TicketByKey(ctx, key); err != nil {
			return err
		}
		if deleted {
			if err := event(ctx, tx, a, t, EventOriginalDeleted, "", "", ""); err != nil {
				return err
			}
			return refreshCard(ctx, tx, t)
		}
		text = strings.TrimSpace(text)
		if text == "" || text == t.Description {
			return nil
		}
		old := t.Description
		t.Description = text
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return err
		}
		if err := event(ctx, tx, a, t, EventDescription, "description", old, text); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, cfg, t, domain.EventField); err != nil {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return t, err
}

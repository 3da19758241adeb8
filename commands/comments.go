package commands

import (
	"context"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// CommentInput is a message on a ticket.
type CommentInput struct {
	Body string
	// Public comments reach the customer; internal notes never do.
	Public bool
	// SourceRef identifies the message (Slack ts, email Message-ID): the
	// same message twice makes one comment, and edits find it again.
	SourceRef string
}

// Comment adds a message to a ticket. The first public reply by an agent
// records the first response; a customer writing on a ticket that waits
// for them puts it back in the agents' court.
func (s *Service) Comment(ctx context.Context, a domain.Actor, key string, in CommentInput) (*domain.Comment, error) {
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return nil, domain.FieldErrorf("body", "The comment is empty.")
	}
	if !a.IsAgent() && !in.Public {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only support agents can write internal notes.")
	}
	cfg := s.Config()
	var c *domain.Comment
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		c = &domain.Comment{TicketID: t.ID, AuthorID: a.UserID, AuthorEmail: a.Email, AuthorName: a.Name,
			AuthorRole: a.Role, Body: body, Public: in.Public, Channel: a.Channel, SourceRef: in.SourceRef}
		if err := tx.AddComment(ctx, c); err != nil {
			return err
		}
		if err := event(ctx, tx, a, t, domain.EventComment, "", "", visibility(in.Public)); err != nil {
			return err
		}
		changed, err := s.afterComment(ctx, tx, cfg, a, t, in.Public)
		if err != nil {
			return err
		}
		if err := s.changed(ctx, tx, cfg, t, domain.EventComment); err != nil || !changed {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func visibility(public bool) string {
	if public {
		return "public"
	}
	return "internal"
}

// afterComment applies what a comment means for the ticket and reports
// whether the ticket changed.
func (s *Service) afterComment(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, public bool) (bool, error) {
	switch {
	case a.Role == domain.RoleAgent && public && t.FirstResponseAt == nil:
		now := tx.Now()
		t.FirstResponseAt = &now
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return false, err
		}
		return true, event(ctx, tx, a, t, domain.EventFirstReply, "", "", now.Format("2006-01-02T15:04:05Z"))
	case a.Role == domain.RoleCustomer:
		st := cfg.Status(t.Status)
		if st == nil || st.Category != domain.CategoryWaiting {
			return false, nil
		}
		for _, next := range cfg.WorkflowFor(t.Type).Next(t.Status) {
			if cfg.Status(next).Category == domain.CategoryOpen {
				return true, s.moveStatus(ctx, tx, cfg, a, t, next)
			}
		}
	}
	return false, nil
}

// EditComment updates the comment made from a source message; deleted
// messages mark it deleted. Unknown sources are ignored (nil, nil), since
// most messages in a channel are not comments.
func (s *Service) EditComment(ctx context.Context, a domain.Actor, ticketID int64, sourceRef, body string, deleted bool) (*domain.Comment, error) {
	var c *domain.Comment
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		c, err = tx.CommentBySource(ctx, ticketID, sourceRef)
		if err != nil {
			return err
		}
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		kind := domain.EventCommentEdit
		if deleted {
			now := tx.Now()
			c.DeletedAt = &now
			kind = domain.EventCommentDel
		} else {
			c.Body = strings.TrimSpace(body)
		}
		if err := tx.UpdateComment(ctx, c); err != nil {
			return err
		}
		return event(ctx, tx, a, t, kind, "", "", "")
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return c, err
}

// History returns a ticket's comments and events, for its card and /desk views.
func (s *Service) History(ctx context.Context, a domain.Actor, key string) ([]*domain.Comment, []*domain.Event, error) {
	var cs []*domain.Comment
	var es []*domain.Event
	err := s.store.View(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		if cs, err = tx.Comments(ctx, t.ID); err != nil {
			return err
		}
		es, err = tx.Events(ctx, t.ID)
		return err
	})
	if err == nil && !a.IsAgent() {
		public := cs[:0]
		for _, c := range cs {
			if c.Public {
				public = append(public, c)
			}
		}
		cs = public
	}
	return cs, es, err
}

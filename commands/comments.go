package commands

import (
	"context"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
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

// MaxComment is the longest comment kept: what one Slack message holds.
const MaxComment = 40_000

// Comment adds a message to a ticket. The first public reply by an agent
// records the first response; a customer writing on a ticket that waits
// for them, or that was resolved, puts it back in the agents' court (see
// afterComment).
func (s *Service) Comment(ctx context.Context, a domain.Actor, key string, in CommentInput) (*domain.Comment, error) {
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return nil, domain.FieldErrorf("body", "The comment is empty.")
	}
	if err := textclean.Check("body", "The comment", body, MaxComment); err != nil {
		return nil, err
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
		return s.addComment(ctx, tx, cfg, a, t, c)
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

// addComment stores a comment on t with all it means: its event, the first
// response or the customer's answer (afterComment), the change hooks
// (automations on comment_added), and the card when the ticket changed.
func (s *Service) addComment(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, c *domain.Comment) error {
	if err := tx.AddComment(ctx, c); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventComment, "", "", visibility(c.Public)); err != nil {
		return err
	}
	changed, err := s.afterComment(ctx, tx, cfg, a, t, c.Public)
	if err != nil {
		return err
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventComment); err != nil || !changed {
		return err
	}
	return refreshCard(ctx, tx, t)
}

// afterComment applies what a comment means for the ticket and reports
// whether the ticket changed. Only a customer's public word moves it:
// agents' comments, internal notes and robots' mail never do.
func (s *Service) afterComment(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, public bool) (bool, error) {
	switch {
	case a.Role == domain.RoleAgent && public && t.FirstResponseAt == nil:
		now := tx.Now()
		t.FirstResponseAt = &now
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return false, err
		}
		return true, event(ctx, tx, a, t, domain.EventFirstReply, "", "", now.Format("2006-01-02T15:04:05Z"))
	case a.Role == domain.RoleCustomer && public:
		return s.customerWrote(ctx, tx, cfg, a, t)
	}
	return false, nil
}

// customerWrote puts a ticket that waits on the customer, or that was
// resolved, back in the agents' court: the customer's word says it is
// not over, and leaving those statuses resumes the SLA clocks. A ticket
// that is over for good stays so; its thread tells the customer.
func (s *Service) customerWrote(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket) (bool, error) {
	st := cfg.Status(t.Status)
	switch {
	case st == nil:
		return false, nil
	case over(cfg, t):
		return false, s.tellClosed(ctx, tx, cfg, a, t)
	case st.Category != domain.CategoryWaiting && st.Category != domain.CategoryResolved:
		return false, nil
	}
	to := reopenTo(cfg, t)
	if to == "" {
		return false, nil
	}
	return true, s.moveStatus(ctx, tx, cfg, a, t, to)
}

// reopenTo is where a customer's answer moves a ticket: the first status
// of category open its workflow allows from here, "" when none does. A
// move the workflow would refuse (a field it requires) is skipped, so
// that the answer is never lost for it.
func reopenTo(cfg *domain.Config, t *domain.Ticket) string {
	wf := cfg.WorkflowFor(t.Type)
	if wf == nil {
		return ""
	}
	for _, next := range wf.Next(t.Status) {
		st := cfg.Status(next)
		if st != nil && st.Category == domain.CategoryOpen && wf.CheckMove(cfg, t.Status, next, t.Fields) == nil {
			return next
		}
	}
	return ""
}

// over tells a ticket that a customer's answer cannot bring back: closed,
// or done with no way back to open in its workflow. What customers write
// to it reaches nobody, since nobody works such tickets.
func over(cfg *domain.Config, t *domain.Ticket) bool {
	st := cfg.Status(t.Status)
	switch {
	case st == nil:
		return false
	case st.Category == domain.CategoryClosed:
		return true
	}
	return st.Done() && reopenTo(cfg, t) == ""
}

// NoticeTicketClosed: a customer wrote in the thread of a ticket that is
// over; in its thread. Args: status (its label), new_here ("1" when a
// new message in that channel opens a ticket).
const NoticeTicketClosed = "ticket_closed"

// tellClosed answers a customer writing under a closed ticket's card in
// Slack: their message stays on the ticket, and the thread says it is
// closed and how to open a new one. Once per closing: a conversation
// that carries on there is not answered at every message. Mail to a
// closed ticket opens a follow-up instead (followUp).
func (s *Service) tellClosed(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket) error {
	if a.Channel != domain.ChannelSlack {
		return nil
	}
	told, err := toldClosed(ctx, tx, t)
	if err != nil || told {
		return err
	}
	p, err := tx.Customer(ctx, t.CustomerID)
	if err != nil {
		return err
	}
	return threadPost(ctx, tx, t, PostJob{Notice: NoticeTicketClosed, By: a.Ref(), Args: map[string]string{
		"status": cfg.StatusLabel(t.Status), "new_here": boolArg(p.AutoTickets && p.ChannelID != "" && p.ChannelID == t.SlackChannel),
	}})
}

// toldClosed tells whether the customer already wrote since the ticket
// closed, besides the comment just added: then the notice went out.
func toldClosed(ctx context.Context, tx domain.CommentStore, t *domain.Ticket) (bool, error) {
	since := t.ClosedAt
	if since == nil {
		since = t.ResolvedAt
	}
	cs, err := tx.Comments(ctx, t.ID)
	if err != nil {
		return false, err
	}
	n := 0
	for _, c := range cs {
		if c.AuthorRole == domain.RoleCustomer && c.Public && (since == nil || !c.CreatedAt.Before(*since)) {
			n++
		}
	}
	return n > 1, nil
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
	err := s.view(ctx, a, func(tx domain.Tx) error {
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

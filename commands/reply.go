package commands

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
)

// MaxReply is the longest reply to a customer, in characters (Slack's
// modal input holds 3000; the API may send more).
const MaxReply = 20_000

// CanMail reports whether replies to customers can go out by mail.
func (s *Service) CanMail() bool { return s.mail.sending() }

// ReplyToCustomer answers a ticket's requester by mail: a public comment
// (the first one records the first response) and a mail to the requester
// and the people they copied, in the ticket's mail thread. Only agents
// may; internal notes never leave, this is the one way out.
func (s *Service) ReplyToCustomer(ctx context.Context, a domain.Actor, key, body string) (*domain.Comment, error) {
	return s.ReplyToCustomerOnce(ctx, a, key, body, "")
}

// ReplyToCustomerOnce is ReplyToCustomer made idempotent by dedupID (a
// modal's view id): a second call with it sends nothing and returns nil.
func (s *Service) ReplyToCustomerOnce(ctx context.Context, a domain.Actor, key, body, dedupID string) (*domain.Comment, error) {
	return s.ReplyWith(ctx, a, key, body, dedupID, 0)
}

// ReplyWith is ReplyToCustomerOnce with a saved reply (savedID, 0: none):
// its placeholders left in body are filled, and what it sets (status,
// priority, tags, assignee) changes in the reply's own transaction.
func (s *Service) ReplyWith(ctx context.Context, a domain.Actor, key, body, dedupID string, savedID int64) (*domain.Comment, error) {
	return s.reply(ctx, a, key, body, dedupID, savedID, false)
}

// MaxThreadReply is the longest reply posted in a Slack thread, in
// characters once its placeholders are filled: a Slack message holds
// 40,000, and escaping for mrkdwn may make one character five (&amp;).
const MaxThreadReply = 7_500

// NoticeAgentReply is an agent's reply posted in the customer's thread
// under their name (args: name, text).
const NoticeAgentReply = "agent_reply"

// ReplyInThread is ReplyWith for a customer who talks in Slack: the reply
// is a public comment posted, under the agent's name, in the ticket's
// thread. The transport says the customer reads that thread (their
// channel, or one shared with their organisation: only Slack knows).
func (s *Service) ReplyInThread(ctx context.Context, a domain.Actor, key, body, dedupID string, savedID int64) (*domain.Comment, error) {
	return s.reply(ctx, a, key, body, dedupID, savedID, true)
}

// reply answers the customer by mail, or in their Slack thread, in one
// transaction with what the saved reply sets.
func (s *Service) reply(ctx context.Context, a domain.Actor, key, body, dedupID string, savedID int64, inThread bool) (*domain.Comment, error) {
	if err := requireAgent(a, "reply to customers"); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return nil, domain.FieldErrorf("body", "Write the reply first.")
	case n > MaxReply:
		return nil, domain.FieldErrorf("body", "The reply is %d characters long; keep it under %d.", n, MaxReply)
	case !inThread && !s.mail.sending():
		return nil, domain.Errorf(domain.EINVALID, "Mail to customers is not set up: deskbot needs SMTP_RELAY_URL and MAIL_FROM.")
	}
	cfg := s.Config()
	var c *domain.Comment
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		c = nil
		if dedupID != "" {
			first, err := tx.MarkProcessed(ctx, "reply", dedupID)
			if err != nil || !first {
				return err
			}
		}
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		switch {
		case inThread && (t.SlackChannel == "" || t.SlackThreadTS == ""):
			return domain.Errorf(domain.EINVALID, "%s has no Slack thread to reply in.", t.Key())
		case !inThread && t.RequesterEmail == "":
			return domain.Errorf(domain.EINVALID, "%s has no requester email to reply to.", t.Key())
		}
		var saved *domain.SavedReply
		if savedID != 0 {
			if saved, err = s.usableReply(ctx, tx, a, savedID); err != nil {
				return err
			}
			rc, err := s.replyContext(ctx, tx, a, t)
			if err != nil {
				return err
			}
			body = domain.ExpandReply(body, rc)
		}
		if inThread {
			c, err = s.postReply(ctx, tx, cfg, a, t, body)
		} else {
			c, err = s.mailReply(ctx, tx, cfg, a, t, body)
		}
		if err != nil || saved == nil {
			return err
		}
		return s.applySavedReply(ctx, tx, cfg, a, t, saved)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// mailReply mails body to the requester and their CC list, in the
// ticket's mail thread, and keeps it as a public comment.
func (s *Service) mailReply(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, body string) (*domain.Comment, error) {
	spec := mailSpec{kind: domain.MailKindReply, text: body + "\n", fromName: a.Name}
	if a.Name != "" {
		spec.fromName = a.Name + " (" + s.mail.Name + ")"
	}
	var err error
	if spec.to, spec.cc, err = s.recipients(ctx, tx, t); err != nil {
		return nil, err
	}
	if err := s.mailTicket(ctx, tx, t, spec); err != nil {
		return nil, err
	}
	c := &domain.Comment{TicketID: t.ID, AuthorID: a.UserID, AuthorEmail: a.Email, AuthorName: a.Name,
		AuthorRole: a.Role, Body: body, Public: true, Channel: domain.ChannelEmail}
	if err := s.addComment(ctx, tx, cfg, a, t, c); err != nil {
		return nil, err
	}
	to := make([]string, 0, len(spec.to)+len(spec.cc))
	for _, r := range append(spec.to, spec.cc...) {
		to = append(to, r.Email)
	}
	return c, threadPost(ctx, tx, t, PostJob{Notice: NoticeEmailOut, By: a.Ref(),
		Args: map[string]string{"to": strings.Join(to, ", "), "body": excerpt(body, 2500)}})
}

// postReply keeps body as the agent's public comment and queues its post
// in the ticket's thread. The post is the bot's own message, which the
// transport never takes back as a comment.
func (s *Service) postReply(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, body string) (*domain.Comment, error) {
	if n := utf8.RuneCountInString(body); n > MaxThreadReply {
		return nil, domain.FieldErrorf("body", "The reply is %d characters long with its placeholders filled; a Slack message takes %d: shorten it.", n, MaxThreadReply)
	}
	c := &domain.Comment{TicketID: t.ID, AuthorID: a.UserID, AuthorEmail: a.Email, AuthorName: a.Name,
		AuthorRole: a.Role, Body: body, Public: true, Channel: domain.ChannelSlack}
	if err := s.addComment(ctx, tx, cfg, a, t, c); err != nil {
		return nil, err
	}
	return c, threadPost(ctx, tx, t, PostJob{Notice: NoticeAgentReply, By: a.Ref(),
		Args: map[string]string{"name": a.Name, "text": body}})
}

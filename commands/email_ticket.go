package commands

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// maxMailBody bounds what a mail adds to a ticket, in runes; a mail longer
// than a book is not read in Slack anyway, and the attachment keeps the rest.
const maxMailBody = 100_000

// addMail records a mail as a comment on the ticket it continues. A
// person's mail is a public comment (a customer's answer puts a ticket
// waiting on them, or resolved, back in the agents' court, which resumes
// its SLA clock); an auto-reply or a bounce is an internal note, so it neither
// resumes the clock nor counts as an answer, and it is never acknowledged.
func (s *Service) addMail(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, t *domain.Ticket, res *IngestResult) error {
	robot := in.robot()
	a := domain.Actor{Email: in.from.Email, Name: in.from.Name, Channel: domain.ChannelEmail, Role: domain.RoleCustomer, CustomerID: t.CustomerID}
	switch {
	case robot:
		a.Role, a.CustomerID = domain.RoleSystem, 0
	case in.fromAgent:
		a.Role, a.CustomerID = domain.RoleAgent, 0
	}
	body := mailText(in)
	if robot {
		body = robotLabel(in.m.Auto) + " from " + firstNonEmpty(in.from.Email, "an unknown sender") + ":\n" + body
	}
	c := &domain.Comment{TicketID: t.ID, AuthorEmail: a.Email, AuthorName: a.Name, AuthorRole: a.Role,
		Body: body, Public: !robot, Channel: domain.ChannelEmail, SourceRef: in.key}
	if err := s.addComment(ctx, tx, cfg, a, t, c); err != nil {
		return err
	}
	res.Action, res.TicketKey, res.TicketID, res.CommentID = IngestCommented, t.Key(), t.ID, c.ID
	if err := s.recordIn(ctx, tx, in, t); err != nil {
		return err
	}
	var kept keptFiles
	if !robot {
		// Whoever writes in and whom they copy get the ticket's mail from now on.
		var sender *mail.Address
		if !in.fromAgent && in.from.Email != "" {
			sender = &in.from
		}
		if err := s.addParticipants(ctx, tx, in, t, sender, domain.ParticipantCc); err != nil {
			return err
		}
		var err error
		if kept, err = s.keepAttachments(ctx, tx, cfg, in, t, &c.ID); err != nil {
			return err
		}
	}
	postIn := threadPost
	if !c.Public {
		postIn = internalPost
	}
	return postIn(ctx, tx, t, PostJob{Notice: NoticeEmailIn, By: a.Ref(), Args: kept.args(map[string]string{
		"from": formatAddress(in.from), "subject": in.m.Subject, "body": excerpt(mailText(in), 2500),
		"kind": robotKind(in.m.Auto), "internal": boolArg(!c.Public),
	})})
}

// openFromMail opens a ticket for a mail that continues none.
func (s *Service) openFromMail(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, res *IngestResult) error {
	p, err := s.mailCustomer(ctx, tx, in)
	if err != nil {
		return err
	}
	return s.openMailTicket(ctx, tx, cfg, in, p, nil, res)
}

// openMailTicket opens a ticket for a mail under a customer. prev, when
// set, is the closed ticket the mail answered (followUp).
func (s *Service) openMailTicket(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, p *domain.Customer, prev *domain.Ticket, res *IngestResult) error {
	a := domain.Actor{Email: in.from.Email, Name: in.from.Name, Channel: domain.ChannelEmail, Role: domain.RoleCustomer, CustomerID: p.ID}
	switch {
	case in.from.Email == "":
		a = domain.SystemActor(domain.ChannelEmail)
	case in.fromAgent:
		a.Role, a.CustomerID = domain.RoleAgent, 0
	}
	// Reads before the ticket takes its number: from then on the
	// customer's numbering waits for this transaction.
	ack, err := s.mayAcknowledge(ctx, tx, in)
	if err != nil {
		return err
	}
	// As CreateTicket, with the customer decided by mail routing instead
	// of by the input.
	t, err := s.newTicket(cfg, a, mailTicketInput(cfg, in, prev))
	if err != nil {
		return err
	}
	t.EmailThread = in.m.MessageID
	if err := s.openTicket(ctx, tx, cfg, a, t, p, ""); err != nil {
		return err
	}
	res.Action, res.TicketKey, res.TicketID = IngestCreated, t.Key(), t.ID
	if prev != nil {
		if err := linkFollowUp(ctx, tx, a, t, prev); err != nil {
			return err
		}
	}
	if err := s.recordIn(ctx, tx, in, t); err != nil {
		return err
	}
	var requester *mail.Address
	if in.requester.Email != "" {
		requester = &in.requester
	}
	if err := s.addParticipants(ctx, tx, in, t, requester, domain.ParticipantRequester); err != nil {
		return err
	}
	if err := s.keepForwardNote(ctx, tx, in, a, t); err != nil {
		return err
	}
	kept, err := s.keepAttachments(ctx, tx, cfg, in, t, nil)
	if err != nil {
		return err
	}
	if kept.any() {
		if err := threadPost(ctx, tx, t, PostJob{Notice: NoticeEmailIn, Args: kept.args(map[string]string{
			"first": "1", "from": formatAddress(in.requester)})}); err != nil {
			return err
		}
	}
	if !ack {
		return nil
	}
	res.Acknowledged = true
	return s.acknowledge(ctx, tx, in, t, prev)
}

// mailTicketInput is the ticket a mail asks for. A follow-up says first
// what it follows up, where the card shows it, and keeps the requester's
// Slack identity when the same person writes.
func mailTicketInput(cfg *domain.Config, in *inbound, prev *domain.Ticket) TicketInput {
	ti := TicketInput{
		Title: mailTitle(in), Description: mailDescription(in), Source: domain.SourceEmail,
		SourceRef: firstNonEmpty(in.m.MessageID, in.key), RequesterEmail: in.requester.Email, RequesterName: in.requester.Name,
	}
	if prev == nil {
		return ti
	}
	ti.Description = fmt.Sprintf("Follow-up of %s (%s).\n\n%s", prev.Key(), strings.ToLower(cfg.StatusLabel(prev.Status)), ti.Description)
	if strings.EqualFold(prev.RequesterEmail, in.requester.Email) {
		ti.RequesterID = prev.RequesterID
	}
	return ti
}

// keepForwardNote keeps what an agent wrote above a forward as an
// internal note: the agent's words travel with the ticket, never to the
// customer.
func (s *Service) keepForwardNote(ctx context.Context, tx domain.Tx, in *inbound, a domain.Actor, t *domain.Ticket) error {
	note := forwardNote(in)
	if note == "" {
		return nil
	}
	c := &domain.Comment{TicketID: t.ID, AuthorEmail: a.Email, AuthorName: a.Name, AuthorRole: a.Role,
		Body: note, Public: false, Channel: domain.ChannelEmail, SourceRef: in.key}
	if err := tx.AddComment(ctx, c); err != nil {
		return err
	}
	return event(ctx, tx, a, t, domain.EventComment, "", "", visibility(false))
}

// followsUp tells a person's mail to a ticket that is over (closed, or
// done for good): writing into it would reach nobody, so it opens a
// ticket of its own. Agents' mail and robots' notes still go on the old
// ticket, where they change nothing.
func followsUp(cfg *domain.Config, in *inbound, t *domain.Ticket) bool {
	return !in.fromAgent && !in.robot() && over(cfg, t)
}

// followUp opens a new ticket for a mail to a ticket that is over: the
// same customer's, with the mail as its description, linked to the old
// one, which stays as it was. More mail in the old thread joins that
// follow-up while it is not over itself, rather than opening another.
func (s *Service) followUp(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, prev *domain.Ticket, res *IngestResult) error {
	next, err := liveFollowUp(ctx, tx, cfg, prev)
	if err != nil {
		return err
	}
	if next != nil {
		res.Reason = fmt.Sprintf("%s is %s: added to its follow-up %s", prev.Key(), prev.Status, next.Key())
		return s.addMail(ctx, tx, cfg, in, next, res)
	}
	p, err := tx.Customer(ctx, prev.CustomerID)
	if err != nil {
		return err
	}
	if err := s.openMailTicket(ctx, tx, cfg, in, p, prev, res); err != nil {
		return err
	}
	res.Reason = fmt.Sprintf("follow-up of %s (%s)", prev.Key(), prev.Status)
	return nil
}

// liveFollowUp is the latest follow-up of prev that is not over, or nil.
func liveFollowUp(ctx context.Context, tx domain.Tx, cfg *domain.Config, prev *domain.Ticket) (*domain.Ticket, error) {
	links, err := tx.Links(ctx, prev.ID)
	if err != nil {
		return nil, err
	}
	var live *domain.Ticket
	for _, l := range links {
		if l.Kind != domain.LinkFollowUp || l.ToID != prev.ID {
			continue
		}
		t, err := tx.Ticket(ctx, l.FromID)
		if err != nil {
			return nil, err
		}
		if !over(cfg, t) && (live == nil || t.ID > live.ID) {
			live = t
		}
	}
	return live, nil
}

// linkFollowUp links a follow-up to the ticket it follows up, with an
// event on each, so either's history leads to the other.
func linkFollowUp(ctx context.Context, tx domain.Tx, a domain.Actor, t, prev *domain.Ticket) error {
	if err := tx.AddLink(ctx, &domain.Link{FromID: t.ID, ToID: prev.ID, Kind: domain.LinkFollowUp}); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventLinked, domain.LinkFollowUp, "", prev.Key()); err != nil {
		return err
	}
	return event(ctx, tx, a, prev, domain.EventLinked, domain.LinkFollowUp+"_by", "", t.Key())
}

// recordIn keeps the mail's Message-ID with the ticket, for the replies to come.
func (s *Service) recordIn(ctx context.Context, tx domain.EmailStore, in *inbound, t *domain.Ticket) error {
	if in.m.MessageID == "" {
		return nil
	}
	kind := domain.MailKindMail
	if in.m.Auto != mail.None {
		kind = domain.MailKindAuto
	}
	_, err := tx.AddTicketMessage(ctx, &domain.TicketMessage{MessageID: in.m.MessageID, TicketID: t.ID,
		Direction: domain.MailIn, Kind: kind, Address: in.from.Email})
	return err
}

// addParticipants records the writer (in the role given, if any) and the
// people the mail copied.
func (s *Service) addParticipants(ctx context.Context, tx domain.EmailStore, in *inbound, t *domain.Ticket, writer *mail.Address, role string) error {
	var ps []*domain.Participant
	if writer != nil {
		ps = append(ps, &domain.Participant{TicketID: t.ID, Email: writer.Email, Name: writer.Name, Role: role})
	}
	for _, c := range in.copied {
		ps = append(ps, &domain.Participant{TicketID: t.ID, Email: c.Email, Name: c.Name, Role: domain.ParticipantCc})
	}
	return tx.AddParticipants(ctx, ps)
}

// mailTitle makes a title of the subject without its Re:, Fwd: and key
// tags, or of the first line of the text; a mail is never refused for a
// missing or overlong subject, since it cannot be asked again.
func mailTitle(in *inbound) string {
	subject := in.m.Subject
	if in.forwarded && in.m.Forwarded.Subject != "" {
		subject = in.m.Forwarded.Subject
	}
	title := mail.CleanSubject(subject)
	if title == "" {
		first, _, _ := strings.Cut(strings.TrimSpace(mailText(in)), "\n")
		title = strings.Join(strings.Fields(first), " ")
		if r := []rune(title); len(r) > 80 {
			title = string(r[:79]) + "…"
		}
	}
	if title == "" || strings.HasPrefix(title, "(") {
		title = "Email from " + firstNonEmpty(in.requester.Name, in.requester.Email, "an unknown sender")
	}
	if r := []rune(title); len(r) > MaxTitle {
		title = string(r[:MaxTitle-1]) + "…"
	}
	return title
}

// mailText is what the sender wrote: the reply without quoted history
// and signature, else the whole text.
func mailText(in *inbound) string {
	body := strings.TrimSpace(in.m.Reply)
	if body == "" {
		body = strings.TrimSpace(in.m.Text)
	}
	if body == "" {
		if len(in.m.Attachments) > 0 {
			return "(attachments only)"
		}
		return "(empty message)"
	}
	if utf8.RuneCountInString(body) > maxMailBody {
		body = string([]rune(body)[:maxMailBody]) + "\n[…cut]"
	}
	return body
}

// mailDescription is the request: the original of a forward, else the text.
func mailDescription(in *inbound) string {
	if in.forwarded {
		if fw := strings.TrimSpace(in.m.Forwarded.Text); fw != "" {
			if utf8.RuneCountInString(fw) > maxMailBody {
				fw = string([]rune(fw)[:maxMailBody]) + "\n[…cut]"
			}
			return fw
		}
	}
	return mailText(in)
}

// forwardNote is what the agent wrote above a forward, if anything.
func forwardNote(in *inbound) string {
	if !in.forwarded {
		return ""
	}
	note := strings.TrimSpace(in.m.Reply)
	fw := strings.TrimSpace(in.m.Forwarded.Text)
	first, _, _ := strings.Cut(fw, "\n")
	if note == "" || note == strings.TrimSpace(in.m.Text) || (first != "" && strings.Contains(note, strings.TrimSpace(first))) {
		return "" // no note: the reply is the forward itself
	}
	return "Forwarded by " + firstNonEmpty(in.from.Name, in.from.Email) + ": " + note
}

// robot tells an auto-reply or a bounce: nobody wrote it, so it is
// never answered and never moves a ticket.
func (in *inbound) robot() bool { return in.m.Auto == mail.AutoReply || in.m.Auto == mail.Bounce }

func robotLabel(k mail.AutoKind) string {
	if k == mail.Bounce {
		return "Bounce"
	}
	return "Auto-reply"
}

func robotKind(k mail.AutoKind) string {
	switch k {
	case mail.AutoReply:
		return "auto-reply"
	case mail.Bounce:
		return "bounce"
	case mail.Bulk:
		return "bulk"
	}
	return ""
}

func formatAddress(a mail.Address) string {
	switch {
	case a.Name != "" && a.Email != "":
		return a.Name + " <" + a.Email + ">"
	case a.Email != "":
		return a.Email
	}
	return firstNonEmpty(a.Name, "unknown sender")
}

func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return ""
}

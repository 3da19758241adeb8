package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// Notices about mail, worded by the Slack transport.
const (
	// NoticeEmailIn: a mail came in on the ticket (Args: from, subject,
	// body, kind, internal, skipped — attachments over the limit, one a
	// line; unposted — files kept but past email.files_per_mail, one a
	// line, unposted_more how many more, files_per_mail the limit; first:
	// the ticket's opening mail, whose text the card shows).
	NoticeEmailIn = "email_in"
	// NoticeEmailOut: an agent's reply went out by mail (Args: to, body).
	NoticeEmailOut = "email_out"
	// NoticeEmailFailed: a mail could not be delivered (Args: to, reason).
	NoticeEmailFailed = "email_failed"
)

// ackLimit acknowledgements to one address per hour at most: a robot
// that answers every mail with a new one (and no headers to tell) would
// otherwise ping-pong with deskbot forever.
const ackLimit = 5

// mayAcknowledge tells whether a new ticket's requester gets told its
// key: not when a robot sent the mail (auto-replies, bounces, bulk and
// list mail never get one: RFC 3834), nor when the requester is one of
// us, nor when this address had its share of acknowledgements this hour.
func (s *Service) mayAcknowledge(ctx context.Context, tx domain.Tx, in *inbound) (bool, error) {
	to := in.requester
	if !s.mail.sending() || in.m.Auto != mail.None || to.Email == "" || slices.Contains(s.MailDomains(), mail.DomainOf(to.Email)) ||
		s.isAgentMail(s.Config(), to.Email) {
		return false, nil
	}
	n, err := tx.CountMailsTo(ctx, to.Email, domain.MailKindAck, tx.Now().Add(-time.Hour))
	return err == nil && n < ackLimit, err
}

// acknowledge tells the requester their mail became a ticket, with its
// key; a follow-up also says why their answer did not go on prev.
func (s *Service) acknowledge(ctx context.Context, tx domain.Tx, in *inbound, t, prev *domain.Ticket) error {
	to := in.requester
	opened := "We opened"
	if prev != nil {
		opened = fmt.Sprintf("%s is %s, so we opened", prev.Key(), strings.ToLower(s.Config().StatusLabel(prev.Status)))
	}
	text := fmt.Sprintf("Hello %s,\n\nThank you for your message. %s ticket %s for it:\n\n    %s\n\n"+
		"Our team will get back to you. To add anything, reply to this email and keep [%s] in the subject.\n\n"+
		"This is an automatic acknowledgement.\n", firstNonEmpty(to.Name, to.Email), opened, t.Key(), t.Title, t.Key())
	spec := mailSpec{kind: domain.MailKindAck, text: text, auto: "auto-replied", to: []mail.Address{to}, cc: in.copied}
	if !in.forwarded && in.m.MessageID != "" {
		spec.inReplyTo = in.m.MessageID
		spec.references = append(slices.Clone(in.m.References), in.m.MessageID)
	}
	return s.mailTicket(ctx, tx, t, spec)
}

// mailSpec is what differs between the mails of a ticket.
type mailSpec struct {
	kind     string
	subject  string // default the ticket's title
	text     string
	auto     string // no person wrote it: Auto-Submitted auto-replied or auto-generated
	fromName string // default MailOptions.Name
	// to and cc default to the ticket's requester and the people copied.
	to, cc []mail.Address
	// inReplyTo and references default to the ticket's thread.
	inReplyTo  string
	references []string
}

// maxReferences keeps References short: the thread's first mail and the latest ones.
const maxReferences = 20

// mailTicket composes a mail about a ticket — from MAIL_FROM, the key in
// the subject and in a plus-addressed Reply-To, threaded after the
// ticket's mails — records its Message-ID and queues it.
func (s *Service) mailTicket(ctx context.Context, tx domain.Tx, t *domain.Ticket, spec mailSpec) error {
	if spec.to == nil {
		var err error
		if spec.to, spec.cc, err = s.recipients(ctx, tx, t); err != nil {
			return err
		}
	}
	if len(spec.to) == 0 {
		return domain.Errorf(domain.EINVALID, "%s has no requester email to write to.", t.Key())
	}
	if spec.inReplyTo == "" {
		ms, err := tx.TicketMessages(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			spec.references = append(spec.references, m.MessageID)
			if m.Direction == domain.MailIn || spec.inReplyTo == "" {
				spec.inReplyTo = m.MessageID // the latest mail from them
			}
		}
	}
	if n := len(spec.references); n > maxReferences {
		spec.references = append(spec.references[:1:1], spec.references[n-maxReferences+1:]...)
	}
	// Every mail to a requester carries the link to their ticket's page,
	// bound to the address it goes to.
	if link, err := s.portalLink(ctx, tx, t, spec.to[0].Email); err != nil {
		return err
	} else if link != "" {
		spec.text += portalLinkText(link)
	}
	key := t.Key()
	job := mail.Outgoing{
		Ticket: key, Kind: spec.kind, MessageID: mail.NewMessageID(key, s.mail.domain()),
		From: mail.Address{Name: firstNonEmpty(spec.fromName, s.mail.Name), Email: s.mail.Address}, ReplyTo: mail.PlusAddress(s.mail.Address, key),
		To: spec.to, Cc: spec.cc, Subject: mail.ThreadSubject(key, firstNonEmpty(spec.subject, t.Title), true), Text: spec.text,
		InReplyTo: spec.inReplyTo, References: spec.references, AutoSubmitted: spec.auto,
	}
	return s.queueMail(ctx, tx, t, job)
}

// queueMail records an outgoing mail's Message-ID with its ticket (so the
// answers thread, and the mail is known if it comes back) and queues it.
func (s *Service) queueMail(ctx context.Context, tx domain.Tx, t *domain.Ticket, job mail.Outgoing) error {
	if !s.mail.sending() {
		return domain.Errorf(domain.EINVALID, "Outgoing mail is not set up: SMTP_RELAY_URL and MAIL_FROM are needed.")
	}
	var to string
	if len(job.To) > 0 {
		to = job.To[0].Email
	}
	if _, err := tx.AddTicketMessage(ctx, &domain.TicketMessage{MessageID: job.MessageID, TicketID: t.ID,
		Direction: domain.MailOut, Kind: job.Kind, Address: to}); err != nil {
		return err
	}
	payload, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("commands: unable to encode mail: %w", err)
	}
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxMail, Payload: string(payload)})
}

// recipients are the requester (To) and the people they copied (Cc),
// never deskbot or an agent.
func (s *Service) recipients(ctx context.Context, tx domain.EmailStore, t *domain.Ticket) (to, cc []mail.Address, err error) {
	ps, err := tx.Participants(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	cfg := s.Config()
	ours := s.MailDomains()
	for _, p := range ps {
		a := mail.Address{Name: p.Name, Email: p.Email}
		switch {
		case slices.Contains(ours, mail.DomainOf(p.Email)) || s.isAgentMail(cfg, p.Email):
		case p.Role == domain.ParticipantRequester || strings.EqualFold(p.Email, t.RequesterEmail):
			to = append(to, a)
		default:
			cc = append(cc, a)
		}
	}
	if len(to) == 0 && t.RequesterEmail != "" {
		to = []mail.Address{{Name: t.RequesterName, Email: t.RequesterEmail}}
	}
	return to, cc, nil
}

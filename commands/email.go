package commands

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// MailOptions configure mail in and out.
type MailOptions struct {
	// Address is MAIL_FROM, deskbot's own address: mail goes out from it,
	// its plus-addresses (support+ACME-42@…) carry ticket keys back, and
	// everyone at its domain is an agent.
	Address string
	// Name is shown with Address in From; the address's own name, else "Support".
	Name string
	// Send is on when SMTP_RELAY_URL is set: acknowledgements and replies
	// are queued for the mail transport. Off, nothing is queued.
	Send bool
}

func (m MailOptions) normalized() MailOptions {
	if a, err := netmail.ParseAddress(strings.TrimSpace(m.Address)); err == nil {
		m.Address = strings.ToLower(a.Address)
		m.Name = firstNonEmpty(m.Name, a.Name)
	}
	m.Name = firstNonEmpty(m.Name, "Support")
	return m
}

func (m MailOptions) domain() string { return mail.DomainOf(m.Address) }

func (m MailOptions) sending() bool { return m.Send && m.Address != "" }

// MailDomains are the domains mail is accepted for: MAIL_FROM's and the
// config's email.domains. The SMTP listener refuses every other recipient.
func (s *Service) MailDomains() []string {
	var out []string
	if d := s.mail.domain(); d != "" {
		out = append(out, d)
	}
	for _, d := range s.Config().Email.Domains {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// What a mail became.
const (
	IngestCreated   = "created"   // a new ticket
	IngestCommented = "commented" // a comment (or internal note) on a ticket
	IngestDuplicate = "duplicate" // seen before: nothing done
	IngestIgnored   = "ignored"   // a loop, or a robot's mail about no ticket
)

// IngestResult says what a mail became.
type IngestResult struct {
	Action    string
	TicketKey string
	TicketID  int64
	CommentID int64
	// Reason says how the mail threaded (or which closed ticket it
	// follows up: "follow-up of ACME-7 (closed)"), or why it was ignored.
	Reason       string
	Acknowledged bool
}

// Ingest is IngestEmail for the mail transports (an email.Ingest).
func (s *Service) Ingest(ctx context.Context, raw []byte, via string, envelopeTo []string) error {
	_, err := s.IngestEmail(ctx, raw, via, envelopeTo...)
	return err
}

// IngestEmail turns one raw mail into a ticket or a comment, in one
// transaction with everything it implies (participants, attachments, the
// card, the acknowledgement). The same mail twice — an SMTP retry, an
// IMAP re-poll, both channels — is processed once: its Message-ID is
// recorded in that transaction. envelopeTo are the SMTP recipients, which
// may carry a plus tag the headers lack.
func (s *Service) IngestEmail(ctx context.Context, raw []byte, via string, envelopeTo ...string) (*IngestResult, error) {
	cfg := s.Config()
	m, err := mail.ParseLimited(raw, mailLimits(cfg))
	var over *mail.LimitError
	switch {
	case errors.As(err, &over):
		// Invalid input for IMAP (flagged, never retried); its SMTP
		// reply code for the listener.
		return nil, fmt.Errorf("%w: %w", domain.Errorf(domain.EINVALID, "Refused: %s.", over.Error()), over)
	case err != nil:
		return nil, domain.Errorf(domain.EINVALID, "This is not a mail message.")
	}
	in := s.inbound(cfg, m, raw, via, envelopeTo)
	// Attachments wait for the transaction in a file, not in memory, and
	// are stored one at a time (keepAttachments).
	if err := m.Spool(""); err != nil {
		return nil, err
	}
	defer m.Close()
	var res *IngestResult
	err = s.ingests.do(ctx, s.store, ingestLane(in), func(tx domain.Tx) (err error) {
		res, err = s.ingestTx(ctx, tx, cfg, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("email: ingested", "via", via, "message_id", m.MessageID, "from", in.from.Email,
		"action", res.Action, "ticket", res.TicketKey, "reason", res.Reason)
	return res, nil
}

// mailLimits are the config's email limits for the parser.
func mailLimits(cfg *domain.Config) mail.Limits {
	e := cfg.Email
	return mail.Limits{MaxDepth: e.MaxMIMEDepth, MaxParts: e.MaxMIMEParts,
		MaxHeaderLines: e.MaxHeaderLines, MaxHeaderBytes: int(e.MaxHeaderBytes)}.OrDefault()
}

// ingestLane groups mail by the customer it most likely concerns, as
// far as it tells before any read: a plus tag naming one, else the
// requester's domain (groupcommit.go).
func ingestLane(in *inbound) string {
	if len(in.customerTags) > 0 {
		return "tag:" + strings.ToLower(in.customerTags[0])
	}
	return "domain:" + mail.DomainOf(in.requester.Email)
}

// ingestTx is IngestEmail's work inside a transaction.
func (s *Service) ingestTx(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound) (*IngestResult, error) {
	res := &IngestResult{}
	first, err := tx.MarkProcessed(ctx, "email", in.key)
	if err != nil {
		return nil, err
	}
	if !first {
		res.Action = IngestDuplicate
		// Which ticket it made, for the log: a mail without a Message-ID
		// has none recorded.
		if tm, err := tx.FindTicketMessage(ctx, []string{in.m.MessageID}); err == nil {
			t, err := tx.Ticket(ctx, tm.TicketID)
			if err != nil {
				return nil, err
			}
			res.TicketKey, res.TicketID = t.Key(), t.ID
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
		return res, nil
	}
	return res, s.route(ctx, tx, cfg, in, res)
}

// route decides what a first-seen mail becomes.
func (s *Service) route(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, res *IngestResult) error {
	why, err := s.loop(ctx, tx, in)
	if err != nil {
		return err
	}
	if why != "" {
		res.Action, res.Reason = IngestIgnored, why
		return nil
	}
	t, how, err := s.threadOf(ctx, tx, cfg, in, res)
	if err != nil {
		return err
	}
	if t != nil && followsUp(cfg, in, t) {
		return s.followUp(ctx, tx, cfg, in, t, res)
	}
	if t != nil {
		res.Reason = how
		return s.addMail(ctx, tx, cfg, in, t, res)
	}
	if in.robot() {
		// An out-of-office or a bounce about no ticket of ours is noise (or
		// backscatter): a ticket from it would only wake someone up.
		res.Action = IngestIgnored
		res.Reason = strings.TrimSpace(res.Reason + " " + robotKind(in.m.Auto) + " about no ticket")
		return nil
	}
	return s.openFromMail(ctx, tx, cfg, in, res)
}

// loop tells mail deskbot itself sent, which must never be answered.
func (s *Service) loop(ctx context.Context, tx domain.EmailStore, in *inbound) (string, error) {
	switch {
	case in.m.SentByDeskbot:
		return "deskbot's own mail came back", nil
	case in.from.Email != "" && in.from.Email == s.mail.Address:
		return "sent from deskbot's own address", nil
	case in.m.MessageID == "":
		return "", nil
	}
	tm, err := tx.FindTicketMessage(ctx, []string{in.m.MessageID})
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return "", nil
	case err != nil:
		return "", err
	case tm.Direction == domain.MailOut:
		return "deskbot's own Message-ID came back", nil
	}
	return "", nil
}

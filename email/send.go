package email

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// SenderOptions configure the outgoing mail dispatcher.
type SenderOptions struct {
	// RelayURL is SMTP_RELAY_URL: smtp://[user:password@]host[:port] uses
	// STARTTLS when the relay offers it (port 587 by default); smtps:// is
	// TLS from the first byte (port 465).
	RelayURL string
	Outbox   domain.Outbox
	Logger   *slog.Logger
	// TLSConfig overrides the relay's TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	// Timeout bounds one connection to the relay. Default 30 s.
	Timeout time.Duration
	// Poll is how often Run looks for due mail. Default 2 s.
	Poll time.Duration
	// Owner names this process on the mail it claims, and Lease how long a
	// claim holds unless Owner's process renews it (serve's bot renews its
	// instance's claims and frees them at restart and shutdown). Without an
	// Owner a claim holds 5 minutes.
	Owner string
	Lease time.Duration
	// Now is the clock retries are scheduled on; the store's clock in tests.
	Now func() time.Time
	// Compose turns a mail request (a domain.OutboxEmail message, which
	// names a notice to word) into a composed mail in the outbox
	// (commands.Service.ComposeMailJob). Without it requests wait.
	Compose func(ctx context.Context, outboxID int64, payload string) error
	// GiveUp, if set, hears of mail the relay refused for good (a 5xx
	// several times over), after which it is not tried again; deskbot
	// notes it on the ticket (commands.Service.MailUndeliverable).
	GiveUp func(ctx context.Context, out mail.Outgoing, reason string) error
}

// Sender delivers OutboxMail messages through the relay, with retries
// and back-off: a relay outage delays mail, never loses it.
type Sender struct {
	opts   SenderOptions
	client func() (*gomail.Client, error)
	kick   chan struct{}
}

// permanentTries is how many times a mail the relay refuses with a 5xx is
// tried before giving up: a relay misconfiguration is often fixed within
// that time, a bad recipient never is.
const permanentTries = 5

// NewSender checks the relay URL; it does not connect.
func NewSender(opts SenderOptions) (*Sender, error) {
	if opts.Outbox == nil {
		return nil, errors.New("email: sender needs an outbox")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	mk, err := relayClient(opts.RelayURL, opts.TLSConfig, opts.Timeout)
	if err != nil {
		return nil, err
	}
	return &Sender{opts: opts, client: mk, kick: make(chan struct{}, 1)}, nil
}

// relayClient parses SMTP_RELAY_URL into a go-mail client factory.
func relayClient(raw string, tlsConfig *tls.Config, timeout time.Duration) (func() (*gomail.Client, error), error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP_RELAY_URL: %q must look like smtp://user:password@host:587 or smtps://host:465", raw)
	}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("SMTP_RELAY_URL: bad port %q", p)
		}
	}
	host := u.Hostname()
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tlsConfig)}
	if u.Scheme == "smtps" {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	return func() (*gomail.Client, error) { return gomail.NewClient(host, opts...) }, nil
}

// Run delivers due mail until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	for {
		if err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("email: outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Kick wakes OnKick after mail was queued, so it goes out now rather than
// at the next poll. It never blocks: kicks while a delivery runs fold
// into one more round.
func (s *Sender) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// OnKick delivers due mail at each Kick until ctx ends. A poll (Run, or
// serve's mail-outbox job) stays the fallback: for mail queued by another
// replica, and for retries that fall due later.
func (s *Sender) OnKick(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		}
		if err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("email: outbox", "err", err)
		}
	}
}

const batch = 20

// OutboxKinds lists the outbox kinds the mail transport claims and
// delivers (OutboxEmail only when it composes mail: Options.Compose).
func OutboxKinds() []string { return []string{domain.OutboxMail, domain.OutboxEmail} }

// DeliverDue sends every mail that is due, one relay connection per batch;
// a scheduler job can call it instead of Run. A relay that cannot be
// reached reschedules the batch; the error is only for the claim itself.
func (s *Sender) DeliverDue(ctx context.Context) error {
	kinds := []string{domain.OutboxMail}
	if s.opts.Compose != nil {
		kinds = append(kinds, domain.OutboxEmail)
	}
	for {
		// Every claimed message is then delivered or pushed into the
		// future, so this ends when nothing is due.
		msgs, err := s.opts.Outbox.ClaimOutbox(ctx, s.opts.Owner, kinds, batch, s.opts.Lease)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return nil
		}
		var mails []*domain.OutboxMessage
		for _, m := range msgs {
			if m.Kind == domain.OutboxEmail {
				s.compose(ctx, m)
			} else {
				mails = append(mails, m)
			}
		}
		if len(mails) > 0 && !s.deliver(ctx, mails) {
			// The relay is down: the rest waits for the next round rather
			// than dialling it once more per batch.
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// compose turns a mail request into a composed mail, queued for the next round.
func (s *Sender) compose(ctx context.Context, m *domain.OutboxMessage) {
	err := s.opts.Compose(ctx, m.ID, m.Payload)
	switch {
	case err == nil:
		s.delivered(ctx, m)
	case domain.ErrorCode(err) == domain.EINVALID:
		s.opts.Logger.Error("email: mail request cannot be sent; dropped", "id", m.ID, "err", err)
		s.delivered(ctx, m)
	default:
		s.opts.Logger.Warn("email: unable to compose mail, will retry", "id", m.ID, "err", err)
		s.reschedule(context.WithoutCancel(ctx), m, err)
	}
}

// deliver sends msgs over one relay connection; false: the relay could
// not be reached, and msgs were rescheduled.
func (s *Sender) deliver(ctx context.Context, msgs []*domain.OutboxMessage) bool {
	client, err := s.client()
	var conn *smtpConn
	if err == nil {
		dctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		conn, err = dial(dctx, client)
		cancel()
	}
	if err != nil {
		for _, m := range msgs {
			s.unreachable(ctx, m, fmt.Errorf("relay unreachable: %w", err))
		}
		return false
	}
	defer conn.close()
	for _, m := range msgs {
		var out mail.Outgoing
		if err := json.Unmarshal([]byte(m.Payload), &out); err != nil {
			s.opts.Logger.Error("email: undecodable outbox mail dropped", "id", m.ID, "err", err)
			s.delivered(ctx, m)
			continue
		}
		msg, err := Compose(out)
		if err != nil {
			// No retry composes it better: a bad address stays bad.
			s.giveUp(ctx, m, out, fmt.Errorf("unable to compose: %w", err))
			continue
		}
		if err := conn.send(msg); err != nil {
			s.failed(ctx, m, &out, err)
			continue
		}
		s.opts.Logger.Info("email: sent", "ticket", out.Ticket, "kind", out.Kind, "message_id", out.MessageID)
		s.delivered(ctx, m)
	}
	return true
}

// unreachable reschedules a mail the relay was not there for. That says
// nothing about the mail, and the relay is tried again soon: one dial a
// round (DeliverDue stops at the first that fails) costs little, and a
// back-off grown during the outage would hold every mail queued in it
// for as long again after the relay is back (30 s for a 10 s outage).
func (s *Sender) unreachable(ctx context.Context, m *domain.OutboxMessage, err error) {
	ctx = context.WithoutCancel(ctx)
	level := slog.LevelWarn
	if m.Attempts >= 10 {
		level = slog.LevelError
	}
	s.opts.Logger.Log(ctx, level, "email: relay unreachable, will retry", "id", m.ID, "attempt", m.Attempts, "err", err)
	retry := s.opts.Now().Add(domain.Backoff(m.Attempts, relayRetryFirst, relayRetryMax))
	if ferr := s.opts.Outbox.OutboxFailed(ctx, m.ID, err.Error(), retry); ferr != nil {
		s.opts.Logger.Error("email: unable to reschedule mail", "id", m.ID, "err", ferr)
	}
}

// A relay that cannot be reached is tried again after relayRetryFirst,
// doubling up to relayRetryMax (with jitter, half to all of it).
const (
	relayRetryFirst = 500 * time.Millisecond
	relayRetryMax   = 3 * time.Second
)

func (s *Sender) delivered(ctx context.Context, m *domain.OutboxMessage) {
	if err := s.opts.Outbox.OutboxDelivered(context.WithoutCancel(ctx), m.ID); err != nil {
		s.opts.Logger.Error("email: unable to mark mail delivered", "id", m.ID, "err", err)
	}
}

// failed reschedules a mail with back-off, or gives it up when the relay
// refused it for good several times.
func (s *Sender) failed(ctx context.Context, m *domain.OutboxMessage, out *mail.Outgoing, err error) {
	ctx = context.WithoutCancel(ctx)
	var se *gomail.SendError
	permanent := errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500
	if permanent && m.Attempts >= permanentTries && out != nil {
		s.giveUp(ctx, m, *out, err)
		return
	}
	level := slog.LevelWarn
	if m.Attempts >= 10 {
		level = slog.LevelError
	}
	s.opts.Logger.Log(ctx, level, "email: delivery failed, will retry", "id", m.ID, "attempt", m.Attempts, "err", err)
	s.reschedule(ctx, m, err)
}

// giveUp stops trying a mail and has it noted on its ticket.
func (s *Sender) giveUp(ctx context.Context, m *domain.OutboxMessage, out mail.Outgoing, err error) {
	ctx = context.WithoutCancel(ctx)
	s.opts.Logger.Error("email: mail cannot be delivered; giving up", "id", m.ID, "ticket", out.Ticket, "err", err)
	if s.opts.GiveUp != nil {
		if gerr := s.opts.GiveUp(ctx, out, err.Error()); gerr != nil {
			// Not given up after all: the note must not be lost either.
			s.opts.Logger.Error("email: unable to record undeliverable mail", "id", m.ID, "err", gerr)
			s.reschedule(ctx, m, err)
			return
		}
	}
	s.delivered(ctx, m)
}

func (s *Sender) reschedule(ctx context.Context, m *domain.OutboxMessage, err error) {
	if ferr := s.opts.Outbox.OutboxFailed(ctx, m.ID, err.Error(), retryAt(s.opts.Now(), m.Attempts)); ferr != nil {
		s.opts.Logger.Error("email: unable to reschedule mail", "id", m.ID, "err", ferr)
	}
}

// retryAt backs off exponentially with jitter: 30 s, 1 min, 2 min … 1 h.
func retryAt(now time.Time, attempts int) time.Time {
	return now.Add(domain.Backoff(attempts, 15*time.Second, time.Hour))
}

// Compose builds the message as deskbot sends it: threading headers, the
// key in the subject and in a plus-addressed Reply-To, and the marks that
// keep robots (deskbot included) from answering robots.
func Compose(out mail.Outgoing) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.FromFormat(out.From.Name, out.From.Email); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	for _, a := range out.To {
		if err := m.AddToFormat(a.Name, a.Email); err != nil {
			return nil, fmt.Errorf("to %q: %w", a.Email, err)
		}
	}
	for _, a := range out.Cc {
		if err := m.AddCcFormat(a.Name, a.Email); err != nil {
			return nil, fmt.Errorf("cc %q: %w", a.Email, err)
		}
	}
	if out.ReplyTo != "" {
		if err := m.ReplyTo(out.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	m.Subject(out.Subject)
	m.SetMessageIDWithValue(out.MessageID)
	m.SetDate()
	if out.InReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+out.InReplyTo+">")
	}
	if len(out.References) > 0 {
		m.SetGenHeader(gomail.HeaderReferences, "<"+strings.Join(out.References, "> <")+">")
	}
	if out.AutoSubmitted != "" {
		m.SetGenHeader("Auto-Submitted", out.AutoSubmitted)
	}
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetGenHeader(mail.OriginHeader, firstOf(out.Kind, "deskbot"))
	m.SetGenHeader(mail.TicketHeader, out.Ticket)
	m.SetBodyString(gomail.TypeTextPlain, out.Text)
	return m, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// smtpConn is one open relay session, reused for a batch.
type smtpConn struct {
	c  *gomail.Client
	sc *gosmtp.Client
}

func dial(ctx context.Context, c *gomail.Client) (*smtpConn, error) {
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, err
	}
	return &smtpConn{c: c, sc: sc}, nil
}

func (c *smtpConn) send(m *gomail.Msg) error { return c.c.SendWithSMTPClient(c.sc, m) }

func (c *smtpConn) close() { _ = c.c.CloseWithSMTPClient(c.sc) }

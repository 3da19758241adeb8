package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/sync/semaphore"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// ServerOptions configure the inbound SMTP listener.
type ServerOptions struct {
	// Addr is SMTP_ADDR, host:port.
	Addr string
	// Domains are the recipient domains accepted: MAIL_FROM's and the
	// config's email.domains. Every other recipient is refused: no relay.
	Domains []string
	Ingest  Ingest
	Logger  *slog.Logger
	// Hostname is the name in the greeting; default "deskbot".
	Hostname string
	// MaxMessageBytes refuses larger mail (552). Default 25 MiB.
	MaxMessageBytes int64
	// MaxRecipients per message. Default 50.
	MaxRecipients int
	// MaxLineLength is the longest line taken. Default 64 KiB: RFC 5321
	// says 1000, but real mail (unwrapped base64, Outlook's long lines)
	// breaks it, and refusing a customer's mail helps nobody.
	MaxLineLength int
	// MaxConnTime bounds a whole connection, however busy. Default 10 min.
	MaxConnTime time.Duration
	// Timeout bounds each read and write. Default 1 min.
	Timeout time.Duration
	// IngestTimeout bounds committing one message; past it the sender
	// gets a 451 and retries. Default 30 s.
	IngestTimeout time.Duration
	// TLSCert, when set, is offered with STARTTLS: senders encrypt when
	// the receiver can, and some warn or refuse when it cannot.
	TLSCert *tls.Certificate
	// RequireTLS refuses MAIL FROM before STARTTLS (530), so no mail
	// crosses the network in clear. Needs TLSCert.
	RequireTLS bool
	// ParallelMails is how many mails of the maximum size are parsed and
	// committed at once: mails take a share of a budget of ParallelMails ×
	// MaxMessageBytes by their size (at least minMailWeight), so many small
	// mails go side by side (their commits share transactions) while large
	// ones take turns. The others wait, spooled, with their sender still
	// connected. Default 2.
	ParallelMails int
	// SpoolAbove is the size past which DATA is written to a temporary
	// file while it arrives, so a slow or waiting sender holds no more
	// memory than this. Default 1 MiB.
	SpoolAbove int64
	// SpoolDir holds the spool files; "" is the system's temporary directory.
	SpoolDir string
}

// Server receives mail over SMTP and answers 250 only once the ticket or
// comment it makes is committed.
type Server struct {
	opts ServerOptions
	srv  *smtp.Server
	ln   net.Listener

	// base is cancelled when the server is closed for good.
	base   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// budget bounds the bytes of mail parsed and committed at once
	// (ParallelMails).
	budget *semaphore.Weighted
}

// NewServer checks the options; Start listens.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.Ingest == nil {
		return nil, errors.New("email: SMTP server needs an ingest function")
	}
	if len(opts.Domains) == 0 {
		return nil, errors.New("SMTP_ADDR: no domain to accept mail for: set MAIL_FROM or email.domains in the config")
	}
	if opts.RequireTLS && opts.TLSCert == nil {
		return nil, errors.New("SMTP_REQUIRE_TLS: no certificate to offer STARTTLS with: set SMTP_TLS_CERT and SMTP_TLS_KEY")
	}
	for i, d := range opts.Domains {
		opts.Domains[i] = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Hostname == "" {
		opts.Hostname = "deskbot"
	}
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = defaultMaxMessageBytes
	}
	if opts.MaxRecipients <= 0 {
		opts.MaxRecipients = 50
	}
	if opts.MaxLineLength <= 0 {
		opts.MaxLineLength = 64 << 10
	}
	if opts.MaxConnTime <= 0 {
		opts.MaxConnTime = 10 * time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.IngestTimeout <= 0 {
		opts.IngestTimeout = 30 * time.Second
	}
	if opts.ParallelMails <= 0 {
		opts.ParallelMails = defaultParallelMails
	}
	if opts.SpoolAbove <= 0 {
		opts.SpoolAbove = 1 << 20
	}
	s := &Server{opts: opts, budget: semaphore.NewWeighted(int64(opts.ParallelMails) * opts.MaxMessageBytes)}
	s.base, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = opts.Hostname
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.MaxRecipients = opts.MaxRecipients
	srv.MaxLineLength = opts.MaxLineLength
	srv.ReadTimeout, srv.WriteTimeout = opts.Timeout, opts.Timeout
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = smtpLog{opts.Logger}
	if opts.TLSCert != nil {
		// Stated rather than left to Go's default, which GODEBUG=tls10server
		// lowers to the broken TLS 1.0.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*opts.TLSCert}, MinVersion: tls.VersionTLS12}
	}
	s.srv = srv
	return s, nil
}

// Start listens on Addr and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("SMTP_ADDR: unable to listen on %s: %w", s.opts.Addr, err)
	}
	s.ln = ln
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(limitListener{ln, s.opts.MaxConnTime}); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			s.opts.Logger.Error("smtp: listener stopped", "err", err)
		}
	}()
	s.opts.Logger.Info("smtp: listening", "addr", ln.Addr().String(), "domains", strings.Join(s.opts.Domains, ","), "starttls", s.tlsMode())
	return nil
}

func (s *Server) tlsMode() string {
	switch {
	case s.opts.RequireTLS:
		return "required"
	case s.opts.TLSCert != nil:
		return "offered"
	}
	return "off"
}

// Addr is the address listened on (the real port when Addr had port 0).
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.opts.Addr
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting, lets messages in flight commit until ctx
// ends, then cuts the rest (their senders retry).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.cancel()
		_ = s.srv.Close()
	}
	s.cancel()
	s.wg.Wait()
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c, remote: c.Conn().RemoteAddr().String()}, nil
}

// session is one SMTP transaction at a time on a connection.
type session struct {
	s      *Server
	conn   *smtp.Conn
	remote string
	from   string
	rcpts  []string
}

// errMustStartTLS is RFC 3207's answer to a client that skips STARTTLS
// when the server requires it.
var errMustStartTLS = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
	Message: "Must issue a STARTTLS command first"}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if _, encrypted := ss.conn.TLSConnectionState(); ss.s.opts.RequireTLS && !encrypted {
		ss.s.opts.Logger.Info("smtp: plain-text mail refused: STARTTLS is required", "remote", ss.remote, "from", from)
		return errMustStartTLS
	}
	ss.from, ss.rcpts = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	dom := mail.DomainOf(to)
	if !slices.Contains(ss.s.opts.Domains, dom) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: fmt.Sprintf("Relaying denied: this server only accepts mail for %s", strings.Join(ss.s.opts.Domains, ", "))}
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// minMailWeight is the least share of the parsing budget a mail takes:
// even a small mail costs a parse and a transaction.
const minMailWeight = 64 << 10

// errBusy answers a mail that found no parsing slot in time: the sender
// keeps it and retries, as after any 4xx.
var errBusy = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 2},
	Message: "Too many mails at once, please try again later"}

func (ss *session) Data(r io.Reader) error {
	// The mail is received first, spooled past SpoolAbove, and only then
	// takes a parsing slot: a sender trickling its DATA holds no slot,
	// and the mails waiting for one hold a file each, not their size in
	// memory.
	sp, err := receive(r, ss.s.opts.SpoolAbove, ss.s.opts.SpoolDir)
	if err != nil {
		// The size limit reads as ErrDataTooLarge (552); keep go-smtp's answer.
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se
		}
		return err
	}
	defer sp.Close()
	ctx, cancel := context.WithTimeout(ss.s.base, ss.s.opts.IngestTimeout)
	defer cancel()
	weight := min(max(sp.size, minMailWeight), ss.s.opts.MaxMessageBytes)
	if err := ss.s.budget.Acquire(ctx, weight); err != nil {
		ss.s.opts.Logger.Warn("smtp: no parsing slot in time; sender will retry", "remote", ss.remote, "from", ss.from)
		return errBusy
	}
	defer ss.s.budget.Release(weight)
	raw, err := sp.Bytes()
	if err != nil {
		ss.s.opts.Logger.Error("smtp: unable to read spooled mail, sender will retry", "remote", ss.remote, "err", err)
		return errBusy
	}
	err = ss.s.opts.Ingest(ctx, raw, mail.ViaSMTP, slices.Clone(ss.rcpts))
	var over *mail.LimitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &over):
		ss.s.opts.Logger.Info("smtp: message refused over a limit", "remote", ss.remote, "from", ss.from, "limit", over.Setting, "err", over)
		enh := smtp.EnhancedCode{5, 6, 0}
		if over.Code == 552 {
			enh = smtp.EnhancedCode{5, 3, 4}
		}
		return &smtp.SMTPError{Code: over.Code, EnhancedCode: enh, Message: "Message refused: " + oneLine(over.Error())}
	case domain.ErrorCode(err) == domain.EINVALID:
		ss.s.opts.Logger.Info("smtp: message refused", "remote", ss.remote, "from", ss.from, "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message: "Message refused: " + oneLine(domain.ErrorMessage(err))}
	}
	ss.s.opts.Logger.Error("smtp: message not taken, sender will retry", "remote", ss.remote, "from", ss.from, "err", err)
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Temporary failure storing the message, please try again later"}
}

func (ss *session) Reset() { ss.from, ss.rcpts = "", nil }

func (ss *session) Logout() error { return nil }

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// limitListener gives every connection a hard end: go-smtp renews the
// read and write deadlines per command, so a slow client could otherwise
// hold a connection forever.
type limitListener struct {
	net.Listener
	max time.Duration
}

func (l limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &limitConn{Conn: c, end: time.Now().Add(l.max)}
	_ = c.SetDeadline(lc.end)
	return lc, nil
}

type limitConn struct {
	net.Conn
	end time.Time
}

func (c *limitConn) clamp(t time.Time) time.Time {
	if t.IsZero() || t.After(c.end) {
		return c.end
	}
	return t
}

func (c *limitConn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c *limitConn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *limitConn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }

// smtpLog sends go-smtp's own messages to slog.
type smtpLog struct{ l *slog.Logger }

func (l smtpLog) Printf(format string, v ...any) { l.l.Warn("smtp: " + fmt.Sprintf(format, v...)) }
func (l smtpLog) Println(v ...any)               { l.l.Warn("smtp: " + strings.TrimSpace(fmt.Sprintln(v...))) }

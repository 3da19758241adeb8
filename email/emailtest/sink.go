// Package emailtest helps tests of the mail transport: a local SMTP sink
// standing in for the relay, and a throwaway TLS certificate.
package emailtest

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SinkOptions shape the sink.
type SinkOptions struct {
	// TLS offers STARTTLS, or with Implicit speaks TLS from the first byte.
	TLS      *tls.Config
	Implicit bool
	// User and Password, when set, are required (AUTH PLAIN, after TLS).
	User, Password string
	// Refuse lists recipients refused for good (550 no such user).
	Refuse []string
}

// Received is one message the sink took.
type Received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

// Sink is a local SMTP server standing in for the relay: it keeps what it
// receives, and can go down and come back on the same address.
type Sink struct {
	opts SinkOptions
	addr string

	mu      sync.Mutex
	srv     *smtp.Server
	done    chan struct{}
	msgs    []Received
	changed chan struct{}
}

// NewSink starts a sink on a free loopback port; it stops with the test.
func NewSink(tb testing.TB, opts SinkOptions) *Sink {
	tb.Helper()
	s := &Sink{opts: opts, addr: "127.0.0.1:0", changed: make(chan struct{})}
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartSink starts a sink on a free loopback port for a program that is
// not a test (bench/chaos); Stop it when done.
func StartSink(opts SinkOptions) (*Sink, error) {
	s := &Sink{opts: opts, addr: "127.0.0.1:0", changed: make(chan struct{})}
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the SMTP_RELAY_URL that reaches the sink.
func (s *Sink) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.Implicit {
		u.Scheme = "smtps"
	}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// Start listens (again, on the same address after Stop).
func (s *Sink) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s, conn: c}, nil
	}))
	srv.Domain = "sink.test"
	if s.opts.TLS != nil {
		srv.TLSConfig = s.opts.TLS
		if s.opts.Implicit {
			ln = tls.NewListener(ln, s.opts.TLS)
		}
	}
	srv.ErrorLog = quiet{}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	s.srv, s.done = srv, done
	return nil
}

// Stop closes the listener and every connection: the relay is down.
func (s *Sink) Stop() {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
		<-done
	}
}

// Messages returns what the sink received so far.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait returns once at least n messages arrived.
func (s *Sink) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		msgs, ch := append([]Received(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-ctx.Done():
			return msgs, ctx.Err()
		case <-ch:
		}
	}
}

func (s *Sink) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

type sinkSession struct {
	s    *Sink
	conn *smtp.Conn
	user string
	cur  Received
}

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.cur = Received{From: from, TLS: isTLS, User: ss.user}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if slices.Contains(ss.s.opts.Refuse, to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(ss.cur.To) == 0 {
		return errors.New("no recipients")
	}
	ss.cur.Data = b
	ss.s.add(ss.cur)
	ss.cur = Received{}
	return nil
}

func (ss *sinkSession) Reset()        { ss.cur = Received{} }
func (ss *sinkSession) Logout() error { return nil }

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"

	"github.com/emersion/go-smtp"
)

// mailSink is the demo's outgoing mail relay: it accepts every message
// and keeps it, so the demo shows what the customer receives. It speaks
// real SMTP on a loopback port, like the relay SMTP_RELAY_URL names.
type mailSink struct {
	srv  *smtp.Server
	addr string
	mu   sync.Mutex
	msgs []sunkMail
}

type sunkMail struct {
	to   []string
	data []byte
}

func startMailSink() (*mailSink, error) {
	s := &mailSink{}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "relay.demo"
	s.srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *mailSink) url() string { return "smtp://" + s.addr }

func (s *mailSink) close() { _ = s.srv.Close() }

func (s *mailSink) received() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *mailSink
	to   []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	ss.sink.mu.Lock()
	ss.sink.msgs = append(ss.sink.msgs, sunkMail{to: ss.to, data: b.Bytes()})
	ss.sink.mu.Unlock()
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

// sendMail hands raw to an SMTP listener as a customer's mail server would.
func sendMail(ctx context.Context, addr, from string, to []string, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello("mx.acme.example"); err != nil {
		return err
	}
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return err
	}
	return errors.Join(c.Quit())
}

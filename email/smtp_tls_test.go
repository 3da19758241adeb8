package email_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
	gomail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/email/emailtest"
)

// listenTLS starts the listener with a fresh self-signed certificate and
// returns a client config that trusts it.
func listenTLS(t *testing.T, w *world, requireTLS bool) (*email.Server, *tls.Config) {
	t.Helper()
	serverTLS, clientTLS := emailtest.TLS(t)
	srv := listen(t, w, func(o *email.ServerOptions) {
		o.TLSCert, o.RequireTLS = &serverTLS.Certificates[0], requireTLS
	})
	return srv, clientTLS
}

// mandatoryTLS makes go-mail fail rather than send in clear.
func mandatoryTLS(cfg *tls.Config) []gomail.Option {
	return []gomail.Option{gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(cfg)}
}

func TestSMTPStartTLS(t *testing.T) {
	w := newWorld(t, "sqlite", nil)
	ctx := ctxT(t)

	// Without a certificate nothing is offered, as before.
	plain := listen(t, w, nil)
	if ok, _ := dialEHLO(t, plain.Addr()).Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered without a certificate")
	}

	srv, clientTLS := listenTLS(t, w, false)
	m := message(t, "Cy <cy@acme.com>", "Printer on fire", "Send help.", "support@vendor.com")
	if err := client(t, srv.Addr(), mandatoryTLS(clientTLS)...).DialAndSendWithContext(ctx, m); err != nil {
		t.Fatalf("send over STARTTLS: %v", err)
	}
	if tk := w.ticket(t, "ACME-1"); tk.Title != "Printer on fire" {
		t.Errorf("ticket %+v", tk)
	}
	// Senders that do not ask for TLS are served as before.
	if err := client(t, srv.Addr()).DialAndSendWithContext(ctx, message(t, "cy@acme.com", "Plain", "x", "support@vendor.com")); err != nil {
		t.Errorf("plain send with STARTTLS on offer: %v", err)
	}

	if st, err := startTLS(t, srv.Addr(), clientTLS); err != nil || !st.HandshakeComplete || st.Version < tls.VersionTLS12 {
		t.Errorf("STARTTLS: %v, version %x", err, st.Version)
	}
	old := clientTLS.Clone()
	old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	if _, err := startTLS(t, srv.Addr(), old); err == nil {
		t.Error("a TLS 1.1 handshake was accepted")
	}
}

// startTLS greets the server over STARTTLS and returns the state of the
// handshake, which go-smtp's client only makes at the next command.
func startTLS(t *testing.T, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	c, err := gosmtp.DialStartTLS(addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("mx.acme.com"); err != nil {
		return tls.ConnectionState{}, err
	}
	st, _ := c.TLSConnectionState()
	return st, nil
}

func TestSMTPRequireTLS(t *testing.T) {
	w := newWorld(t, "sqlite", nil)
	ctx := ctxT(t)
	srv, clientTLS := listenTLS(t, w, true)

	err := client(t, srv.Addr()).DialAndSendWithContext(ctx, message(t, "cy@acme.com", "In clear", "x", "support@vendor.com"))
	var se *gomail.SendError
	if code(err) != 530 || !errors.As(err, &se) || se.EnhancedStatusCode() != "5.7.0" || !strings.Contains(err.Error(), "Must issue a STARTTLS command first") {
		t.Fatalf("plain send: got %v (code %d), want 530 5.7.0", err, code(err))
	}
	for _, key := range []string{"ACME-1", "TRIAGE-1"} {
		if _, err := w.svc.Ticket(ctx, agent, key); err == nil {
			t.Errorf("refused plain mail was ingested as %s", key)
		}
	}

	// Refused at MAIL, so a success here means the server saw TLS.
	m := message(t, "Cy <cy@acme.com>", "Printer on fire", "Send help.", "support@vendor.com")
	if err := client(t, srv.Addr(), mandatoryTLS(clientTLS)...).DialAndSendWithContext(ctx, m); err != nil {
		t.Fatalf("send over STARTTLS: %v", err)
	}
	if tk := w.ticket(t, "ACME-1"); tk.Title != "Printer on fire" {
		t.Errorf("ticket %+v", tk)
	}

	_, err = email.NewServer(email.ServerOptions{Addr: "127.0.0.1:0", Domains: []string{"vendor.com"}, Ingest: w.svc.Ingest, RequireTLS: true})
	if err == nil || !strings.Contains(err.Error(), "SMTP_REQUIRE_TLS") {
		t.Errorf("RequireTLS without a certificate: %v", err)
	}
}

// dialEHLO is a go-smtp client that has greeted the server.
func dialEHLO(t *testing.T, addr string) *gosmtp.Client {
	t.Helper()
	c, err := gosmtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("mx.acme.com"); err != nil {
		t.Fatal(err)
	}
	return c
}

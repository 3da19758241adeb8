package email_test

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	gomail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/email"
)

// listen starts the SMTP listener on a free port, ingesting into w.
func listen(t *testing.T, w *world, tune func(*email.ServerOptions)) *email.Server {
	t.Helper()
	opts := email.ServerOptions{Addr: "127.0.0.1:0", Domains: w.svc.MailDomains(), Ingest: w.svc.Ingest, Logger: logger(),
		MaxMessageBytes: 64 << 10, MaxRecipients: 3}
	if tune != nil {
		tune(&opts)
	}
	srv, err := email.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(ctxT(t)) })
	return srv
}

// client is a go-mail client for the listener, as a customer's MTA,
// speaking in clear unless opts say otherwise.
func client(t *testing.T, addr string, opts ...gomail.Option) *gomail.Client {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	opts = append([]gomail.Option{gomail.WithPort(p), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithTimeout(5 * time.Second), gomail.WithHELO("mx.acme.com")}, opts...)
	c, err := gomail.NewClient(host, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func message(t *testing.T, from, subject, body string, to ...string) *gomail.Msg {
	t.Helper()
	m := gomail.NewMsg()
	if err := m.From(from); err != nil {
		t.Fatal(err)
	}
	if err := m.To(to...); err != nil {
		t.Fatal(err)
	}
	m.Subject(subject)
	m.SetMessageID()
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, body)
	return m
}

// code is the SMTP reply code of a go-mail send error.
func code(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}

func TestSMTPListener(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, w *world) {
		srv := listen(t, w, nil)
		c := client(t, srv.Addr())
		ctx := ctxT(t)

		// 250 means committed: the ticket is there when the send returns.
		m := message(t, "Cy <cy@acme.com>", "Printer on fire", "Send help.", "support@vendor.com")
		if err := c.DialAndSendWithContext(ctx, m); err != nil {
			t.Fatalf("send: %v", err)
		}
		if tk := w.ticket(t, "ACME-1"); tk.Title != "Printer on fire" || tk.RequesterEmail != "cy@acme.com" {
			t.Errorf("ticket %+v", tk)
		}

		// The envelope's plus tag reaches routing: this is a comment on ACME-1.
		m = message(t, "cy@acme.com", "more", "It is still burning.", "support+ACME-1@vendor.com")
		if err := c.DialAndSendWithContext(ctx, m); err != nil {
			t.Fatalf("send: %v", err)
		}
		if cs, _, _ := w.svc.History(ctx, agent, "ACME-1"); len(cs) != 1 || cs[0].Body != "It is still burning." {
			t.Errorf("comments %+v", cs)
		}

		tests := []struct {
			name string
			msg  *gomail.Msg
			code int
			want string
		}{
			{"no open relay", message(t, "spam@evil.example", "hi", "buy", "victim@elsewhere.example"), 550, "Relaying denied"},
			{"one foreign recipient among ours", message(t, "cy@acme.com", "hi", "x", "support@vendor.com", "victim@elsewhere.example"), 550, "only accepts mail for vendor.com"},
			{"too many recipients", message(t, "cy@acme.com", "hi", "x", "a@vendor.com", "b@vendor.com", "c@vendor.com", "d@vendor.com"), 452, ""},
			{"too large", message(t, "cy@acme.com", "big", strings.Repeat("0123456789abcdef\n", 8<<10), "support@vendor.com"), 552, ""},
		}
		for _, tc := range tests {
			err := c.DialAndSendWithContext(ctx, tc.msg)
			if code(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: got %v (code %d), want %d %q", tc.name, err, code(err), tc.code, tc.want)
			}
		}
		if cs, _, _ := w.svc.History(ctx, agent, "ACME-1"); len(cs) != 1 {
			t.Errorf("refused mail was ingested: %d comments", len(cs))
		}
		if _, err := w.svc.Ticket(ctx, agent, "TRIAGE-1"); err == nil {
			t.Error("refused mail opened a triage ticket")
		}

		// Not a mail at all: a permanent 554, so the sender stops trying.
		raw := gosmtpSend(t, srv.Addr(), "cy@acme.com", "support@vendor.com", "\r\n\r\n")
		if !strings.HasPrefix(raw, "554") {
			t.Errorf("empty message: %q", raw)
		}

		// The database goes away: 451, the sender keeps the mail and retries.
		if err := w.db.Close(); err != nil {
			t.Fatal(err)
		}
		err := c.DialAndSendWithContext(ctx, message(t, "cy@acme.com", "Still there?", "x", "support@vendor.com"))
		var se *gomail.SendError
		if code(err) != 451 || !errors.As(err, &se) || !se.IsTemp() {
			t.Errorf("database down: got %v (code %d), want a temporary 451", err, code(err))
		}
	})
}

// gosmtpSend speaks SMTP with go-smtp's client, to send bytes go-mail would
// never compose, and returns the reply to the data.
func gosmtpSend(t *testing.T, addr, from, to, data string) string {
	t.Helper()
	c, err := gosmtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail(from, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		t.Fatal(err)
	}
	wc, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = wc.Write([]byte(data))
	err = wc.Close()
	var se *gosmtp.SMTPError
	if errors.As(err, &se) {
		return strconv.Itoa(se.Code) + " " + se.Message
	}
	if err != nil {
		t.Fatal(err)
	}
	return "250"
}

// TestSMTPConnectionTime: a client that holds the line is cut at the
// connection limit, however it trickles.
func TestSMTPConnectionTime(t *testing.T) {
	w := newWorld(t, "sqlite", nil)
	srv := listen(t, w, func(o *email.ServerOptions) { o.MaxConnTime = 300 * time.Millisecond; o.Timeout = time.Minute })
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	start := time.Now()
	_ = conn.SetDeadline(start.Add(10 * time.Second))
	if _, err := r.ReadString('\n'); err != nil { // the greeting
		t.Fatal(err)
	}
	for {
		if _, err := conn.Write([]byte("NOOP\r\n")); err != nil {
			break
		}
		if _, err := r.ReadString('\n'); err != nil {
			break
		}
		time.Sleep(50 * time.Millisecond) // a busy but slow client
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("connection lasted %v", d)
	}
}

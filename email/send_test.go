package email_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/email/emailtest"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/mail/mailtest"
)

func sender(t *testing.T, w *world, relay string, clientTLS *tls.Config) *email.Sender {
	t.Helper()
	s, err := email.NewSender(email.SenderOptions{RelayURL: relay, Outbox: w.db, Logger: logger(), TLSConfig: clientTLS,
		Now: w.clock.Now, Timeout: 5 * time.Second, Compose: w.svc.ComposeMailJob, GiveUp: w.svc.MailUndeliverable})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pendingMail counts mail not yet delivered.
func pendingMail(t *testing.T, w *world) int {
	t.Helper()
	var n int
	if err := w.db.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'email.out' AND delivered_at IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func headers(t *testing.T, data []byte) textproto.MIMEHeader {
	t.Helper()
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSendThreadedMail(t *testing.T) {
	serverTLS, clientTLS := emailtest.TLS(t)
	forEachDB(t, nil, func(t *testing.T, w *world) {
		ctx := ctxT(t)
		sink := emailtest.NewSink(t, emailtest.SinkOptions{TLS: serverTLS, User: "deskbot", Password: "s3cret"})
		s := sender(t, w, sink.URL(), clientTLS)
		res, err := w.svc.IngestEmail(ctx, mailtest.Mail{From: "Cy <cy@acme.com>", To: "support@vendor.com", Cc: "dee@acme.com",
			Subject: "Login fails", MessageID: "m1@acme.com", Body: "Help"}.Bytes(), mail.ViaSMTP)
		if err != nil || !res.Acknowledged {
			t.Fatalf("ingest %+v %v", res, err)
		}
		if err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := sink.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages at the relay", len(msgs))
		}
		got := msgs[0]
		if !got.TLS || got.User != "deskbot" || got.From != "support@vendor.com" || strings.Join(got.To, ",") != "cy@acme.com,dee@acme.com" {
			t.Errorf("envelope %+v (STARTTLS and AUTH expected)", got)
		}
		h := headers(t, got.Data)
		for name, want := range map[string]string{
			"Subject": "Re: [ACME-1] Login fails", "In-Reply-To": "<m1@acme.com>", "References": "<m1@acme.com>",
			"Reply-To": "<support+ACME-1@vendor.com>", "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All",
			"X-Deskbot-Origin": "ack", "X-Deskbot-Ticket": "ACME-1", "To": `"Cy" <cy@acme.com>`, "Cc": "<dee@acme.com>",
		} {
			if h.Get(name) != want {
				t.Errorf("%s: %q, want %q", name, h.Get(name), want)
			}
		}
		// What deskbot sent reads as deskbot's own mail if it comes back.
		parsed, err := mail.Parse(got.Data)
		if err != nil || !parsed.SentByDeskbot || !strings.HasPrefix(parsed.MessageID, "deskbot.acme-1.") || !strings.Contains(parsed.Text, "ACME-1") {
			t.Errorf("parsed back: %+v %v", parsed, err)
		}
		if r, err := w.svc.IngestEmail(ctx, got.Data, mail.ViaIMAP); err != nil || r.Action != "ignored" {
			t.Errorf("own mail back: %+v %v", r, err)
		}

		// The relay goes down: the reply waits, then goes once when it is back.
		sink.Stop()
		if _, err := w.svc.ReplyToCustomer(ctx, agent, "ACME-1", "Fixed, please retry."); err != nil {
			t.Fatal(err)
		}
		if err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := pendingMail(t, w); n != 1 {
			t.Fatalf("%d mails pending while the relay is down, want 1", n)
		}
		if err := sink.Start(); err != nil {
			t.Fatal(err)
		}
		if err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(sink.Messages()); n != 1 {
			t.Fatalf("the retry is not due yet, but %d messages arrived", n)
		}
		// An unreachable relay says nothing about the mail: it is tried
		// again within seconds, not after a back-off of 15 s and more.
		w.clock.Advance(3 * time.Second)
		for range 2 {
			if err := s.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		msgs = sink.Messages()
		if len(msgs) != 2 || pendingMail(t, w) != 0 {
			t.Fatalf("%d messages at the relay, %d pending: want the reply delivered once", len(msgs), pendingMail(t, w))
		}
		h = headers(t, msgs[1].Data)
		if h.Get("In-Reply-To") != "<m1@acme.com>" || !strings.Contains(h.Get("References"), "<m1@acme.com> <deskbot.acme-1.") ||
			h.Get("Auto-Submitted") != "" || h.Get("X-Deskbot-Origin") != "reply" || h.Get("From") != `"Ana (Support)" <support@vendor.com>` {
			t.Errorf("reply headers %v", h)
		}
	})
}

func TestSendImplicitTLSAndGiveUp(t *testing.T) {
	serverTLS, clientTLS := emailtest.TLS(t)
	w := newWorld(t, "sqlite", nil)
	ctx := ctxT(t)
	sink := emailtest.NewSink(t, emailtest.SinkOptions{TLS: serverTLS, Implicit: true, Refuse: []string{"gone@acme.com"}})
	if !strings.HasPrefix(sink.URL(), "smtps://") {
		t.Fatal(sink.URL())
	}
	s := sender(t, w, sink.URL(), clientTLS)
	if _, err := w.svc.IngestEmail(ctx, mailtest.Mail{From: "gone@acme.com", To: "support@vendor.com", Subject: "Bye", MessageID: "g@acme.com", Body: "x"}.Bytes(), mail.ViaSMTP); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.IngestEmail(ctx, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Hi", MessageID: "h@acme.com", Body: "x"}.Bytes(), mail.ViaSMTP); err != nil {
		t.Fatal(err)
	}
	for range 6 { // a refused recipient is tried a few times, then given up
		if err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(2 * time.Hour)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].To[0] != "cy@acme.com" || pendingMail(t, w) != 0 {
		t.Fatalf("%d delivered (%+v), %d pending", len(msgs), msgs, pendingMail(t, w))
	}
	cs, _, err := w.svc.History(ctx, agent, "ACME-1")
	if err != nil || len(cs) != 1 || cs[0].Public || !strings.Contains(cs[0].Body, "gone@acme.com could not be delivered") {
		t.Errorf("the ticket does not say the mail bounced: %+v %v", cs, err)
	}
}

func TestSenderURL(t *testing.T) {
	w := newWorld(t, "sqlite", nil)
	for _, bad := range []string{"http://relay", "smtp://", "smtp://relay:port", "relay:25"} {
		if _, err := email.NewSender(email.SenderOptions{RelayURL: bad, Outbox: w.db}); err == nil || !strings.Contains(err.Error(), "SMTP_RELAY_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}

}

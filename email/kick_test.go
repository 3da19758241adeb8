package email_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/email/emailtest"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/mail/mailtest"
)

// Mail goes out as soon as it is queued, as serve wires it: the store's
// OnEnqueue kicks the sender, whose poll (Run, serve's mail-outbox job)
// is only the fallback.
func TestKickedSenderDeliversAtOnce(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, w *world) {
		ctx := ctxT(t)
		sink := emailtest.NewSink(t, emailtest.SinkOptions{})
		s, err := email.NewSender(email.SenderOptions{RelayURL: sink.URL(), Outbox: w.db, Logger: logger(),
			Now: w.clock.Now, Timeout: 5 * time.Second, Compose: w.svc.ComposeMailJob})
		if err != nil {
			t.Fatal(err)
		}
		kctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); s.OnKick(kctx) }()
		t.Cleanup(func() { cancel(); <-done })
		w.db.OnEnqueue(func(kinds []string) {
			if slices.ContainsFunc(kinds, func(k string) bool { return slices.Contains(email.OutboxKinds(), k) }) {
				s.Kick()
			}
		})
		t.Cleanup(func() { w.db.OnEnqueue(nil) })
		start := time.Now()
		if _, err := w.svc.IngestEmail(ctx, mailtest.Mail{From: "Cy <cy@acme.com>", To: "support@vendor.com",
			Subject: "Login fails", MessageID: "m1@acme.com", Body: "Help"}.Bytes(), mail.ViaSMTP); err != nil {
			t.Fatal(err)
		}
		for len(sink.Messages()) == 0 {
			if time.Since(start) > 10*time.Second {
				t.Fatal("the acknowledgement was not sent on its own")
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("acknowledgement at the relay %v after the mail came in", time.Since(start).Round(time.Millisecond))
	})
}

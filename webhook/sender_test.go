package webhook_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
	"github.com/deskbot/deskbot/webhook"
)

const adminID = "UADMIN"

var admin = domain.Actor{UserID: adminID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}

type rig struct {
	db  *storage.DB
	svc *commands.Service
}

func newRig(t *testing.T, dialect string, opts ...storage.Option) *rig {
	t.Helper()
	db := storagetest.Open(t, dialect, opts...)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: slog.New(slog.DiscardHandler)})
	svc.UseStandardHooks()
	for _, key := range []string{"ACME", "GLOBEX"} {
		if _, err := svc.CreateCustomer(context.Background(), admin, commands.CustomerInput{Key: key, Name: key + " Corp"}); err != nil {
			t.Fatal(err)
		}
	}
	return &rig{db: db, svc: svc}
}

func (r *rig) hook(t *testing.T, rc *receiver, events ...string) *domain.Webhook {
	t.Helper()
	secret, w, err := r.svc.AddWebhook(context.Background(), admin, rc.URL+"/hooks", events)
	if err != nil {
		t.Fatal(err)
	}
	rc.secret.Store(secret)
	return w
}

// run runs a sender with a short back-off until the test ends.
func (r *rig) run(t *testing.T) {
	s := webhook.New(webhook.Options{Service: r.svc, Outbox: r.db, Poll: 5 * time.Millisecond,
		First: 5 * time.Millisecond, Limit: 40 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	drained := make(chan struct{})
	go func() { r.drainOthers(ctx); close(drained) }()
	t.Cleanup(func() { cancel(); <-done; <-drained })
}

// drainOthers stands in for the bot and the mail sender: it marks their
// messages delivered, so an empty outbox means the webhooks are done.
func (r *rig) drainOthers(ctx context.Context) {
	kinds := []string{domain.OutboxCard, domain.OutboxSlackPost, domain.OutboxSlackFile, domain.OutboxDigest, domain.OutboxMail, domain.OutboxEmail}
	for ctx.Err() == nil {
		msgs, _ := r.db.ClaimOutbox(ctx, "", kinds, 100, time.Minute)
		for _, m := range msgs {
			_ = r.db.OutboxDelivered(ctx, m.ID)
		}
		if len(msgs) == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// step is one change made to a ticket, and the delivery it must cause.
type step struct{ key, typ, detail string }

// TestDownThenUp: events happen while the receiver is down; once it is
// up, each is delivered once, signed, and in order per ticket.
func TestDownThenUp(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, d)
			rc := newReceiver(t)
			rc.down.Store(true)
			r.hook(t, rc, "ticket.created", "ticket.status_changed", "comment.added")
			r.run(t)
			var want []step
			var keys []string
			for i, cust := range []string{"ACME", "GLOBEX", "ACME"} {
				tk, err := r.svc.CreateTicket(ctx, admin, commands.TicketInput{CustomerKey: cust, Title: fmt.Sprintf("Ticket %d", i), Source: domain.SourceSlash})
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, tk.Key())
				want = append(want, step{tk.Key(), "ticket.created", ""})
			}
			// Interleaved across tickets, several per ticket.
			for round, status := range []string{"open", "in_progress", "waiting"} {
				for _, key := range keys {
					if _, err := r.svc.ChangeStatus(ctx, admin, key, status); err != nil {
						t.Fatal(err)
					}
					want = append(want, step{key, "ticket.status_changed", status})
					body := fmt.Sprintf("reply %d on %s", round, key)
					if _, err := r.svc.Comment(ctx, admin, key, commands.CommentInput{Body: body, Public: true}); err != nil {
						t.Fatal(err)
					}
					want = append(want, step{key, "comment.added", body})
				}
			}
			eventually(t, "attempts refused while down", func() bool { return rc.refused.Load() >= 3 })
			rc.down.Store(false)
			eventually(t, "every event delivered", func() bool { return len(rc.received()) >= len(want) })
			r.settle(t)
			took := rc.received()
			if len(rc.bad) > 0 {
				t.Fatalf("%d requests failed verification: %s", len(rc.bad), rc.bad[0])
			}
			seen := map[string]bool{}
			perTicket := map[string][]step{}
			for _, g := range took {
				if seen[g.Delivery] || g.Delivery != g.Body.ID {
					t.Errorf("delivery %s taken twice (or header and body disagree: %s)", g.Delivery, g.Body.ID)
				}
				seen[g.Delivery] = true
				s := step{g.Body.Ticket.Key, g.Body.Type, ""}
				switch g.Body.Type {
				case "ticket.status_changed":
					s.detail, _ = g.Body.Data["to"].(string)
					if g.Body.Ticket.Status != s.detail {
						t.Errorf("%s: ticket status %q in a change to %q", s.key, g.Body.Ticket.Status, s.detail)
					}
				case "comment.added":
					c, _ := g.Body.Data["comment"].(map[string]any)
					s.detail, _ = c["body"].(string)
				}
				perTicket[s.key] = append(perTicket[s.key], s)
			}
			if len(took) != len(want) {
				t.Errorf("%d deliveries taken, want %d", len(took), len(want))
			}
			for _, key := range keys {
				var w []step
				for _, s := range want {
					if s.key == key {
						w = append(w, s)
					}
				}
				if !slices.Equal(perTicket[key], w) {
					t.Errorf("%s in this order:\n%v\nwant\n%v", key, perTicket[key], w)
				}
			}
			log, err := r.svc.WebhookLog(ctx, admin, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range log {
				if d.DeliveredAt == nil || d.LastStatus != 204 {
					t.Errorf("log: %+v", d)
				}
			}
		})
	}
}

// settle waits until the outbox holds nothing undelivered.
func (r *rig) settle(t *testing.T) {
	t.Helper()
	eventually(t, "the outbox empty", func() bool {
		n, err := r.db.OutboxPending(context.Background())
		return err == nil && n == 0
	})
}

// TestInternalNotesOnlyWhenSubscribed: comment.added never carries an
// internal note; comment.internal does, to whoever names it.
func TestInternalNotesOnlyWhenSubscribed(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := newRig(t, db.Dialect())
		public, internal := newReceiver(t), newReceiver(t)
		r.hook(t, public, "comment.added")
		r.hook(t, internal, "comment.added", "comment.internal")
		r.run(t)
		tk, err := r.svc.CreateTicket(ctx, admin, commands.TicketInput{CustomerKey: "ACME", Title: "Export fails", Source: domain.SourceSlash})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []commands.CommentInput{{Body: "secret: the customer is on a trial"}, {Body: "We are on it.", Public: true}} {
			if _, err := r.svc.Comment(ctx, admin, tk.Key(), c); err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, "both deliveries to the subscriber of internal notes", func() bool { return len(internal.received()) == 2 })
		eventually(t, "the public comment", func() bool { return len(public.received()) >= 1 })
		r.settle(t)
		for _, g := range public.received() {
			if strings.Contains(string(g.Raw), "secret") || g.Body.Type != "comment.added" {
				t.Errorf("an internal note reached a comment.added webhook: %s", g.Raw)
			}
		}
		types := []string{internal.received()[0].Body.Type, internal.received()[1].Body.Type}
		if !slices.Equal(types, []string{"comment.internal", "comment.added"}) {
			t.Errorf("types %v", types)
		}
	})
}

// TestDisabledAfterFailing: a webhook failing without one success for
// webhooks.disable_after is disabled, its pending deliveries dropped and
// its admin DM'd; the clock is the store's, moved by the test.
func TestDisabledAfterFailing(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			clock := storagetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			r := newRig(t, d, storage.WithClock(clock.Now))
			rc := newReceiver(t)
			rc.down.Store(true)
			w := r.hook(t, rc, "ticket.created", "time.logged")
			s := webhook.New(webhook.Options{Service: r.svc, Outbox: r.db, Logger: slog.New(slog.DiscardHandler)})
			// Two deliveries of one ticket: the second waits behind the first.
			tk, err := r.svc.CreateTicket(ctx, admin, commands.TicketInput{CustomerKey: "ACME", Title: "One", Source: domain.SourceSlash})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.LogTime(ctx, admin, commands.LogTimeInput{Key: tk.Key(), Duration: "1h"}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			for range 3 { // failing for 23 h: still on
				clock.Advance(23 * time.Hour / 3)
				if err := s.DeliverDue(ctx); err != nil {
					t.Fatal(err)
				}
			}
			hooks, _ := r.svc.Webhooks(ctx, admin)
			if len(hooks) != 1 || hooks[0].DisabledAt != nil || hooks[0].FailingSince == nil {
				t.Fatalf("after 23 h: %+v", hooks[0])
			}
			before := rc.refused.Load()
			clock.Advance(90 * time.Minute)
			if err := s.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			hooks, _ = r.svc.Webhooks(ctx, admin)
			if hooks[0].DisabledAt == nil || !strings.Contains(hooks[0].DisabledReason, "HTTP 503") {
				t.Fatalf("after 24.5 h: %+v", hooks[0])
			}
			if rc.refused.Load() != before+1 {
				t.Errorf("%d attempts when the webhook was disabled, want the one that disabled it", rc.refused.Load()-before)
			}
			log, _ := r.svc.WebhookLog(ctx, admin, fmt.Sprint(w.ID))
			for _, d := range log {
				if d.DroppedAt == nil && d.DeliveredAt == nil {
					t.Errorf("delivery left pending: %+v", d)
				}
			}
			// The DM to the admin who added it, through the outbox.
			msgs, err := r.db.ClaimOutbox(ctx, "", []string{domain.OutboxSlackPost}, 50, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			dm := 0
			for _, m := range msgs {
				if strings.Contains(m.Payload, commands.NoticeWebhookDisabled) && strings.Contains(m.Payload, `"user":"`+adminID+`"`) {
					dm++
				}
			}
			if dm != 1 {
				t.Errorf("%d DMs about the disabling, want 1", dm)
			}
			// Nothing more is sent: a new event queues nothing for it.
			if _, err := r.svc.CreateTicket(ctx, admin, commands.TicketInput{CustomerKey: "ACME", Title: "Three", Source: domain.SourceSlash}); err != nil {
				t.Fatal(err)
			}
			if after, _ := r.svc.WebhookLog(ctx, admin, ""); len(after) != len(log) {
				t.Errorf("%d deliveries after the webhook was disabled, want %d", len(after), len(log))
			}
		})
	}
}

// TestSLAEventsQueued: the SLA scan's warning and breach become
// deliveries, recorded with the alerts.
func TestSLAEventsQueued(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			clock := storagetest.NewClock(time.Now().UTC().Truncate(time.Second))
			r := newRig(t, d, storage.WithClock(clock.Now))
			if _, err := r.svc.EditCustomer(ctx, admin, "ACME", map[string]string{"sla_policy": "gold"}); err != nil {
				t.Fatal(err)
			}
			rc := newReceiver(t)
			w := r.hook(t, rc, "sla.warning", "sla.breach")
			if _, err := r.svc.CreateTicket(ctx, admin, commands.TicketInput{CustomerKey: "ACME", Title: "Checkout down", Priority: "urgent", Source: domain.SourceSlash}); err != nil {
				t.Fatal(err)
			}
			for _, step := range []time.Duration{12 * time.Minute, 4 * time.Minute} {
				clock.Advance(step)
				if _, err := r.svc.ScanSLA(ctx); err != nil {
					t.Fatal(err)
				}
			}
			log, err := r.svc.WebhookLog(ctx, admin, fmt.Sprint(w.ID))
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, d := range log {
				types = append(types, d.Type)
				if !strings.Contains(d.Body, `"target":"first_response"`) || !strings.Contains(d.Body, `"key":"ACME-1"`) {
					t.Errorf("body: %s", d.Body)
				}
			}
			if !slices.Equal(types, []string{"sla.breach", "sla.warning"}) { // newest first
				t.Errorf("deliveries %v", types)
			}
		})
	}
}

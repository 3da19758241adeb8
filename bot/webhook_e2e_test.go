package bot_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
	"github.com/deskbot/deskbot/webhook"
)

var webhookSecretRe = regexp.MustCompile("whsec_[0-9a-f]{64}")

// hookSink is a receiver that answers 204, or 503 while down.
type hookSink struct {
	*httptest.Server
	down   atomic.Bool
	mu     sync.Mutex
	bodies []string
}

func newHookSink(t *testing.T) *hookSink {
	s := &hookSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if s.down.Load() {
			http.Error(w, "receiver down", http.StatusServiceUnavailable)
			return
		}
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hookSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func (w *world) webhookSender() *webhook.Sender {
	return webhook.New(webhook.Options{Service: w.svc, Outbox: w.db, Logger: testLogger(),
		First: 10 * time.Millisecond, Limit: 50 * time.Millisecond})
}

// TestWebhookCommands: an admin adds, lists, reads the log of and removes
// a webhook in Slack; the secret is shown once, privately; events reach
// the receiver; bad input is refused with what to fix.
func TestWebhookCommands(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		sink := newHookSink(t)
		for _, c := range []struct{ user, text, want string }{
			{customerID, "webhook add " + sink.URL + " ticket.created", "Only deskbot admins"},
			{agentID, "webhook add http://crm.example.com/hooks ticket.created", "must use https (http is for localhost only)"},
			{agentID, "webhook add ftp://crm.example.com/hooks ticket.created", `must use https, not \"ftp\"`},
			{agentID, "webhook add not-a-url ticket.created", "is not a URL like"},
			{agentID, "webhook add https://u:p@crm.example.com/hooks ticket.created", "Put no user or password in the URL"},
			{agentID, "webhook add https://crm.example.com/hooks ticket.deleted", `\"ticket.deleted\" is not a webhook event. The events are ticket.created`},
			{agentID, "webhook add https://crm.example.com/hooks", "Name at least one event"},
			{agentID, "webhook add", "Give the receiver's URL and its events"},
			{agentID, "webhook remove abc", `\"abc\" is not a webhook id`},
			{agentID, "webhook remove 99", "There is no webhook 99"},
			{agentID, "webhook log 99", "There is no webhook 99"},
			{agentID, "webhook list", "No webhooks."},
			{agentID, "webhook frobnicate", "/desk webhook add URL EVENT…"},
		} {
			w.slash(t, c.user, triageChan, "/desk", c.text)
			w.waitReply(t, c.want)
		}
		w.slash(t, agentID, triageChan, "/desk", "webhook add <"+sink.URL+"/hooks> ticket.created,comment.added")
		reply := string(w.waitReply(t, "Webhook *1* added").Body)
		secret := webhookSecretRe.FindString(reply)
		if secret == "" || !strings.Contains(reply, `"response_type":"ephemeral"`) || !strings.Contains(reply, "`ticket.created`, `comment.added`") {
			t.Fatalf("reply: %s", reply)
		}
		sender := w.webhookSender()
		w.slash(t, agentID, triageChan, "/ticket", "Export fails #acme")
		w.waitCard(t, acmeChan, "Export fails")
		w.eventually(t, "ticket.created delivered", func() bool {
			if err := sender.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			return len(sink.got()) == 1
		})
		if b := sink.got()[0]; !strings.Contains(b, `"type":"ticket.created"`) || !strings.Contains(b, `"key":"ACME-1"`) {
			t.Errorf("body: %s", b)
		}
		w.slash(t, agentID, triageChan, "/desk", "webhook list")
		list := string(w.waitReply(t, "*Webhooks*").Body)
		if !strings.Contains(list, "/hooks") || !strings.Contains(list, "active") || strings.Contains(list, secret) {
			t.Errorf("list: %s", list)
		}
		w.slash(t, agentID, triageChan, "/desk", "webhook log 1")
		log := string(w.waitReply(t, "*Last webhook deliveries*").Body)
		if !strings.Contains(log, "ticket.created") || !strings.Contains(log, "ACME-1") || !strings.Contains(log, "HTTP 204") ||
			!strings.Contains(log, "1 attempt(s)") || !strings.Contains(log, "delivered") {
			t.Errorf("log: %s", log)
		}
		w.slash(t, agentID, triageChan, "/desk", "webhook remove 1")
		w.waitReply(t, "Webhook 1 (")
		w.slash(t, agentID, triageChan, "/desk", "webhook remove 1")
		w.waitReply(t, "There is no webhook 1")
	})
}

// TestWebhookDisabledDM: a webhook failing for a day without a success is
// disabled and the admin who added it is told by DM, on the test's clock.
func TestWebhookDisabledDM(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(time.Now().UTC().Truncate(time.Second))
			w := startAt(t, d, clock)
			ctx := waitCtx(t)
			sink := newHookSink(t)
			sink.down.Store(true)
			w.slash(t, agentID, triageChan, "/desk", "webhook add "+sink.URL+" ticket.created")
			w.waitReply(t, "Webhook *1* added")
			agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
			if _, err := w.svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "Export fails", Source: domain.SourceSlash}); err != nil {
				t.Fatal(err)
			}
			sender := w.webhookSender()
			deliver := func() {
				t.Helper()
				if err := sender.DeliverDue(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			deliver()
			clock.Advance(12 * time.Hour)
			deliver()
			w.slash(t, agentID, triageChan, "/desk", "webhook list")
			w.waitReply(t, ":warning: failing since")
			clock.Advance(12 * time.Hour)
			deliver()
			dm, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["channel"] == "D"+strings.TrimLeft(agentID, "U") && strings.Contains(c.Params["text"], "so I disabled it")
			})
			if err != nil {
				t.Fatalf("no DM to the admin: %v", err)
			}
			if !strings.Contains(dm.Params["text"], "HTTP 503 receiver down") || !strings.Contains(dm.Params["text"], sink.URL) {
				t.Errorf("DM: %s", dm.Params["text"])
			}
			w.slash(t, agentID, triageChan, "/desk", "webhook list")
			w.waitReply(t, ":red_circle: disabled")
			w.slash(t, agentID, triageChan, "/desk", "webhook log")
			w.waitReply(t, "3 attempt(s) · last HTTP 503")
		})
	}
}

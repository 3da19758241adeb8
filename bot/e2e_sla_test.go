package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A gold customer's urgent ticket: as the clock passes 75% of the first
// response target, the warning reaches the assignee's DM and the agents'
// channel (here the triage channel: no escalation channel is set), never
// the customer's thread, where the card shows only our promise; past the
// deadline, the breach. Each once.
func TestSLAWarningReachesThreadAndAssignee(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(time.Now().UTC().Truncate(time.Second))
			w := startAt(t, d, clock)
			ctx := waitCtx(t)
			agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelCLI}
			if _, err := w.svc.EditCustomer(ctx, agent, "ACME", map[string]string{"sla_policy": "gold"}); err != nil {
				t.Fatal(err)
			}
			w.slash(t, agentID, triageChan, "/ticket", "Checkout down !urgent #acme <@"+agent2ID+">")
			card := w.waitCard(t, acmeChan, "Checkout down")
			if b := plainJSON(card.Params["blocks"]); !strings.Contains(b, "First response by") || strings.Contains(b, "on track") {
				t.Errorf("the card shows no promise, or our alert level: %s", card.Params["blocks"])
			}
			_, ts := w.cardTS(t, "ACME-1")
			scan := func() {
				t.Helper()
				if _, err := w.svc.ScanSLA(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(12 * time.Minute) // 80% of the 15-minute first response target
			scan()
			scan() // a second pass finds nothing new
			warn, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["channel"] == triageChan && strings.Contains(c.Params["text"], "is at risk")
			})
			if err != nil {
				t.Fatalf("no warning in the agents' channel: %v", err)
			}
			if !strings.Contains(warn.Params["text"], "first response") || !strings.Contains(warn.Params["text"], "<@"+agent2ID+">") {
				t.Errorf("warning: %s", warn.Params["text"])
			}
			if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && strings.HasPrefix(c.Params["channel"], "D") && strings.Contains(c.Params["text"], "is at risk")
			}); err != nil {
				t.Fatalf("no warning DM to the assignee: %v", err)
			}
			clock.Advance(4 * time.Minute)
			scan()
			if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["channel"] == triageChan && strings.Contains(c.Params["text"], "breached its first response SLA")
			}); err != nil {
				t.Fatalf("no breach in the agents' channel: %v", err)
			}
			w.eventually(t, "the outbox delivered", func() bool {
				n, err := w.db.OutboxPending(context.Background())
				return err == nil && n == 0
			})
			var warnings []slackemu.Call
			for _, c := range w.emu.Calls("chat.postMessage") {
				if c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "SLA") {
					t.Errorf("an alert in the customer's thread: %s", c.Params["text"])
				}
				if c.OK() && c.Params["channel"] == triageChan && strings.Contains(c.Params["text"], "is at risk") {
					warnings = append(warnings, c)
				}
			}
			if len(warnings) != 1 {
				t.Errorf("%d warnings in the agents' channel, want exactly one", len(warnings))
				for _, c := range warnings {
					t.Logf("at %s: %s (metadata %s)", c.At.Format("15:04:05.000"), c.Params["text"], c.Params["metadata"])
				}
			}
			w.slash(t, agentID, triageChan, "/desk", "sla ACME-1")
			w.waitReply(t, "Policy *gold*")
		})
	}
}

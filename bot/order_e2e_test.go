package bot_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A person's inputs on one topic are worked in the order Slack delivered
// them, across replicas: a timer Start held by a replica that died
// (stored, not worked) and the Stop the person then clicked on another
// replica end with the timer stopped — the Stop waits for the Start, taken
// up once its lease ran out — not with the Start run last and the timer
// left running. Meanwhile the same person's /ticket, which no earlier
// input of theirs can have changed, waits for nothing: its card comes
// while the Start is still held.
func TestPersonsInputsWorkedInDeliveryOrder(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			emu := slackemu.New(slackemu.Options{})
			t.Cleanup(emu.Close)
			emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU"})
			emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
			emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
			db := storagetest.Open(t, d)
			svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan, Logger: testLogger()})
			agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
			ctx := waitCtx(t)
			if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.LinkChannel(ctx, agent, "ACME", acmeChan); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateTicket(ctx, agent, commands.TicketInput{Title: "Printer on fire", CustomerKey: "ACME", Source: "slash"}); err != nil {
				t.Fatal(err)
			}
			// The Start, stored and acknowledged by replica-a, which died
			// before working it: its lease runs out in 5 s.
			start, err := json.Marshal(slackemu.BlockAction(agentID, acmeChan, "", "timer_start", "ACME-1"))
			if err != nil {
				t.Fatal(err)
			}
			person, topic := bot.OrderKey("interactive", start)
			held := []*domain.InboxInput{{DedupKey: "envelope:held-start", Kind: "interactive", Payload: string(start), Person: person, Topic: topic}}
			if _, err := db.StoreInputs(ctx, "replica-a", 5*time.Second, held); err != nil {
				t.Fatal(err)
			}
			b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
				Outbox: db, Inbox: db, Logger: testLogger(), OutboxPoll: 20 * time.Millisecond, Instance: "replica-b"})
			serveBot(t, emu, b)
			if _, err := emu.Interactive(ctx, slackemu.BlockAction(agentID, acmeChan, "", "timer_stop", "ACME-1")); err != nil {
				t.Fatal(err)
			}
			w := &world{emu: emu}
			w.slash(t, agentID, triageChan, "/ticket", "Meanwhile elsewhere #acme")
			w.waitCard(t, acmeChan, "Meanwhile elsewhere")
			if running, _, _ := svc.RunningTimer(context.Background(), agent); running != nil {
				t.Fatal("the held Start was worked before the /ticket that waits for nothing")
			}
			var entries []*domain.TimeEntry
			w.eventually(t, "the held Start was worked", func() bool {
				entries, err = svc.TimeEntries(context.Background(), agent, domain.TimeFilter{UserID: agentID,
					From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
				return err == nil && len(entries) > 0
			})
			// The Stop comes right after; without the order it came first
			// and the timer keeps running.
			for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				running, _, err := svc.RunningTimer(context.Background(), agent)
				if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Fatal(err)
				}
				if running == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the timer runs: the Stop was worked before the Start it followed")
				}
			}
		})
	}
}

package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// TestStoredInputOutlivesSlackOutage: a /ticket acknowledged (stored in
// the inbox) while Slack's Web API answers 500 is worked again once Slack
// is back, rather than answered "internal error" and dropped; its card is
// posted once. The fault harness (bench/chaos) found it.
func TestStoredInputOutlivesSlackOutage(t *testing.T) {
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
			if _, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.LinkChannel(context.Background(), agent, "ACME", acmeChan); err != nil {
				t.Fatal(err)
			}
			b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
				Outbox: db, Inbox: db, Logger: testLogger(), OutboxPoll: 20 * time.Millisecond, Instance: "test"})
			serveBot(t, emu, b)

			emu.WebAPIOutage(slackemu.OutageServerError, 1500*time.Millisecond)
			if _, err := emu.SlashCommand(waitCtx(t), slackemu.SlashCommand{Command: "/ticket", Text: "printer on fire #acme",
				UserID: agentID, ChannelID: triageChan}); err != nil {
				t.Fatal(err)
			}
			w := &world{emu: emu}
			w.waitCard(t, acmeChan, "printer on fire")
			for _, c := range emu.Calls("response_url") {
				if strings.Contains(string(c.Body), "Internal error") {
					t.Errorf("the person was told %s", c.Body)
				}
			}
			cards := 0
			for _, c := range emu.Calls("chat.postMessage") {
				if c.OK() && c.Params["channel"] == acmeChan && strings.Contains(c.Params["blocks"], "printer on fire") {
					cards++
				}
			}
			if cards != 1 {
				t.Errorf("%d cards, want 1", cards)
			}
		})
	}
}

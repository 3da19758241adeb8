package bot_test

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

// A customer channel the bot was never invited to: the card's post is
// refused with not_in_channel, the bot joins (channels:join, which the
// manifest must grant) and posts again.
func TestCardJoinsChannelItWasNotInvitedTo(t *testing.T) {
	w := start(t, storage.SQLite)
	w.emu.AddChannel(slackemu.Channel{ID: "CGLOBEX", Name: "globex-support", Members: []string{agentID}})
	ctx := context.Background()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	if _, err := w.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.LinkChannel(ctx, agent, "GLOBEX", "CGLOBEX"); err != nil {
		t.Fatal(err)
	}
	w.slash(t, agentID, "CGLOBEX", "/ticket", "Printer on fire")
	w.waitCard(t, "CGLOBEX", "Printer on fire")
	joins := w.emu.Calls("conversations.join")
	if len(joins) != 1 || !joins[0].OK() {
		t.Fatalf("joins %+v", joins)
	}
}

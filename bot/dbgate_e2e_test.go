package bot_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// downInbox is the database's inbox, unreachable while down is set.
type downInbox struct {
	*storage.DB
	down atomic.Bool
}

var errUnreachable = errors.New("dial tcp: connection refused")

func (d *downInbox) StoreInputs(ctx context.Context, owner string, lease time.Duration, in []*domain.InboxInput) ([]bool, error) {
	if d.down.Load() {
		return nil, errUnreachable
	}
	return d.DB.StoreInputs(ctx, owner, lease, in)
}

func (d *downInbox) Ready(ctx context.Context) error {
	if d.down.Load() {
		return errUnreachable
	}
	return d.DB.Ready(ctx)
}

// TestSocketClosedWhileDatabaseDown: a replica that cannot store an
// envelope acks nothing and closes its Socket Mode connection, so Slack
// sends to the other replicas; it connects again once the database
// answers, and works.
func TestSocketClosedWhileDatabaseDown(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			emu := slackemu.New(slackemu.Options{AckTimeout: 500 * time.Millisecond})
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
			inbox := &downInbox{DB: db}
			b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
				Outbox: db, Inbox: inbox, Logger: testLogger(), OutboxPoll: 20 * time.Millisecond, Instance: "test"})
			serveBot(t, emu, b)

			inbox.down.Store(true)
			_, err := emu.SlashCommand(waitCtx(t), slackemu.SlashCommand{Command: "/ticket", Text: "unstored #acme", UserID: agentID, ChannelID: triageChan})
			if !errors.Is(err, slackemu.ErrNoAck) {
				t.Fatalf("a command the database could not store: %v, want no ack", err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for emu.LiveConnections() > 0 {
				if time.Now().After(deadline) {
					t.Fatal("the Socket Mode connection stayed open while the database was down")
				}
				time.Sleep(10 * time.Millisecond)
			}
			before := emu.Connections()
			inbox.down.Store(false)
			if err := emu.WaitConnections(waitCtx(t), before+1); err != nil {
				t.Fatalf("no reconnection once the database answered: %v", err)
			}
			if _, err := emu.SlashCommand(waitCtx(t), slackemu.SlashCommand{Command: "/ticket", Text: "stored #acme", UserID: agentID, ChannelID: triageChan}); err != nil {
				t.Fatal(err)
			}
			(&world{emu: emu}).waitCard(t, acmeChan, "stored")
		})
	}
}

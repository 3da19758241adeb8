package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

const triageChan = "CTRIAGE"

// customer is one company the load works for: its key, its shared Slack
// channel and its mail domain. Slack lets an app post about once a second
// in one channel, so a helpdesk's 20 inputs a second come from many
// customers, as in production, not from one channel.
type customer struct{ key, channel, domain string }

func customers(n int) []customer {
	cs := make([]customer, n)
	for i := range cs {
		key := fmt.Sprintf("CUST%02d", i+1)
		cs[i] = customer{key: key, channel: "C" + key, domain: strings.ToLower(key) + ".com"}
	}
	return cs
}

// addChannels creates the customers' shared channels and the triage
// channel in the emulator.
func addChannels(emu *slackemu.Server, cs []customer) {
	for _, c := range cs {
		emu.AddChannel(slackemu.Channel{ID: c.channel, Name: strings.ToLower(c.key) + "-support", IsExtShared: true})
	}
	emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
	emu.AddChannel(slackemu.Channel{ID: digestChan, Name: "digests"})
}

// seed migrates the database, creates the customers the load works for
// and the digests due within horizon (seedScheduled).
func seed(ctx context.Context, url, cfgPath string, cs []customer, horizon time.Duration) ([]digestView, error) {
	cfg, err := domain.LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	db, err := storage.Open(ctx, url, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	svc := commands.New(db, cfg, commands.Options{TriageChannel: triageChan})
	agent := domain.Actor{UserID: "USEED", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	for _, c := range cs {
		in := commands.CustomerInput{Key: c.key, Name: "Customer " + c.key, EmailDomains: c.domain}
		if _, err := svc.CreateCustomer(ctx, agent, in); err != nil {
			return nil, err
		}
		if _, err := svc.LinkChannel(ctx, agent, c.key, c.channel); err != nil {
			return nil, err
		}
	}
	return seedScheduled(ctx, svc, cs, "UAGENT00", horizon)
}

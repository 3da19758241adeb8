package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

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
}

// seed migrates the database and creates the customers the load works for.
func seed(ctx context.Context, url string, cs []customer) error {
	db, err := storage.Open(ctx, url, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan})
	agent := domain.Actor{UserID: "USEED", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	for _, c := range cs {
		in := commands.CustomerInput{Key: c.key, Name: "Customer " + c.key, EmailDomains: c.domain}
		if _, err := svc.CreateCustomer(ctx, agent, in); err != nil {
			return err
		}
		if _, err := svc.LinkChannel(ctx, agent, c.key, c.channel); err != nil {
			return err
		}
	}
	return nil
}

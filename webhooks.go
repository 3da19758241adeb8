package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/webhook"
)

// startWebhooks runs the outgoing webhooks' sender until the returned stop
// is called. Its claims are named after the instance with the bot's 8 s
// lease, like the mail sender's: the bot renews them while this process
// lives, so a killed replica's deliveries go out again within seconds.
// Every replica sends; the order per ticket holds across them
// (commands.PrepareWebhook).
func startWebhooks(ctx context.Context, env *Env, db *storage.DB, svc *commands.Service, log *slog.Logger) (stop func()) {
	owner := env.Instance
	if owner == "" {
		owner = bot.DefaultInstance()
	}
	s := webhook.New(webhook.Options{Service: svc, Outbox: db, Owner: owner, Lease: 8 * time.Second,
		Poll: 500 * time.Millisecond, Logger: log})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Run(ctx)
	}()
	return func() { cancel(); wg.Wait() }
}

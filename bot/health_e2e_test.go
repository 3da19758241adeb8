package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// runBot runs a bot with the given app token against emu and returns
// the bot and a wait for Run's result.
func runBot(t *testing.T, emu *slackemu.Server, appToken string) (*bot.Bot, func() error) {
	t.Helper()
	db := storagetest.Open(t, storage.SQLite)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: testLogger()})
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: appToken, APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: slog.New(slog.DiscardHandler), OutboxPoll: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	done := make(chan struct{})
	go func() { err = b.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	wait := func() error {
		t.Helper()
		select {
		case <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run still running: a refused Socket Mode connection must end it")
			return nil
		}
	}
	return b, wait
}

// A wrong SLACK_APP_TOKEN ends Run at once with what to do, instead of
// hanging after "slack connected" until the process is killed.
func TestRunEndsWhenSlackRefusesTheAppToken(t *testing.T) {
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(t)})
	t.Cleanup(emu.Close)
	_, wait := runBot(t, emu, "xapp-wrong")
	err := wait()
	if err == nil || !strings.HasPrefix(err.Error(), "SLACK_APP_TOKEN: Slack refused the app-level token (invalid_auth)") {
		t.Fatalf("Run = %v", err)
	}
}

// The Socket Mode client retries missing_scope with backoff for ever;
// the bot stops instead, since only a new token cures it.
func TestRunEndsOnAFatalConnectionError(t *testing.T) {
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(t)})
	t.Cleanup(emu.Close)
	emu.FailNext("apps.connections.open", "missing_scope", 1)
	_, wait := runBot(t, emu, "xapp-emu")
	err := wait()
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN: the app-level token lacks connections:write") {
		t.Fatalf("Run = %v", err)
	}
}

// /readyz follows Socket Mode: ready while connected, not ready with the
// reason while the connection is down and being retried.
func TestReadyFollowsTheSocketModeConnection(t *testing.T) {
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(t)})
	t.Cleanup(emu.Close)
	b, _ := runBot(t, emu, "xapp-emu")
	ctx := waitCtx(t)
	eventually(t, "ready after connecting", func() bool { return b.Ready(ctx) == nil })
	emu.FailNext("apps.connections.open", "internal_error", 1000)
	emu.DropConnection()
	eventually(t, "not ready, naming the failure", func() bool {
		err := b.Ready(ctx)
		return err != nil && strings.Contains(err.Error(), "internal_error")
	})
}

// eventually waits for cond. Generous: CI runs every package's tests at
// once on two cores, and the outbox paces deliveries as Slack would; the
// wait ends as soon as cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCheckTokensNamesTheRefusedVariable(t *testing.T) {
	emu := slackemu.New(slackemu.Options{Scopes: []string{"chat:write", "commands"}})
	t.Cleanup(emu.Close)
	ctx := waitCtx(t)
	id, err := bot.CheckTokens(ctx, "xoxb-emu", "xapp-emu", emu.APIURL())
	if err != nil || id.BotUserID != "UBOT" || strings.Join(id.Scopes, ",") != "chat:write,commands" {
		t.Fatalf("%+v %v", id, err)
	}
	if _, err := bot.CheckTokens(ctx, "xoxb-wrong", "xapp-emu", emu.APIURL()); err == nil || !strings.HasPrefix(err.Error(), "SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth)") {
		t.Errorf("wrong bot token: %v", err)
	}
	if _, err := bot.CheckTokens(ctx, "xoxb-emu", "xapp-wrong", emu.APIURL()); err == nil || !strings.HasPrefix(err.Error(), "SLACK_APP_TOKEN: Slack refused the app-level token (invalid_auth)") {
		t.Errorf("wrong app token: %v", err)
	}
	if _, err := bot.CheckTokens(ctx, "xapp-emu", "xapp-emu", emu.APIURL()); err == nil || !strings.HasPrefix(err.Error(), "SLACK_BOT_TOKEN: not a bot token (not_allowed_token_type)") {
		t.Errorf("app token as bot token: %v", err)
	}
}

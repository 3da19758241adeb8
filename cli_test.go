package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, envOf(env), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// --help prints the command's usage and does nothing else: no database is
// created, no bot starts, and a bad unrelated variable does not get in
// the way.
func TestHelpDoesNothingElse(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"LOG_LEVEL": "verbose"}
	for _, c := range [][]string{
		{"serve"}, {"migrate"}, {"demo"}, {"doctor"}, {"version"}, {"config", "check"}, {"sla", "simulate"}, {"keys", "rotate"}, {"keys", "revoke"}, {"export"}, {"import"},
	} {
		for _, h := range []string{"--help", "-h"} {
			r := runCLI(t, env, append(c, h)...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: deskbot "+strings.Join(c, " ")) || r.stderr != "" {
				t.Errorf("%v %s: %+v", c, h, r)
			}
		}
	}
	if r := runCLI(t, env, "help", "migrate"); r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: deskbot migrate") {
		t.Errorf("help migrate: %+v", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--help created %v", entries)
	}
}

func TestVersionAndHelpIgnoreTheEnvironment(t *testing.T) {
	env := map[string]string{"LOG_LEVEL": "verbose", "HTTP_ADDR": "8080"}
	if r := runCLI(t, env, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "deskbot ") {
		t.Errorf("version: %+v", r)
	}
	if r := runCLI(t, env, "--help"); r.code != 0 || !strings.Contains(r.stdout, "deskbot doctor") {
		t.Errorf("--help: %+v", r)
	}
}

// A flag or argument a command does not take is refused with its usage,
// exit 2, and nothing runs.
func TestUnknownFlagsAreRefusedWithTheUsage(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "--bogus"}, "deskbot migrate: flag provided but not defined: -bogus\n\nUsage: deskbot migrate"},
		{[]string{"serve", "now"}, "deskbot serve: unexpected argument \"now\"\n\nUsage: deskbot serve"},
		{[]string{"config", "chek"}, "deskbot config: unknown command \"chek\"\n\nUsage: deskbot config SUBCOMMAND"},
		{[]string{"--verbose"}, "deskbot: unknown flag --verbose"},
		{[]string{"frobnicate"}, "deskbot: unknown command \"frobnicate\""},
	} {
		r := runCLI(t, nil, c.args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, c.want) {
			t.Errorf("%v: %+v\nwant %q", c.args, r, c.want)
		}
	}
	if _, err := os.Stat("deskbot.db"); err == nil {
		t.Error("a refused command created deskbot.db")
	}
}

func TestConfigAloneListsItsSubcommands(t *testing.T) {
	r := runCLI(t, nil, "config")
	if r.code != 0 || !strings.Contains(r.stdout, "deskbot config check") || r.stderr != "" {
		t.Errorf("%+v", r)
	}
}

// Start-up checks in order: environment and config together, then the
// Slack tokens, then the database; each failure names its cause.
func TestServeChecksInOrderNamingTheCause(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	badConfig := filepath.Join(dir, "deskbot.yaml")
	os.WriteFile(badConfig, []byte("priorities: [low]\nstatuses:\n  - {name: new, category: nope}\n"), 0o644)
	emu := slackemu.New(slackemu.Options{Scopes: mustManifestScopes(t)})
	t.Cleanup(emu.Close)

	// Environment and config: every problem at once, nothing else tried.
	r := runCLI(t, map[string]string{"LOG_LEVEL": "verbose", "DESKBOT_CONFIG": badConfig, "DATABASE_URL": "deskbot.db"}, "serve")
	for _, want := range []string{"LOG_LEVEL:", "SLACK_BOT_TOKEN is not set", badConfig + ":3:"} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("env+config: lacks %q: %+v", want, r)
		}
	}
	if strings.Contains(r.stderr, "DATABASE_URL") {
		t.Errorf("database checked before the environment was right: %s", r.stderr)
	}

	// A refused token is named, and a database mistake does not hide it.
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_APP_TOKEN": "xapp-emu", "SLACK_API_URL": emu.APIURL(),
		"DATABASE_URL": "deskbot.db", "HTTP_ADDR": "127.0.0.1:0"}
	if r := runCLI(t, env, "serve"); r.code != 1 || !strings.Contains(r.stderr, "SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth)") || strings.Contains(r.stderr, "DATABASE_URL") {
		t.Errorf("bot token: %+v", r)
	}
	env["SLACK_BOT_TOKEN"], env["SLACK_APP_TOKEN"] = "xoxb-emu", "xapp-wrong"
	if r := runCLI(t, env, "serve"); r.code != 1 || !strings.Contains(r.stderr, "SLACK_APP_TOKEN: Slack refused the app-level token (invalid_auth)") {
		t.Errorf("app token: %+v", r)
	}
	// Then the database: a bare file name is not taken for a SQLite file.
	env["SLACK_APP_TOKEN"] = "xapp-emu"
	if r := runCLI(t, env, "serve"); r.code != 1 || !strings.Contains(r.stderr, `DATABASE_URL: "deskbot.db" is not a database URL`) {
		t.Errorf("database: %+v", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files created: %v", entries)
	}
}

// A token revoked while serving ends the process with the variable and a
// non-zero exit, instead of retrying for ever.
func TestServeEndsWhenSlackRevokesTheToken(t *testing.T) {
	emu := slackemu.New(slackemu.Options{Scopes: mustManifestScopes(t)})
	t.Cleanup(emu.Close)
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-emu", "SLACK_APP_TOKEN": "xapp-emu", "SLACK_API_URL": emu.APIURL(),
		"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "d.db"), "HTTP_ADDR": "127.0.0.1:0", "LOG_LEVEL": "error"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), &out, &errOut) }()
	if err := emu.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	emu.FailNext("apps.connections.open", "token_revoked", 1)
	emu.Disconnect("refresh_requested")
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(errOut.String(), "SLACK_APP_TOKEN: Slack refused the app-level token (token_revoked)") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut.String())
		}
	case <-ctx.Done():
		t.Fatal("serve kept running after Slack revoked the token")
	}
}

func mustManifestScopes(t *testing.T) []string {
	t.Helper()
	scopes, err := neededScopes()
	if err != nil {
		t.Fatal(err)
	}
	return scopes
}

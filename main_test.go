package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadEnvReportsEveryProblem(t *testing.T) {
	_, err := loadEnv(envOf(map[string]string{
		"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_APP_TOKEN": "xoxb-bot", "SLACK_API_URL": "http://emu/api",
		"HTTP_ADDR": "8080", "TRIAGE_CHANNEL": "#triage", "LOG_LEVEL": "verbose", "SMTP_RELAY_URL": "http://relay",
		"IMAP_URL": "imap:/nohost", "SMTP_ADDR": "25", "SMTP_TLS_CERT": "/etc/deskbot/cert.pem", "SMTP_REQUIRE_TLS": "maybe",
	}))
	if err == nil {
		t.Fatal("accepted a broken environment")
	}
	for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "HTTP_ADDR", "TRIAGE_CHANNEL",
		"LOG_LEVEL", "SMTP_RELAY_URL", "MAIL_FROM", "IMAP_URL", "SMTP_ADDR", "SMTP_TLS_KEY", "SMTP_REQUIRE_TLS"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("no problem reported for %s in:\n%v", name, err)
		}
	}
}

func TestLoadEnvDefaults(t *testing.T) {
	e, err := loadEnv(envOf(nil))
	if err != nil || e.HTTPAddr != "127.0.0.1:8080" || e.DatabaseURL != "" {
		t.Fatalf("%+v %v", e, err)
	}
	if err := e.missingSlack(); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN is not set") || !strings.Contains(err.Error(), "SLACK_APP_TOKEN is not set") {
		t.Errorf("missing tokens: %v", err)
	}
}

// Without tokens serve explains what to set, and touches no database:
// the environment is checked before anything starts.
func TestServeWithoutTokensExplainsBeforeTheDatabase(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve"}, envOf(map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "deskbot.db")}), &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "SLACK_APP_TOKEN is not set") || !strings.Contains(errOut.String(), "manifest.yaml") {
		t.Fatalf("code %d, stderr:\n%s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "deskbot.db")); err == nil {
		t.Error("database created before the tokens were checked")
	}
}

func TestConfigCheck(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"config", "check"}, envOf(nil), &out, &errOut); code != 0 || !strings.Contains(out.String(), "built-in defaults is valid") {
		t.Fatalf("defaults: %d %s %s", code, out.String(), errOut.String())
	}
	bad := filepath.Join(t.TempDir(), "deskbot.yaml")
	os.WriteFile(bad, []byte("priorities: [low]\nstatuses:\n  - {name: new, category: nope}\n"), 0o644)
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"config", "check"}, envOf(map[string]string{"DESKBOT_CONFIG": bad}), &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), bad+`:3: status "new": category "nope"`) {
		t.Errorf("bad file: %d\n%s", code, errOut.String())
	}
}

func TestMigrateAndUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	env := envOf(map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "d.db")})
	if code := run(context.Background(), []string{"migrate"}, env, &out, &errOut); code != 0 || !strings.Contains(out.String(), "sqlite database is up to date (") {
		t.Fatalf("migrate: %d %s %s", code, out.String(), errOut.String())
	}
	if code := run(context.Background(), []string{"frobnicate"}, env, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %s", code, errOut.String())
	}
}

// The manifest is what admins paste into Slack: it must parse and ask for
// what the bot uses.
func TestManifest(t *testing.T) {
	data, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct{ Command string } `yaml:"slash_commands"`
			Shortcuts     []struct {
				CallbackID string `yaml:"callback_id"`
				Type       string
			}
		}
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			SocketMode bool `yaml:"socket_mode_enabled"`
			Events     struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
		}
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, c := range m.Features.SlashCommands {
		cmds = append(cmds, c.Command)
	}
	if strings.Join(cmds, " ") != "/ticket /time /desk" || len(m.Features.Shortcuts) != 1 || m.Features.Shortcuts[0].CallbackID != "create_ticket" {
		t.Errorf("commands %v shortcuts %+v", cmds, m.Features.Shortcuts)
	}
	if !m.Settings.SocketMode {
		t.Error("Socket Mode must be on")
	}
	scopes := strings.Join(m.OAuth.Scopes.Bot, " ")
	for _, s := range []string{"commands", "chat:write", "channels:join", "reactions:read", "channels:history", "users:read", "files:write", "im:write"} {
		if !strings.Contains(scopes, s) {
			t.Errorf("missing scope %s", s)
		}
	}
	events := strings.Join(m.Settings.Events.Bot, " ")
	for _, e := range []string{"app_home_opened", "message.channels", "reaction_added"} {
		if !strings.Contains(events, e) {
			t.Errorf("missing event %s", e)
		}
	}
}

// Every bot scope says on its line what needs it: an admin reviewing the
// install reads why each is asked for.
func TestManifestScopesAreCommented(t *testing.T) {
	data, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inBot := false
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "bot:":
			inBot = true
		case inBot && strings.HasPrefix(trimmed, "- "):
			n++
			if !strings.Contains(trimmed, "# ") {
				t.Errorf("scope without a comment: %s", trimmed)
			}
		case inBot && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			inBot = false
		}
	}
	if n == 0 {
		t.Fatal("no bot scopes found")
	}
}

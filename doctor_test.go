package main

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
)

// An install with a scope missing, a channel the bot was not invited to,
// no database yet and an IMAP server that does not answer: doctor names
// each, with what to do, and exits 1 without creating the database.
func TestDoctorTellsWhatToFix(t *testing.T) {
	scopes := slices.DeleteFunc(mustManifestScopes(t), func(s string) bool { return s == "channels:join" })
	emu := slackemu.New(slackemu.Options{Scopes: append(scopes, "chat:write.customize")})
	t.Cleanup(emu.Close)
	emu.AddChannel(slackemu.Channel{ID: "CTRIAGE", Name: "triage", Members: []string{}})
	relay := listen(t)
	closed := listen(t)
	closed.Close()
	dir := t.TempDir()
	r := runCLI(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-emu", "SLACK_APP_TOKEN": "xapp-emu", "SLACK_API_URL": emu.APIURL(),
		"TRIAGE_CHANNEL": "CTRIAGE", "DATABASE_URL": "sqlite:" + filepath.Join(dir, "deskbot.db"),
		"SMTP_RELAY_URL": "smtp://" + relay.Addr().String(), "MAIL_FROM": "support@vendor.com",
		"IMAP_URL": "imap://u:p@" + closed.Addr().String() + "/INBOX",
	}, "doctor", "--timeout", "2s")
	for _, want := range []string{
		"ok    environment:",
		"ok    config: built-in defaults is valid",
		"ok    slack: SLACK_BOT_TOKEN is the bot UBOT in Emu Team",
		"ok    slack: SLACK_APP_TOKEN opens Socket Mode connections",
		"FAIL  scopes: the app lacks channels:join: add them under OAuth & Permissions",
		"note  scopes: granted but unused, you may remove them: chat:write.customize",
		"FAIL  TRIAGE_CHANNEL CTRIAGE: the bot is not a member: type /invite @deskbot in that channel",
		"FAIL  database: SQLite file " + filepath.Join(dir, "deskbot.db") + " does not exist yet: `deskbot migrate` creates it",
		"ok    SMTP_RELAY_URL: " + relay.Addr().String() + " answers",
		"FAIL  IMAP_URL: " + closed.Addr().String() + " does not answer",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 1 || !strings.Contains(r.stderr, "doctor: 4 to fix") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("doctor created %v", entries)
	}
}

func TestDoctorPassesAGoodInstall(t *testing.T) {
	emu := slackemu.New(slackemu.Options{Scopes: mustManifestScopes(t)})
	t.Cleanup(emu.Close)
	emu.AddChannel(slackemu.Channel{ID: "CTRIAGE", Name: "triage"})
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-emu", "SLACK_APP_TOKEN": "xapp-emu", "SLACK_API_URL": emu.APIURL(),
		"TRIAGE_CHANNEL": "CTRIAGE", "DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "deskbot.db"),
	}
	if r := runCLI(t, env, "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	r := runCLI(t, env, "doctor")
	if r.code != 0 || strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stdout, "Everything deskbot needs is in place.") ||
		!strings.Contains(r.stdout, "ok    TRIAGE_CHANNEL CTRIAGE: the bot is a member") ||
		!strings.Contains(r.stdout, "schema up to date") || !strings.Contains(r.stdout, "note  mail: email is off") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

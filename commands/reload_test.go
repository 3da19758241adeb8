package commands_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestReloadKeepsOldConfigOnError(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("../domain/defaults.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "deskbot.yaml")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	admins := strings.Replace(string(data), "admins: []", "admins: [UADMIN]", 1)
	write(admins)
	cfg, err := domain.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	db := storagetest.Open(t, storage.SQLite)
	svc := commands.New(db, cfg, commands.Options{Logger: slog.New(slog.DiscardHandler)})
	admin := domain.Actor{UserID: "UADMIN", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

	// A broken file: refused with its problems, the old config stays.
	broken := strings.Replace(admins, "default_type: question", "default_type: quesiton", 1)
	write(strings.Replace(broken, "automations: []", "automations:\n  - {name: x, on: nope, then: [{note: hi}]}", 1))
	_, err = svc.ReloadConfig(ctx, admin)
	msg := domain.ErrorMessage(err)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(msg, "the one in force stays") ||
		!strings.Contains(msg, `default_type: type "quesiton" is not defined (did you mean "question"?)`) ||
		!strings.Contains(msg, `automation "x": event "nope" is not defined`) {
		t.Errorf("broken reload: %v", err)
	}
	if svc.Config() != cfg {
		t.Fatal("a broken file replaced the config in force")
	}
	// Not an admin: refused before reading anything.
	if _, err := svc.ReloadConfig(ctx, agent); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("non-admin reload: %v", err)
	}
	// A good file goes into force; SIGHUP's path is the same.
	write(strings.Replace(admins, "default_priority: normal", "default_priority: high", 1))
	got, err := svc.ReloadConfig(ctx, admin)
	if err != nil || got.DefaultPriority != "high" || svc.Config() != got {
		t.Fatalf("reload: %v", err)
	}
	write("priorities: []\n")
	if _, err := svc.Reload(path); err == nil || svc.Config() != got {
		t.Errorf("SIGHUP reload of a broken file: %v", err)
	}
	// A missing file is an error like any other.
	if _, err := svc.Reload(filepath.Join(t.TempDir(), "gone.yaml")); err == nil || svc.Config() != got {
		t.Errorf("missing file: %v", err)
	}
}

func TestReloadWithoutFile(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{})
	_, err := svc.ReloadConfig(context.Background(), agent) // no admins and no leads: any agent
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "DESKBOT_CONFIG") {
		t.Errorf("reload of the built-in config: %v", err)
	}
}

func TestIsAdmin(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{})
	for _, c := range []struct {
		admins, leads []string
		actor         domain.Actor
		want          bool
	}{
		{nil, nil, agent, true},
		{nil, nil, outsider, false},
		{nil, nil, domain.SystemActor(domain.ChannelScheduler), false},
		{nil, []string{"UAGENT"}, agent, true},
		{nil, []string{"UAGENT2"}, agent, false},
		{[]string{"UAGENT2"}, []string{"UAGENT"}, agent, false},
		{[]string{"UAGENT"}, nil, agent, true},
	} {
		cfg := domain.DefaultConfig()
		cfg.Slack.Admins, cfg.Slack.Leads = c.admins, c.leads
		svc.SetConfig(cfg)
		if got := svc.IsAdmin(c.actor); got != c.want {
			t.Errorf("admins %v leads %v %s: %v", c.admins, c.leads, c.actor.UserID, got)
		}
	}
}

package tracker_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/tracker"
	"github.com/deskbot/deskbot/tracker/trackeremu"
)

var agent = domain.Actor{UserID: "U0AGENT", Name: "Ada", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

const (
	ghRepo = "acme-corp/app"
	glRepo = "acme-corp/platform/api"
)

var env = map[string]string{
	"GH_TOKEN": "ghp_test", "GH_SECRET": "gh-secret",
	"GL_TOKEN": "glpat-test", "GL_SECRET": "gl-secret",
}

func getenv(k string) string { return env[k] }

// fixture is deskbot's use cases over a fresh database with two
// trackers on the emulator (gh: GitHub, gl: GitLab), the webhook
// receiver served, and customer ACME with ticket ACME-1 (the customer's
// words, an internal note) and ACME-2; GLOBEX-1 belongs to another customer.
type fixture struct {
	svc   *commands.Service
	emu   *trackeremu.Emu
	hooks *httptest.Server
	acme  *domain.Customer
}

func trackersYAML(emu *trackeremu.Emu) string {
	return fmt.Sprintf(`trackers:
  gh: {kind: github, repository: %s, api_url: %q, token_env: GH_TOKEN, webhook_secret_env: GH_SECRET, labels: [support]}
  gl: {kind: gitlab, repository: %s, api_url: %q, token_env: GL_TOKEN, webhook_secret_env: GL_SECRET}
`, ghRepo, emu.GitHubAPI(), glRepo, emu.GitLabAPI())
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	emu := trackeremu.New(env["GH_TOKEN"], env["GL_TOKEN"])
	t.Cleanup(emu.Close)
	cfg, err := domain.ParseConfig("deskbot.yaml", []byte(trackersYAML(emu)))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	svc := commands.New(db, cfg, commands.Options{Logger: log, Trackers: tracker.Clients(getenv, nil)})
	svc.UseStandardHooks()
	f := &fixture{svc: svc, emu: emu}
	if f.acme, err = svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp", CurrentVersion: "4.2.1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []commands.TicketInput{
		{CustomerKey: "ACME", Type: "bug", Title: "Export crashes", Description: "Export to CSV crashes with 500.", Source: domain.SourceSlash, Version: "4.2.1"},
		{CustomerKey: "ACME", Title: "Export slow", Source: domain.SourceSlash},
		{CustomerKey: "GLOBEX", Title: "Export crashes too", Source: domain.SourceSlash},
	} {
		if _, err := svc.CreateTicket(ctx, agent, in); err != nil {
			t.Fatal(err)
		}
	}
	customer := domain.Actor{UserID: "U0CUST", Name: "Carl", Role: domain.RoleCustomer, CustomerID: f.acme.ID, Channel: domain.ChannelSlack}
	if _, err := svc.Comment(ctx, customer, "ACME-1", commands.CommentInput{Body: "It happens every time\nsince the upgrade.", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Comment(ctx, agent, "ACME-1", commands.CommentInput{Body: "secret: their DB is huge", Public: false}); err != nil {
		t.Fatal(err)
	}
	f.hooks = httptest.NewServer(tracker.NewHooks(tracker.HookOptions{Service: svc, Getenv: getenv, Logger: log}).Handler())
	t.Cleanup(f.hooks.Close)
	return f
}

func (f *fixture) send(t *testing.T, h trackeremu.Hook, secret string) int {
	t.Helper()
	code, err := trackeremu.Send(context.Background(), f.hooks.URL+"/hooks/"+h.Kind, secret, h)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (f *fixture) status(t *testing.T, key string) string {
	t.Helper()
	tk, err := f.svc.Ticket(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Status
}

func (f *fixture) escalate(t *testing.T, key, trk string) *domain.TrackerIssue {
	t.Helper()
	ctx := context.Background()
	d, err := f.svc.EscalationDraft(ctx, agent, key, "https://slack.example/card")
	if err != nil {
		t.Fatal(err)
	}
	i, err := f.svc.Escalate(ctx, agent, key, commands.EscalateInput{Tracker: trk, Title: d.Title, Body: d.Body, Labels: []string{"bug"}})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// repoOf is the repository and kind of a fixture tracker.
func repoOf(trk string) (kind, repo string) {
	if trk == "gl" {
		return domain.TrackerGitLab, glRepo
	}
	return domain.TrackerGitHub, ghRepo
}

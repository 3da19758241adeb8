package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
	"github.com/deskbot/deskbot/tracker"
	"github.com/deskbot/deskbot/tracker/trackeremu"
)

const (
	e2eProject = "acme-corp/platform/api"
	e2eRepo    = "acme-corp/app"
	e2eSecret  = "hook-secret"
)

// trackerWorld is start's world with a GitHub tracker on the emulator,
// its webhooks served as on the public listener, and a second customer.
type trackerWorld struct {
	*world
	gh    *trackeremu.Emu
	hooks *httptest.Server
}

func startTrackers(t *testing.T, dialect string) *trackerWorld {
	t.Helper()
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(t)})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU"})
	emu.AddUser(slackemu.User{ID: customerID, Name: "cy", RealName: "Cy Customer", TeamID: "TACME", IsStranger: true})
	emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
	gh := trackeremu.New("ghp_e2e", "glpat-e2e")
	t.Cleanup(gh.Close)
	cfg, err := domain.ParseConfig("deskbot.yaml", []byte(fmt.Sprintf(
		"trackers:\n  app: {kind: github, repository: %s, api_url: %q, token_env: GH_TOKEN, webhook_secret_env: GH_HOOK}\n"+
			"  platform: {kind: gitlab, repository: %s, api_url: %q, token_env: GL_TOKEN, webhook_secret_env: GL_HOOK}\n",
		e2eRepo, gh.GitHubAPI(), e2eProject, gh.GitLabAPI())))
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		return map[string]string{"GH_TOKEN": "ghp_e2e", "GH_HOOK": e2eSecret, "GL_TOKEN": "glpat-e2e", "GL_HOOK": e2eSecret}[k]
	}
	db := storagetest.Open(t, dialect)
	quiet := testLogger()
	svc := commands.New(db, cfg, commands.Options{TriageChannel: triageChan, Logger: quiet, Trackers: tracker.Clients(getenv, nil)})
	svc.UseStandardHooks()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	ctx := context.Background()
	acme, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp", CurrentVersion: "4.2.1"})
	if err == nil {
		acme, err = svc.LinkChannel(ctx, agent, "ACME", acmeChan)
	}
	if err == nil {
		_, err = svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex"})
	}
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: quiet, OutboxPoll: 20 * time.Millisecond})
	serveBot(t, emu, b)
	hooks := httptest.NewServer(tracker.NewHooks(tracker.HookOptions{Service: svc, Getenv: getenv, Logger: quiet, Kick: b.Kick}).Handler())
	t.Cleanup(hooks.Close)
	return &trackerWorld{world: &world{emu: emu, svc: svc, db: db, acme: acme}, gh: gh, hooks: hooks}
}

func (w *trackerWorld) send(t *testing.T, h trackeremu.Hook, secret string) int {
	t.Helper()
	code, err := trackeremu.Send(waitCtx(t), w.hooks.URL+tracker.HooksPrefix+"/"+h.Kind, secret, h)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// waitPost waits for a message in channel containing text.
func (w *trackerWorld) waitPost(t *testing.T, channel, contains string) {
	t.Helper()
	if _, err := w.emu.WaitCall(waitCtx(t), "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["channel"] == channel && strings.Contains(c.Params["text"]+c.Params["blocks"], contains)
	}); err != nil {
		t.Fatalf("no post in %s containing %q: %v", channel, contains, err)
	}
}

// initialValue reads a modal input's prefilled value.
func initialValue(t *testing.T, v slackemu.View, block string) string {
	t.Helper()
	var view struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialValue string `json:"initial_value"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		t.Fatal(err)
	}
	for _, b := range view.Blocks {
		if b.BlockID == block {
			return b.Element.InitialValue
		}
	}
	t.Fatalf("no block %s in %s", block, v.JSON)
	return ""
}

// TestEscalateEndToEnd: a customer's message becomes a ticket; the agent
// escalates it from the card's More… menu to GitHub (emulated) with the
// customer's words quoted; another customer's ticket links the same
// issue; an engineer's comment reaches agents only; the signed close
// moves both tickets and tells the assignee, a replay and a forged
// delivery are refused; the release resolves them and tells each customer.
func TestEscalateEndToEnd(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startTrackers(t, d)
			ctx := waitCtx(t)
			if _, err := w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "The CSV export crashes with a 500 since this morning", "")); err != nil {
				t.Fatal(err)
			}
			ch, ts := w.cardTS(t, "ACME-1")
			if _, err := w.svc.Assign(ctx, domain.Actor{UserID: agentID, Role: domain.RoleAgent}, "ACME-1", agentID); err != nil {
				t.Fatal(err)
			}
			// The working face offers Escalate in its More… menu.
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-1")); err != nil {
				t.Fatal(err)
			}
			work := string(w.waitReply(t, `"action_id":"card_more"`).Body)
			if !strings.Contains(work, `"value":"escalate|ACME-1"`) {
				t.Fatalf("no escalate option: %s", work)
			}
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "card_more", "escalate|ACME-1")); err != nil {
				t.Fatal(err)
			}
			w.eventually(t, "escalate modal", func() bool {
				for _, v := range w.emu.Views() {
					if v.Open && v.CallbackID == "escalate" {
						return true
					}
				}
				return false
			})
			view := openView(t, w.world, "escalate")
			body := initialValue(t, view, "body")
			if !strings.Contains(body, "> The CSV export crashes with a 500 since this morning") || !strings.Contains(body, "**Customer:** Acme Corp") {
				t.Fatalf("body prefilled as %q", body)
			}
			ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{
				"tracker": {"tracker": slackemu.StaticSelect("app")},
				"title":   {"title": slackemu.TextInput(initialValue(t, view, "title"))},
				"body":    {"body": slackemu.TextInput(body)},
				"labels":  {"labels": slackemu.TextInput("bug, customer")},
			}))
			if err != nil || strings.Contains(string(ack.Payload), "errors") {
				t.Fatalf("submission: %v %s", err, ack.Payload)
			}
			issue := w.gh.Issue("github", e2eRepo, 1)
			if issue == nil || issue.Body != body || issue.Title != "[ACME-1] The CSV export crashes with a 500 since this morning" ||
				strings.Join(issue.Labels, ",") != "bug,customer" {
				t.Fatalf("issue in GitHub: %+v", issue)
			}
			w.waitPost(t, "D"+strings.TrimLeft(agentID, "UW"), "escalated")
			// Another customer's ticket links the same issue.
			w.slash(t, agentID, triageChan, "/ticket", "Export fails for us too #globex")
			w.waitReply(t, "Created *GLOBEX-1*")
			w.slash(t, agentID, triageChan, "/ticket", "GLOBEX-1 link "+e2eRepo+"#1")
			w.waitReply(t, "2 customers are waiting on this")
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1")
			w.waitReply(t, `Engineering: \u003chttps://github.com/`+e2eRepo+"/issues/1|"+e2eRepo+`#1\u003e — open · 2 customers are waiting on this`)
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1 link nonsense")
			w.waitReply(t, "is not an issue: write it org/repo#123")

			// An engineer comments: an internal note, told where agents read.
			if code := w.send(t, w.gh.GitHubComment(e2eRepo, 1, 900, "Root cause: a nil map in the exporter.", "dev1"), e2eSecret); code != http.StatusOK {
				t.Fatalf("comment delivery: %d", code)
			}
			w.waitPost(t, triageChan, "Root cause: a nil map")
			// Engineering closes the issue in milestone 4.2.2.
			w.gh.SetState("github", e2eRepo, 1, "closed", "4.2.2")
			closed := w.gh.GitHubIssues(e2eRepo, 1, "closed", "dev1")
			if code := w.send(t, closed, "forged"); code != http.StatusUnauthorized {
				t.Errorf("forged delivery: %d", code)
			}
			if code := w.send(t, closed, e2eSecret); code != http.StatusOK {
				t.Fatalf("close delivery: %d", code)
			}
			if code := w.send(t, closed, e2eSecret); code != http.StatusConflict {
				t.Errorf("replayed delivery: %d", code)
			}
			for _, key := range []string{"ACME-1", "GLOBEX-1"} {
				if st := w.ticket(t, key).Status; st != domain.DefaultIssueClosedStatus {
					t.Errorf("%s is %s after its issue closed", key, st)
				}
			}
			w.waitPost(t, "D"+strings.TrimLeft(agentID, "UW"), "Engineering closed")
			// The customer's card shows the new status in their words, and
			// nothing of engineering's.
			w.eventually(t, "the customer's card updated", func() bool {
				m, ok := w.emu.Message(ch, ts)
				return ok && strings.Contains(string(m.Blocks), "coming in a release")
			})
			for _, m := range w.emu.Messages(acmeChan) {
				if m.Ephemeral && m.User == agentID {
					continue // the working face, shown to the agent alone (Agent actions)
				}
				if strings.Contains(m.Text+string(m.Blocks), "Root cause") || strings.Contains(m.Text+string(m.Blocks), "Engineering") {
					t.Errorf("the customer's channel shows engineering's words: %s %s", m.Text, m.Blocks)
				}
			}
			// The release resolves both and tells each customer.
			w.slash(t, agentID, triageChan, "/desk", "release 4.2.2")
			w.waitReply(t, "Resolved, customers told: ACME-1, GLOBEX-1")
			w.waitPost(t, acmeChan, "Version *4.2.2* fixes *ACME-1*")
			for _, key := range []string{"ACME-1", "GLOBEX-1"} {
				if st := w.ticket(t, key).Status; st != "resolved" {
					t.Errorf("%s is %s after the release", key, st)
				}
			}
		})
	}
}

// TestEscalateToGitLabEndToEnd: `/ticket KEY escalate` opens the same
// form; the issue goes to GitLab (its client library on the emulator),
// and GitLab's close, with its token, moves the ticket.
func TestEscalateToGitLabEndToEnd(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startTrackers(t, d)
			ctx := waitCtx(t)
			w.slash(t, agentID, triageChan, "/ticket", "Invoices are empty #acme")
			w.waitReply(t, "Created *ACME-1*")
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1 escalate")
			w.eventually(t, "escalate modal", func() bool {
				for _, v := range w.emu.Views() {
					if v.Open && v.CallbackID == "escalate" {
						return true
					}
				}
				return false
			})
			view := openView(t, w.world, "escalate")
			ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{
				"tracker": {"tracker": slackemu.StaticSelect("platform")},
				"title":   {"title": slackemu.TextInput("")},
				"body":    {"body": slackemu.TextInput("x")},
			}))
			if err != nil || !strings.Contains(string(ack.Payload), "needs a title") {
				t.Fatalf("an empty title: %v %s", err, ack.Payload)
			}
			body := initialValue(t, view, "body")
			ack, err = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{
				"tracker": {"tracker": slackemu.StaticSelect("platform")},
				"title":   {"title": slackemu.TextInput("Invoices are empty")},
				"body":    {"body": slackemu.TextInput(body)},
			}))
			if err != nil || strings.Contains(string(ack.Payload), "errors") {
				t.Fatalf("submission: %v %s", err, ack.Payload)
			}
			issue := w.gh.Issue("gitlab", e2eProject, 1)
			if issue == nil || issue.Body != body || !strings.Contains(body, "**Customer:** Acme Corp") {
				t.Fatalf("issue in GitLab: %+v", issue)
			}
			w.gh.SetState("gitlab", e2eProject, 1, "closed", "")
			closed := w.gh.GitLabIssue(e2eProject, 1, "close", "root")
			if code := w.send(t, closed, "wrong"); code != http.StatusUnauthorized {
				t.Errorf("wrong token: %d", code)
			}
			if code := w.send(t, closed, e2eSecret); code != http.StatusOK {
				t.Fatalf("close: %d", code)
			}
			if code := w.send(t, closed, e2eSecret); code != http.StatusConflict {
				t.Errorf("replay: %d", code)
			}
			if st := w.ticket(t, "ACME-1").Status; st != domain.DefaultIssueClosedStatus {
				t.Errorf("ACME-1 is %s", st)
			}
		})
	}
}

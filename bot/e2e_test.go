package bot_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
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

// Users and channels of the emulated workspace.
const (
	agentID    = "UAGENT"
	agent2ID   = "UAGENT2"
	customerID = "UCUST" // from the customer's organisation, via Slack Connect
	acmeChan   = "CACME"
	triageChan = "CTRIAGE"
)

type world struct {
	emu  *slackemu.Server
	svc  *commands.Service
	db   *storage.DB
	acme *domain.Customer
}

// start runs the real bot, as serve does, against the emulator and a fresh database.
func start(t testing.TB, dialect string) *world { return startAt(t, dialect, nil) }

// startAt is start with the database's clock set by the test (nil: real time).
func startAt(t testing.TB, dialect string, clock *storagetest.Clock) *world {
	t.Helper()
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(t)})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU", TZ: "Europe/Paris"})
	emu.AddUser(slackemu.User{ID: agent2ID, Name: "bo", RealName: "Bo Agent", TeamID: "T0EMU"})
	emu.AddUser(slackemu.User{ID: customerID, Name: "cy", RealName: "Cy Customer", TeamID: "TACME", IsStranger: true})
	emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
	var opts []storage.Option
	if clock != nil {
		opts = append(opts, storage.WithClock(clock.Now))
	}
	db := storagetest.Open(t, dialect, opts...)
	quiet := testLogger()
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan, Logger: quiet})
	svc.UseStandardHooks()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	acme, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp", CurrentVersion: "4.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if acme, err = svc.LinkChannel(context.Background(), agent, "ACME", acmeChan); err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: quiet, OutboxPoll: 20 * time.Millisecond})
	serveBot(t, emu, b)
	return &world{emu: emu, svc: svc, db: db, acme: acme}
}

func forEachDB(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, start(t, d)) })
	}
}

// serveBot runs b until the test ends (an error from Run fails the test)
// and waits for its Socket Mode connection.
func serveBot(t testing.TB, emu *slackemu.Server, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot stopped with %v", err)
		}
	})
	if err := emu.WaitConnected(waitCtx(t)); err != nil {
		t.Fatal(err)
	}
}

func waitCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (w *world) slash(t *testing.T, user, channel, command, text string) *slackemu.Ack {
	t.Helper()
	ack, err := w.emu.SlashCommand(waitCtx(t), slackemu.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: channel})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Latency > 3*time.Second {
		t.Errorf("ack after %v: Slack would have shown an error", ack.Latency)
	}
	return ack
}

// waitCard waits for a ticket's card to be posted or updated with text in it.
func (w *world) waitCard(t *testing.T, channel, contains string) slackemu.Call {
	t.Helper()
	call, err := w.emu.WaitCall(waitCtx(t), "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["channel"] == channel && strings.Contains(c.Params["blocks"], contains)
	})
	if err != nil {
		t.Fatalf("no card in %s containing %q: %v\ncalls: %v", channel, contains, err, methods(w.emu.Calls("")))
	}
	return call
}

// waitReply waits for an ephemeral answer (response_url) containing text.
func (w *world) waitReply(t *testing.T, contains string) slackemu.Call {
	t.Helper()
	call, err := w.emu.WaitCall(waitCtx(t), "response_url", func(c slackemu.Call) bool {
		return strings.Contains(string(c.Body), contains)
	})
	if err != nil {
		var bodies []string
		for _, c := range w.emu.Calls("response_url") {
			bodies = append(bodies, string(c.Body))
		}
		t.Fatalf("no reply containing %q: %v\nreplies: %s", contains, err, strings.Join(bodies, "\n"))
	}
	return call
}

// plainJSON undoes JSON's HTML escaping, to read blocks as Slack shows them.
func plainJSON(s string) string {
	return strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(s)
}

func methods(calls []slackemu.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method+":"+c.Error())
	}
	return out
}

func (w *world) ticket(t *testing.T, key string) *domain.Ticket {
	t.Helper()
	tk, err := w.svc.Ticket(context.Background(), domain.Actor{Role: domain.RoleAgent}, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (w *world) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually(t, what, cond)
}

func TestSlashCreatesTicketWithCard(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, triageChan, "/ticket", "Export to PDF broken !high #acme type:bug")
		w.waitReply(t, "Created *ACME-1*")
		card := w.waitCard(t, acmeChan, "ACME-1")
		if !strings.Contains(card.Params["blocks"], "Export to PDF broken") || !strings.Contains(card.Params["blocks"], "4.2.1") {
			t.Errorf("card: %s", card.Params["blocks"])
		}
		w.eventually(t, "card recorded", func() bool { return w.ticket(t, "ACME-1").SlackTS != "" })
		tk := w.ticket(t, "ACME-1")
		if tk.Priority != "high" || tk.Type != "bug" || tk.Source != domain.SourceSlash || tk.SlackThreadTS != tk.SlackTS {
			t.Errorf("ticket %+v", tk)
		}
	})
}

func TestSlashErrorsAreExplained(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, triageChan, "/ticket", "Crash !asap #acme")
		w.waitReply(t, `There is no priority \"asap\"`)
		w.slash(t, agentID, triageChan, "/ticket", "!high #acme")
		w.waitReply(t, "Give the ticket a title")
		w.slash(t, agentID, triageChan, "/ticket", "ACME-99")
		w.waitReply(t, "Ticket ACME-99 not found.")
		w.slash(t, agentID, triageChan, "/ticket", "help")
		w.waitReply(t, "/ticket Title words")
	})
}

func TestInjectionIsEscaped(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, triageChan, "/ticket", "<!channel> pay attention <!here> #acme")
		card := w.waitCard(t, acmeChan, "ACME-1")
		for _, bad := range []string{"<!channel>", "<!here>"} {
			if strings.Contains(card.Params["blocks"], bad) || strings.Contains(card.Params["text"], bad) {
				t.Errorf("card pings with %s: %s", bad, card.Params["blocks"])
			}
		}
		if !strings.Contains(plainJSON(card.Params["blocks"]), "&lt;!channel&gt;") {
			t.Errorf("title not shown escaped: %s", card.Params["blocks"])
		}
	})
}

func TestModalCreatesTicketAndShowsInlineErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, acmeChan, "/ticket", "")
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatalf("no modal: %v %v", err, methods(w.emu.Calls("")))
		}
		view := openView(t, w, "create_ticket")
		if !strings.Contains(string(view.Blocks), `"ACME"`) {
			t.Errorf("the customer of the channel is not preselected: %s", view.Blocks)
		}
		// Switching the type redraws the fields of the new type.
		if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, view, "type", "bug")); err != nil {
			t.Fatal(err)
		}
		w.eventually(t, "modal redrawn", func() bool {
			v := openView(t, w, "create_ticket")
			return strings.Contains(string(v.Blocks), "f_component")
		})
		view = openView(t, w, "create_ticket")
		bad := map[string]map[string]any{
			"title": {"title": slackemu.TextInput("Login loops")}, "customer": {"customer": slackemu.StaticSelect("ACME")},
			"type": {"type": slackemu.StaticSelect("bug")}, "priority": {"priority": slackemu.StaticSelect("urgent")},
			"version": {"version": slackemu.TextInput("latest")},
		}
		ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, bad))
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Action string            `json:"response_action"`
			Errors map[string]string `json:"errors"`
		}
		_ = json.Unmarshal(ack.Payload, &resp)
		if resp.Action != "errors" || !strings.Contains(resp.Errors["version"], `"latest" is not a version`) {
			t.Fatalf("want an inline error on version, got %s", ack.Payload)
		}
		bad["version"] = map[string]any{"version": slackemu.TextInput("4.2.1")}
		ack, err = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, bad))
		if err != nil || strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("submit: %s %v", ack.Payload, err)
		}
		w.waitCard(t, acmeChan, "Login loops")
		if tk := w.ticket(t, "ACME-1"); tk.Source != domain.SourceModal || tk.Priority != "urgent" || tk.Version != "4.2.1" {
			t.Errorf("ticket %+v", tk)
		}
	})
}

func openView(t *testing.T, w *world, callback string) slackemu.View {
	t.Helper()
	for _, v := range w.emu.Views() {
		if v.Open && v.CallbackID == callback {
			return v
		}
	}
	t.Fatalf("no open %s modal", callback)
	return slackemu.View{}
}

func TestMessageShortcutPrefillsModal(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		if _, err := w.emu.Event(ctx, slackemu.MessageEvent(triageChan, agent2ID, "Customer says invoices are empty\nsince this morning", "")); err != nil {
			t.Fatal(err)
		}
		msgs := w.emu.Messages(triageChan)
		if _, err := w.emu.Interactive(ctx, slackemu.MessageShortcut(agentID, triageChan, msgs[0].TS, "create_ticket")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatal(err)
		}
		v := openView(t, w, "create_ticket")
		if !strings.Contains(string(v.Blocks), "Customer says invoices are empty") || !strings.Contains(string(v.Blocks), "From Slack:") {
			t.Errorf("modal not prefilled: %s", v.Blocks)
		}
	})
}

func TestReactionMakesTicketInThread(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.emu.Event(ctx, slackemu.MessageEvent(triageChan, agent2ID, "Acme's SSO is down", ""))
		ts := w.emu.Messages(triageChan)[0].TS
		reaction := map[string]any{"type": "reaction_added", "user": agentID, "reaction": "ticket",
			"item": map[string]any{"type": "message", "channel": triageChan, "ts": ts}}
		w.emu.Event(ctx, reaction, slackemu.EventID("Ev1"))
		// Slack redelivers the same event: still one ticket.
		w.emu.Event(ctx, reaction, slackemu.EventID("Ev1"), slackemu.RetryAttempt(1), slackemu.RetryReason("timeout"))
		// A second reaction by someone else on the same message: still one ticket.
		reaction["user"] = agent2ID
		w.emu.Event(ctx, reaction, slackemu.EventID("Ev2"))
		w.slash(t, agentID, triageChan, "/ticket", "") // not a ticket: opens a modal; keeps ordering honest
		card, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["thread_ts"] == ts
		})
		if err != nil {
			t.Fatalf("no card in the message's thread: %v", err)
		}
		if !strings.Contains(card.Params["blocks"], "SSO is down") || !strings.Contains(card.Params["blocks"], "not_ticket") {
			t.Errorf("card %s", card.Params["blocks"])
		}
		_, total, _ := w.svc.ListTickets(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TicketFilter{})
		if total != 1 {
			t.Errorf("%d tickets from one reacted message", total)
		}
	})
}

// testLogger discards the bot's log, or with DESKBOT_TEST_LOG=1 writes it
// to stderr at debug level, to see why an end-to-end test waited in vain.
func testLogger() *slog.Logger {
	if os.Getenv("DESKBOT_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

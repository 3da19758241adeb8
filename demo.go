package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

// demo runs the real bot against the Slack emulator with a throwaway
// database, plays a short support morning and prints what people would
// see in Slack.
func demo(ctx context.Context, env *Env, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "deskbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	db, err := storage.Open(ctx, "sqlite:"+filepath.Join(dir, "demo.db"), storage.WithLogger(quiet))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	cfg, err := domain.LoadConfig(env.ConfigPath)
	if err != nil {
		return err
	}
	emu := slackemu.New(slackemu.Options{})
	defer emu.Close()
	emu.AddUser(slackemu.User{ID: "UANA", Name: "ana", RealName: "Ana (support engineer)", TeamID: "T0EMU", TZ: "Europe/Paris"})
	emu.AddUser(slackemu.User{ID: "UCY", Name: "cy", RealName: "Cy (Acme Corp)", TeamID: "TACME", IsStranger: true})
	emu.AddChannel(slackemu.Channel{ID: "CACME", Name: "acme-support", IsExtShared: true})
	svc := commands.New(db, cfg, commands.Options{Logger: quiet})
	svc.UseStandardHooks()
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent, Channel: domain.ChannelCLI}
	if _, err := svc.CreateProject(ctx, ana, commands.ProjectInput{Key: "ACME", Name: "Acme Corp", CurrentVersion: "4.2.1"}); err != nil {
		return err
	}
	if _, err := svc.LinkChannel(ctx, ana, "ACME", "CACME"); err != nil {
		return err
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: quiet, OutboxPoll: 50 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	waitCtx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(waitCtx); err != nil {
		return fmt.Errorf("demo: the bot did not connect to the emulator: %w", err)
	}
	s := &script{ctx: waitCtx, emu: emu, db: db, svc: svc, out: stdout, names: map[string]string{"UANA": "Ana", "UCY": "Cy", "UBOT": "deskbot"}}
	return s.play()
}

type script struct {
	ctx   context.Context
	emu   *slackemu.Server
	db    *storage.DB
	svc   *commands.Service
	out   io.Writer
	names map[string]string
	seen  int
}

func (s *script) play() error {
	fmt.Fprintln(s.out, "deskbot demo — a support morning at a software vendor, played against a Slack emulator.")
	fmt.Fprintln(s.out, "Everything below is what people would see in Slack; the bot and database are the real ones.")
	s.step("09:02 — Cy from Acme writes in the shared channel #acme-support")
	root := s.event(slackemu.MessageEvent("CACME", "UCY", "Hi team! Since this morning the invoice export fails with error 500 <!channel>", ""))
	s.say("Cy", "#acme-support", "Hi team! Since this morning the invoice export fails with error 500 <!channel>")
	s.settle()
	s.step("09:05 — Ana answers in the ticket's thread (the first response)")
	s.event(slackemu.MessageEvent("CACME", "UANA", "Thanks Cy, looking into it now.", root))
	s.say("Ana", "#acme-support thread", "Thanks Cy, looking into it now.")
	s.settle()
	s.step("09:10 — Ana opens a bug from the form: /ticket")
	s.say("Ana", "#acme-support", "/ticket")
	if _, err := s.emu.SlashCommand(s.ctx, slackemu.SlashCommand{Command: "/ticket", UserID: "UANA", ChannelID: "CACME"}); err != nil {
		return err
	}
	view, err := s.waitView("create_ticket")
	if err != nil {
		return err
	}
	s.settle()
	fmt.Fprintln(s.out, "  Ana fills in: title, type Bug, priority high, version 4.2.1 (pre-filled), then Create.")
	_, err = s.emu.Interactive(s.ctx, slackemu.ViewSubmission("UANA", view, map[string]map[string]any{
		"title":   {"title": slackemu.TextInput("Invoice export returns 500 for invoices with a VAT exemption")},
		"project": {"project": slackemu.StaticSelect("ACME")}, "type": {"type": slackemu.StaticSelect("bug")},
		"priority": {"priority": slackemu.StaticSelect("high")}, "version": {"version": slackemu.TextInput("4.2.1")},
	}))
	if err != nil {
		return err
	}
	s.settle()
	bug, err := s.svc.Ticket(s.ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-2")
	if err != nil {
		return err
	}
	s.step("09:12 — Ana opens ACME-2's working face (Agent actions, just for her), clicks Start timer, works, then Stop timer")
	s.click("UANA", bug, "work", "ACME-2")
	s.click("UANA", bug, "timer_start", "ACME-2")
	s.click("UANA", bug, "timer_stop", "ACME-2")
	s.step("09:38 — Ana also logs the hour she spent on the phone with Cy: /time log")
	s.say("Ana", "#acme-support", "/time log ACME-2 1h30 call with Cy, reproduced with a VAT-exempt invoice")
	if _, err := s.emu.SlashCommand(s.ctx, slackemu.SlashCommand{Command: "/time", Text: "log ACME-2 1h30 call with Cy, reproduced with a VAT-exempt invoice", UserID: "UANA", ChannelID: "CACME"}); err != nil {
		return err
	}
	s.settle()
	s.step("09:39 — the customer's card shows no time; Ana's working face does")
	s.click("UANA", bug, "work", "ACME-2")
	s.step("09:40 — Ana moves ACME-2 to In progress, and closes ACME-1 as a duplicate of it")
	s.click("UANA", bug, "status", "ACME-2|in_progress")
	first, err := s.svc.Ticket(s.ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-1")
	if err != nil {
		return err
	}
	s.click("UANA", first, "status", "ACME-1|closed")
	fmt.Fprintln(s.out, "\nThat was deskbot. Run `go run . serve` with your Slack app's tokens to use it for real (README.md).")
	return nil
}

func (s *script) step(title string) { fmt.Fprintf(s.out, "\n── %s\n", title) }

func (s *script) say(who, where, text string) {
	fmt.Fprintf(s.out, "  %s in %s: %s\n", who, where, text)
}

func (s *script) event(p slackemu.Payload) string {
	if _, err := s.emu.Event(s.ctx, p); err != nil {
		fmt.Fprintf(s.out, "  (event failed: %v)\n", err)
	}
	msgs := s.emu.Messages(p["channel"].(string))
	return msgs[len(msgs)-1].TS
}

func (s *script) click(user string, t *domain.Ticket, action, value string) {
	label := map[string]string{"work": "Agent actions", "timer_start": "Start timer", "timer_stop": "Stop timer", "status": "Move to… " + strings.SplitN(value, "|", 2)[len(strings.SplitN(value, "|", 2))-1]}[action]
	fmt.Fprintf(s.out, "  %s clicks [%s] on %s\n", s.names[user], label, t.Key())
	t, _ = s.svc.Ticket(s.ctx, domain.Actor{Role: domain.RoleAgent}, t.Key())
	if _, err := s.emu.Interactive(s.ctx, slackemu.BlockAction(user, t.SlackChannel, t.SlackTS, action, value)); err != nil {
		fmt.Fprintf(s.out, "  (click failed: %v)\n", err)
	}
	s.settle()
}

func (s *script) waitView(callback string) (slackemu.View, error) {
	for s.ctx.Err() == nil {
		for _, v := range s.emu.Views() {
			if v.Open && v.CallbackID == callback {
				return v, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return slackemu.View{}, fmt.Errorf("demo: the %s modal did not open", callback)
}

// settle waits until the bot has done everything the last step caused
// (outbox empty, no new Slack calls for a moment), then prints it.
func (s *script) settle() {
	quiet := 0
	last := len(s.emu.Calls(""))
	for quiet < 6 && s.ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		n := len(s.emu.Calls(""))
		pending, _ := s.db.OutboxPending(s.ctx)
		if n == last && pending == 0 {
			quiet++
		} else {
			quiet, last = 0, n
		}
	}
	calls := s.emu.Calls("")
	for _, c := range calls[s.seen:] {
		s.show(c)
	}
	s.seen = len(calls)
}

func (s *script) show(c slackemu.Call) {
	if !c.OK() && c.Method != "response_url" {
		return
	}
	switch c.Method {
	case "chat.postMessage":
		where := "#acme-support"
		if strings.HasPrefix(c.Params["channel"], "D") {
			where = "a DM"
		} else if c.Params["thread_ts"] != "" {
			where += " (in the thread)"
		}
		fmt.Fprintf(s.out, "  deskbot posts in %s:\n%s", where, s.render(c.Params["blocks"], c.Params["text"]))
	case "chat.update":
		fmt.Fprintf(s.out, "  deskbot updates the card in place:\n%s", s.render(c.Params["blocks"], c.Params["text"]))
	case "response_url":
		var m struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(c.Body, &m)
		if len(m.Blocks) > 0 && string(m.Blocks) != "null" {
			fmt.Fprintf(s.out, "  deskbot (only you can see this):\n%s", s.render(string(m.Blocks), m.Text))
			return
		}
		fmt.Fprintf(s.out, "  deskbot (only you can see this): %s\n", s.inline(m.Text))
	case "views.open":
		fmt.Fprintln(s.out, "  deskbot opens the form \"New ticket\": title, description, customer, type, priority, version, assignee.")
	}
}

var (
	dateRE = regexp.MustCompile(`<!date\^\d+\^[^|]*\|([^>]*)>`)
	userRE = regexp.MustCompile(`<@([A-Z0-9]+)>`)
	chanRE = regexp.MustCompile(`<#C[A-Z0-9]+(?:\|[^>]*)?>`)
)

// inline turns mrkdwn into what a reader sees.
func (s *script) inline(t string) string {
	t = dateRE.ReplaceAllString(t, "$1")
	t = chanRE.ReplaceAllString(t, "#acme-support")
	t = userRE.ReplaceAllStringFunc(t, func(m string) string { return "@" + s.names[userRE.FindStringSubmatch(m)[1]] })
	t = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "*", "", "~", "").Replace(t)
	return t
}

// render lays out Block Kit as text: sections, fields, context and buttons.
func (s *script) render(blocksJSON, text string) string {
	var blocks []struct {
		Type     string                  `json:"type"`
		Text     *struct{ Text string }  `json:"text"`
		Fields   []struct{ Text string } `json:"fields"`
		Elements []struct {
			Type        string                 `json:"type"`
			Text        json.RawMessage        `json:"text"`
			Placeholder *struct{ Text string } `json:"placeholder"`
		} `json:"elements"`
	}
	if json.Unmarshal([]byte(blocksJSON), &blocks) != nil || len(blocks) == 0 {
		return "    │ " + s.inline(text) + "\n"
	}
	var b strings.Builder
	line := func(t string) {
		for _, l := range strings.Split(t, "\n") {
			b.WriteString("    │ " + l + "\n")
		}
	}
	for _, bl := range blocks {
		switch bl.Type {
		case "section", "header":
			if bl.Text != nil {
				line(s.inline(bl.Text.Text))
			}
			var fs []string
			for _, f := range bl.Fields {
				fs = append(fs, strings.Replace(s.inline(f.Text), "\n", ": ", 1))
			}
			if len(fs) > 0 {
				line(strings.Join(fs, " · "))
			}
		case "context":
			var parts []string
			for _, e := range bl.Elements {
				var t string
				_ = json.Unmarshal(e.Text, &t)
				parts = append(parts, s.inline(t))
			}
			line(strings.Join(parts, "  "))
		case "actions":
			var btns []string
			for _, e := range bl.Elements {
				var t struct{ Text string }
				_ = json.Unmarshal(e.Text, &t)
				if e.Type == "static_select" && e.Placeholder != nil {
					t.Text = e.Placeholder.Text + " ▾"
				}
				btns = append(btns, "["+s.inline(t.Text)+"]")
			}
			line(strings.Join(btns, " "))
		}
	}
	return b.String()
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/storage"
)

const demoUsage = `Usage: deskbot demo

Plays a support day with the real bot against the in-process Slack
emulator, a throwaway database and a local mail relay, and prints what
people would see in Slack and in their mailbox. Needs no Slack app, token
or database. It runs on a demo clock (Tuesday 10 March 2026), so its
output is the same on every run; DESKBOT_CONFIG is used if set.
With --keep FILE the day's SQLite database stays in FILE, to look at or
to try deskbot export on.
`

func demoCmd(c *cli, args []string) error {
	fs := newFlags("demo", demoUsage)
	keep := fs.String("keep", "", "keep the demo's SQLite database in this file (it must not exist)")
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	if *keep != "" {
		if _, err := os.Stat(*keep); err == nil {
			return fmt.Errorf("demo: %s exists: --keep writes a new file", *keep)
		}
	}
	return demo(c.ctx, strings.TrimSpace(c.getenv("DESKBOT_CONFIG")), *keep, c.stdout)
}

// demoDay is the date the demo's story happens on. March, before the
// clocks change, so London business hours (the default SLA calendar)
// read the same as UTC.
var demoDay = time.Date(2026, time.March, 10, 0, 0, 0, 0, time.UTC)

// demoClock is the time the database, hence tickets, timers and SLAs,
// sees: each scene sets it to the narrated time.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// at moves the clock to hh:mm of the demo day; it never goes back.
func (c *demoClock) at(hhmm string) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err) // the script's own times
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = demoDay.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// demo runs the real bot against the Slack emulator with a throwaway
// database, plays a support day and prints what people would see.
func demo(ctx context.Context, configPath, keep string, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "deskbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbPath := filepath.Join(dir, "demo.db")
	if keep != "" {
		dbPath = keep
	}
	quiet := slog.New(slog.DiscardHandler)
	clock := &demoClock{}
	clock.at("08:00")
	db, err := storage.Open(ctx, "sqlite:"+dbPath, storage.WithLogger(quiet), storage.WithClock(clock.Now))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	cfg, err := domain.LoadConfig(configPath)
	if err != nil {
		return err
	}
	scopes, err := neededScopes()
	if err != nil {
		return err
	}
	// The emulator grants exactly the manifest's scopes, as a real install would.
	emu := slackemu.New(slackemu.Options{Scopes: scopes})
	defer emu.Close()
	emu.AddUser(slackemu.User{ID: "UANA", Name: "ana", RealName: "Ana (support engineer)", TeamID: "T0EMU", TZ: "Europe/London"})
	emu.AddUser(slackemu.User{ID: "UCY", Name: "cy", RealName: "Cy (Acme Corp)", TeamID: "TACME", IsStranger: true})
	emu.AddChannel(slackemu.Channel{ID: "CACME", Name: "acme-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: "CHELP", Name: "helpdesk"})

	sink, err := startMailSink()
	if err != nil {
		return err
	}
	defer sink.close()
	svc := commands.New(db, cfg, commands.Options{Logger: quiet,
		Mail: commands.MailOptions{Address: "support@vendor.example", Send: true}})
	svc.UseStandardHooks()
	smtpSrv, err := email.NewServer(email.ServerOptions{Addr: "127.0.0.1:0", Domains: svc.MailDomains(), Ingest: svc.Ingest, Logger: quiet})
	if err != nil {
		return err
	}
	if err := smtpSrv.Start(); err != nil {
		return err
	}
	defer smtpSrv.Shutdown(context.Background())
	sender, err := email.NewSender(email.SenderOptions{RelayURL: sink.url(), Outbox: db, Logger: quiet, Poll: 50 * time.Millisecond,
		Now: clock.Now, Compose: svc.ComposeMailJob, GiveUp: svc.MailUndeliverable})
	if err != nil {
		return err
	}

	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: quiet, OutboxPoll: 50 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var runErr error
	wg.Add(2)
	go func() { defer wg.Done(); runErr = b.Run(runCtx) }()
	go func() { defer wg.Done(); sender.Run(runCtx) }()
	defer func() { cancel(); wg.Wait() }()
	waitCtx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(waitCtx); err != nil {
		return fmt.Errorf("demo: the bot did not connect to the emulator: %w", err)
	}
	s := &script{ctx: waitCtx, emu: emu, db: db, svc: svc, bot: b, clock: clock, sink: sink, smtpAddr: smtpSrv.Addr(),
		out: stdout, names: map[string]string{"UANA": "Ana", "UCY": "Cy", "UBOT": "deskbot"}}
	if err := s.play(); err != nil {
		return err
	}
	cancel()
	wg.Wait()
	return runErr
}

type script struct {
	ctx      context.Context
	emu      *slackemu.Server
	db       *storage.DB
	svc      *commands.Service
	bot      *bot.Bot
	clock    *demoClock
	sink     *mailSink
	smtpAddr string
	out      io.Writer
	names    map[string]string
	seen     int // Slack calls shown
	mails    int // mails shown
	lastHome slackemu.Call
}

var agent = domain.Actor{Role: domain.RoleAgent, Channel: domain.ChannelCLI}

func (s *script) play() error {
	fmt.Fprintln(s.out, "deskbot demo — a support day at a software vendor, Tuesday 10 March 2026, played against a Slack emulator.")
	fmt.Fprintln(s.out, "Everything below is what people would see in Slack and in their mailbox; the bot, the database and the")
	fmt.Fprintln(s.out, "mail transports are the real ones, on a demo clock.")

	s.step("08:50", "A fresh install: no customers, nothing configured. Ana tries deskbot in #helpdesk")
	s.slashIn("UANA", "CHELP", "#helpdesk", "/ticket", "VPN drops every hour", "")
	s.step("08:55", "Ana adds the first customer from Slack and links its shared channel")
	s.slashIn("UANA", "CACME", "#acme-support", "/desk",
		"customer add ACME Acme Corp channel=<#CACME|acme-support> domains=acme.example rate=120 version=4.2.1",
		"customer add ACME Acme Corp channel=#acme-support domains=acme.example rate=120 version=4.2.1")

	s.step("09:02", "Cy from Acme writes in the shared channel #acme-support")
	// Cy mentions @channel, which Slack delivers as <!channel>.
	text := "Hi team! Since this morning the invoice export fails with error 500 <!channel>"
	root := s.event(slackemu.MessageEvent("CACME", "UCY", text, ""))
	s.say("Cy", "#acme-support", s.inline(text))
	s.settle()
	s.noteEscaping("ACME-1")

	s.step("09:05", "Ana answers in the ticket's thread: the first response, which stops that SLA clock")
	s.event(slackemu.MessageEvent("CACME", "UANA", "Thanks Cy, looking into it now.", root))
	s.say("Ana", "#acme-support thread", "Thanks Cy, looking into it now.")
	s.settle()

	s.step("09:10", "Ana opens a bug from the form: /ticket")
	s.say("Ana", "#acme-support", "/ticket")
	if _, err := s.emu.SlashCommand(s.ctx, slackemu.SlashCommand{Command: "/ticket", UserID: "UANA", ChannelID: "CACME"}); err != nil {
		return err
	}
	view, err := s.waitView("create_ticket")
	if err != nil {
		return err
	}
	s.settle()
	fmt.Fprintln(s.out, "  Ana fills in the title, picks customer Acme Corp, type Bug and priority High, then Create.")
	_, err = s.emu.Interactive(s.ctx, slackemu.ViewSubmission("UANA", view, map[string]map[string]any{
		"title":    {"title": slackemu.TextInput("Invoice export returns 500 for invoices with a VAT exemption")},
		"customer": {"customer": slackemu.StaticSelect("ACME")}, "type": {"type": slackemu.StaticSelect("bug")},
		"priority": {"priority": slackemu.StaticSelect("high")},
	}))
	if err != nil {
		return err
	}
	s.settle()

	s.step("09:12", "Ana takes the bug and starts its timer. #acme-support is shared with Acme, so its cards show the customer's face; Agent actions shows her the working face, just for her")
	s.click("UANA", "ACME-2", "work", "ACME-2", "Agent actions")
	s.click("UANA", "ACME-2", "assign_me", "ACME-2", "Assign to me")
	s.click("UANA", "ACME-2", "timer_start", "ACME-2", "Start timer")

	s.step("09:38", "Ana reproduced it: she stops the timer, 26 minutes later")
	s.click("UANA", "ACME-2", "timer_stop", "ACME-2", "Stop timer")

	s.step("09:40", "Ana logs the call she had with Cy yesterday, moves the bug along and links Cy's ticket to it")
	s.slash("UANA", "/time", "log ACME-2 1h30 call with Cy, reproduced with a VAT-exempt invoice")
	s.click("UANA", "ACME-2", "status", "ACME-2|in_progress", "Move to… ▾ → "+s.svc.Config().StatusLabel("in_progress"))
	s.slash("UANA", "/desk", "link ACME-2 blocks ACME-1")

	s.step("12:10", "ACME-2 has used 75% of its first-response time (4 business hours at high priority): the SLA scan warns Ana by DM, never in the thread Acme reads")
	if _, err := s.svc.ScanSLA(s.ctx); err != nil {
		return err
	}
	s.bot.Kick()
	s.settle()

	s.step("14:05", "Dana from Acme emails support@vendor.example")
	raw := "From: Dana Ruiz <dana@acme.example>\r\nTo: support@vendor.example\r\nSubject: Cannot download March invoices\r\n" +
		"Message-ID: <march-invoices@acme.example>\r\nDate: Tue, 10 Mar 2026 14:05:00 +0000\r\n\r\n" +
		"Hello,\r\nthe download button on the invoices page does nothing since yesterday.\r\n\r\nDana\r\n"
	fmt.Fprintln(s.out, "  Dana's mail server delivers to deskbot's SMTP listener: \"Cannot download March invoices\"")
	if err := sendMail(s.ctx, s.smtpAddr, "dana@acme.example", []string{"support@vendor.example"}, []byte(raw)); err != nil {
		return err
	}
	s.settle()

	s.step("14:20", "Ana answers Dana from the card: Reply to customer")
	if err := s.replyByMail("ACME-3", "Hi Dana, fixed: the button works again after a reload. Sorry for the trouble!"); err != nil {
		return err
	}

	s.step("16:30", "Ana pins a view of Acme's open tickets and opens deskbot's App Home")
	s.slash("UANA", "/desk", `view save "Acme open" acme open`)
	s.slash("UANA", "/desk", `view pin "Acme open"`)
	fmt.Fprintln(s.out, "  Ana opens the Home tab of deskbot.")
	if err := s.homeStep(); err != nil {
		return err
	}

	s.step("17:30", "The month so far for Acme's account manager: /time report")
	s.slash("UANA", "/time", "report acme 2026-03")

	fmt.Fprintln(s.out, "\nThat was deskbot. To run it in your workspace, follow README.md \"Install in Slack\"; `deskbot doctor` checks the install.")
	return nil
}

func (s *script) step(at, title string) {
	s.clock.at(at)
	fmt.Fprintf(s.out, "\n── %s — %s\n", at, title)
}

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

func (s *script) slash(user, command, text string) {
	s.slashIn(user, "CACME", "#acme-support", command, text, "")
}

// slashIn runs a slash command in a channel; shown, when set, is the text
// as the person typed it (Slack sends channel mentions as <#C…|name>).
func (s *script) slashIn(user, channel, where, command, text, shown string) {
	if shown == "" {
		shown = text
	}
	s.say(s.names[user], where, command+" "+shown)
	if _, err := s.emu.SlashCommand(s.ctx, slackemu.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: channel}); err != nil {
		fmt.Fprintf(s.out, "  (command failed: %v)\n", err)
	}
	s.settle()
}

// click presses a button (or picks a menu option) on a ticket's card;
// label is what the person sees on it.
func (s *script) click(user, key, action, value, label string) {
	fmt.Fprintf(s.out, "  %s clicks [%s] on %s\n", s.names[user], label, key)
	t, err := s.svc.Ticket(s.ctx, agent, key)
	if err != nil {
		fmt.Fprintf(s.out, "  (no ticket %s: %v)\n", key, err)
		return
	}
	if _, err := s.emu.Interactive(s.ctx, slackemu.BlockAction(user, t.SlackChannel, t.SlackTS, action, value)); err != nil {
		fmt.Fprintf(s.out, "  (click failed: %v)\n", err)
	}
	s.settle()
}

// replyByMail answers an emailed ticket from its card's button and form.
func (s *script) replyByMail(key, body string) error {
	s.click("UANA", key, "reply_customer", key, "Reply to customer")
	view, err := s.waitView("reply_customer")
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "  Ana writes: %s — then Send.\n", body)
	if _, err := s.emu.Interactive(s.ctx, slackemu.ViewSubmission("UANA", view, map[string]map[string]any{
		"body": {"body": slackemu.TextInput(body)}})); err != nil {
		return err
	}
	s.settle()
	return nil
}

// noteEscaping says what the card did with the customer's "<!channel>",
// from the card itself: Slack shows an escaped one as text, while a
// bare one would notify everyone in the channel.
func (s *script) noteEscaping(key string) {
	t, err := s.svc.Ticket(s.ctx, agent, key)
	if err != nil {
		return
	}
	m, ok := s.emu.Message(t.SlackChannel, t.SlackTS)
	// encoding/json writes < > & as \u003c \u003e \u0026.
	blocks := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(m.Blocks))
	switch {
	case !ok:
	case strings.Contains(blocks, "<!channel>"):
		fmt.Fprintln(s.out, "  (!) The card carries <!channel> unescaped: Slack would notify everyone in the channel.")
	case strings.Contains(blocks, "&lt;!channel&gt;"):
		fmt.Fprintln(s.out, "  Note: Cy's @channel reaches deskbot as <!channel>. The card escapes it (&lt;!channel&gt;), so its title")
		fmt.Fprintln(s.out, "  reads \"<!channel>\" as plain text and the card pings nobody; unescaped, every post and update of the")
		fmt.Fprintln(s.out, "  card would notify everyone in #acme-support again.")
	}
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
// (outbox empty, no new Slack calls or mail for a moment), then prints it.
func (s *script) settle() {
	// Every step makes the bot do something: wait for its first call (or
	// mail) before waiting for quiet, so a slow machine does not end the
	// step before it began.
	for start := time.Now(); time.Since(start) < 5*time.Second && s.ctx.Err() == nil; time.Sleep(20 * time.Millisecond) {
		if len(s.emu.Calls("")) > s.seen || len(s.sink.received()) > s.mails {
			break
		}
	}
	quiet := 0
	last, lastMail := len(s.emu.Calls("")), len(s.sink.received())
	for quiet < 8 && s.ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		n, m := len(s.emu.Calls("")), len(s.sink.received())
		pending, _ := s.db.OutboxPending(s.ctx)
		if n == last && m == lastMail && pending == 0 {
			quiet++
		} else {
			quiet, last, lastMail = 0, n, m
		}
	}
	calls := s.emu.Calls("")
	for _, c := range inReadingOrder(calls[s.seen:]) {
		s.show(c)
	}
	s.seen = len(calls)
	mails := s.sink.received()
	for _, m := range mails[s.mails:] {
		s.showMail(m)
	}
	s.mails = len(mails)
}

var ticketKeyRE = regexp.MustCompile(`\b[A-Z][A-Z0-9]*-\d+\b`)

// inReadingOrder puts one step's Slack calls in an order that does not
// depend on scheduling: the answers to the person who acted first, then
// what the outbox delivered, by ticket. The outbox delivers one ticket's
// messages in order but different tickets' side by side, and the answer
// races the card update; within a ticket the order is kept.
func inReadingOrder(calls []slackemu.Call) []slackemu.Call {
	rank := func(c slackemu.Call) int {
		switch c.Method {
		case "response_url", "views.open", "chat.postEphemeral":
			return 0
		}
		return 1
	}
	key := func(c slackemu.Call) string { return ticketKeyRE.FindString(c.Params["text"]) }
	out := slices.Clone(calls)
	slices.SortStableFunc(out, func(a, b slackemu.Call) int {
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		return strings.Compare(key(a), key(b))
	})
	return out
}

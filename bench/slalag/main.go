// Command slalag measures SLA alert lag end to end (issue 4): the time
// from the instant a ticket's warning threshold passes to the moment its
// warning reaches Slack (a reply in the card's thread, in the emulator),
// with the real bot, the real scheduler and the configured scan interval.
// The baseline, measured in the same run, is the lag of a card refresh
// queued at a known instant: what the outbox and Slack add on their own.
//
//	go run ./bench/slalag                 # sqlite and postgres, 40 tickets
//	go run ./bench/slalag -db postgres -n 100 -scan 2s
//
// It runs on wall time: each ticket gets a 20-second first-response target
// with a warning at 50%, so a run takes about half a minute per database.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/deskbot/deskbot/bench/benchdb"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/scheduler"
	"github.com/deskbot/deskbot/storage"
)

const policyYAML = `
calendars:
  always: {time_zone: UTC, always_open: true}
sla_policies:
  bench:
    calendar: always
    targets:
      urgent: {first_response: 20s, resolution: 1h}
    warnings: ["50%%"]
default_sla_policy: bench
sla:
  scan_interval: %s
`

func main() {
	n := flag.Int("n", 40, "tickets")
	dbs := flag.String("db", "sqlite,postgres", "databases")
	scan := flag.Duration("scan", 2*time.Second, "sla.scan_interval")
	flag.Parse()
	for _, d := range strings.Split(*dbs, ",") {
		if err := run(strings.TrimSpace(d), *n, *scan); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", d, err)
			os.Exit(1)
		}
	}
}

func config(scan time.Duration) (*domain.Config, error) {
	base, err := os.ReadFile("domain/defaults.yaml")
	if err != nil {
		return nil, fmt.Errorf("run from the repository root: %w", err)
	}
	text := string(base)
	// Replace the SLA sections of the defaults with the benchmark's policy.
	i := strings.Index(text, "\ncalendars:")
	j := strings.Index(text, "\ntime:")
	text = text[:i] + fmt.Sprintf(policyYAML, scan) + text[j:]
	return domain.ParseConfig("bench", []byte(text))
}

func openDB(ctx context.Context, dialect string) (*storage.DB, func(), error) {
	return benchdb.Open(ctx, dialect, "slalag")
}

func run(dialect string, n int, scan time.Duration) error {
	ctx := context.Background()
	cfg, err := config(scan)
	if err != nil {
		return err
	}
	db, done, err := openDB(ctx, dialect)
	if err != nil {
		return err
	}
	defer done()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	emu := slackemu.New(slackemu.Options{})
	defer emu.Close()
	emu.AddUser(slackemu.User{ID: "UAGENT", Name: "ana", TeamID: "T0EMU"})
	emu.AddChannel(slackemu.Channel{ID: "CACME", Name: "acme"})
	// Warnings never go to the customer's thread: they reach agents in
	// the escalation channel (and the assignee's DM).
	emu.AddChannel(slackemu.Channel{ID: "COPS", Name: "support-ops"})
	cfg.SLA.EscalationChannel = "COPS"
	svc := commands.New(db, cfg, commands.Options{Logger: quiet})
	svc.UseStandardHooks()
	agent := domain.Actor{UserID: "UAGENT", Role: domain.RoleAgent, Channel: domain.ChannelCLI}
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme", ChannelID: "CACME", SLAPolicy: "bench"}); err != nil {
		return err
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc, Outbox: db, Logger: quiet})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go b.Run(runCtx)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(wctx); err != nil {
		return err
	}
	opts := scheduler.Options{Logger: quiet}
	if dialect == storage.Postgres {
		opts.Locker = db.NewLocker()
	}
	sc, err := scheduler.New(opts)
	if err != nil {
		return err
	}
	// As serve does: scan, and wake the outbox when the scan queued alerts.
	sc.Every("sla-scan", cfg.SLA.ScanInterval.Duration, func(ctx context.Context) error {
		n, err := svc.ScanSLA(ctx)
		if n > 0 {
			b.Kick()
		}
		return err
	})
	sc.Start()
	defer sc.Shutdown()

	// The tickets, their cards (the baseline) and their warnings.
	type probe struct {
		key            string
		created, warns time.Time
	}
	var probes []probe
	for i := 0; i < n; i++ {
		t, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: fmt.Sprintf("probe %d", i), Priority: "urgent", Source: domain.SourceCLI})
		if err != nil {
			return err
		}
		probes = append(probes, probe{key: t.Key(), created: t.CreatedAt, warns: t.CreatedAt.Add(10 * time.Second)})
		b.Kick()                          // as the bot does after handling an input
		time.Sleep(50 * time.Millisecond) // spread the thresholds over the scan interval
	}
	deadline := time.Now().Add(90 * time.Second)
	var cardLag, alertLag []time.Duration
	for _, p := range probes {
		for {
			var card, warn time.Time
			for _, c := range emu.Calls("chat.postMessage") {
				if !c.OK() || !strings.Contains(c.Params["text"], p.key+" ") && !strings.Contains(c.Params["text"], "*"+p.key+"*") {
					continue
				}
				if c.Params["channel"] == "CACME" && c.Params["thread_ts"] == "" && card.IsZero() {
					card = c.At
				}
				if strings.Contains(c.Params["text"], "is at risk") && c.Params["channel"] == "COPS" && warn.IsZero() {
					warn = c.At
				}
			}
			if !card.IsZero() && !warn.IsZero() {
				cardLag = append(cardLag, card.Sub(p.created))
				alertLag = append(alertLag, warn.Sub(p.warns))
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: no warning reached Slack in time", p.key)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	fmt.Printf("%s, %d tickets, scan every %s\n", dialect, n, scan)
	fmt.Printf("  baseline: card posted after creation   p50 %8s  p99 %8s\n", pct(cardLag, 50), pct(cardLag, 99))
	fmt.Printf("  alert lag: warning in the agents' channel p50 %8s  p99 %8s  (target p99 < 5s: %s)\n", pct(alertLag, 50), pct(alertLag, 99), met(pct(alertLag, 99) < 5*time.Second))
	fmt.Printf("  ratio p99 alert / p99 card: %.1f×\n", float64(pct(alertLag, 99))/float64(max(pct(cardLag, 99), time.Millisecond)))
	return nil
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, (len(s)*p+99)/100-1)].Round(time.Millisecond)
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

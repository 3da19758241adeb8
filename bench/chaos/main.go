// Command chaos runs several `deskbot serve` replicas on one PostgreSQL
// cluster of its own, against the Slack emulator and a mail relay sink,
// drives a mixed load from many users over 12 customers' channels,
// injects faults at random moments, and checks a ledger: every
// acknowledged input has its outcome exactly once (issue 14).
//
//	go run ./bench/chaos                                   # 3 replicas, 60 s, 20 inputs/s, every fault
//	go run ./bench/chaos -duration 5m -baseline            # also 1 and 3 replicas without faults, compared
//	go run ./bench/chaos -faults kill,pgdown -every 20s
//	go run ./bench/chaos -short                            # what CI runs
//
// It exits 1 when any acknowledged input was lost or any input doubled.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/email/emailtest"
)

type config struct {
	replicas int
	duration time.Duration
	rate     float64
	faults   []string
	every    time.Duration
	outage   time.Duration
	pause    time.Duration
	quiet    time.Duration
	agents   int
	// customers each have their own shared channel; the load spreads
	// over them.
	customers int
	// warmup: rounds of `/time help` from every agent before the load.
	warmup  int
	weights map[string]int
	keep    bool
	verbose bool
}

func defaultConfig() config {
	return config{replicas: 3, duration: time.Minute, rate: 20, faults: allFaults, every: 20 * time.Second,
		outage: 10 * time.Second, pause: 2 * time.Second, quiet: 90 * time.Second, agents: 16, customers: 12, warmup: 12,
		weights: defaultWeights()}
}

// defaultWeights is a helpdesk's day: mostly conversation in threads and
// time logged, a few new tickets. About 3 new cards a second at 20
// inputs/s stays under Slack's workspace-wide ~5 posts/s and, over 12
// customers, well under each channel's ~1 post/s.
func defaultWeights() map[string]int {
	return map[string]int{kindTicket: 2, kindReply: 8, kindTimeLog: 5, kindClick: 3, kindMail: 1}
}

// shortConfig is what CI runs: a few faults of each family in 25 s.
func shortConfig() config {
	c := defaultConfig()
	c.duration, c.rate, c.every, c.outage, c.pause, c.quiet = 22*time.Second, 4, 4*time.Second, 2*time.Second, time.Second, 90*time.Second
	c.faults = []string{faultKill, faultTerm, faultPGRestart, faultSlack500, faultReset}
	c.warmup = 0 // the ledger holds from a cold start too; CI has no latency target
	return c
}

func main() {
	cfg := defaultConfig()
	short := flag.Bool("short", false, "CI mode: 3 replicas, ~25 s, 4 inputs/s, kill/term/pgrestart/slack500/sockreset")
	flag.IntVar(&cfg.replicas, "replicas", cfg.replicas, "deskbot serve processes")
	flag.IntVar(&cfg.customers, "customers", cfg.customers, "customers, each with its own Slack channel, the load spreads over")
	flag.DurationVar(&cfg.duration, "duration", cfg.duration, "how long the load runs")
	flag.Float64Var(&cfg.rate, "rate", cfg.rate, "inputs per second, all kinds together")
	faults := flag.String("faults", "all", "comma-separated faults ("+strings.Join(allFaults, ",")+"), all or none")
	flag.DurationVar(&cfg.every, "every", cfg.every, "one fault per interval, at a random moment in it")
	flag.DurationVar(&cfg.outage, "outage", cfg.outage, "how long PostgreSQL, Slack's Web API or the relay stays down")
	flag.IntVar(&cfg.warmup, "warmup", cfg.warmup, "rounds (a second each) of `/time help` from every agent before the load, so every replica knows every agent; 0: start cold")
	flag.DurationVar(&cfg.quiet, "quiet", cfg.quiet, "longest wait for the outcomes after the load")
	baseline := flag.Bool("baseline", false, "also run the same load without faults on 1 replica and on -replicas, and compare")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory (replica and PostgreSQL logs)")
	flag.BoolVar(&cfg.verbose, "v", false, "log faults as they happen")
	flag.Parse()
	if *short {
		s := shortConfig()
		s.keep, s.verbose = cfg.keep, cfg.verbose
		cfg = s
	} else {
		var err error
		if cfg.faults, err = parseFaults(*faults); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok := true
	var runs []*result
	if *baseline {
		one, calm := cfg, cfg
		one.replicas, one.faults, calm.faults = 1, nil, nil
		for _, c := range []config{one, calm} {
			r, err := run(ctx, c, os.Stdout)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			ok = ok && r.ok()
			runs = append(runs, r)
		}
	}
	if len(cfg.faults) > 0 || !*baseline {
		r, err := run(ctx, cfg, os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		ok = ok && r.ok()
		runs = append(runs, r)
	}
	summary(os.Stdout, runs)
	if !ok {
		os.Exit(1)
	}
}

// result is one run's ledger and figures.
type result struct {
	cfg        config
	ledger     *ledger
	elapsed    time.Duration // from the first input to the last outcome
	throughput float64       // outcomes per second over elapsed
	settled    time.Duration // after the load, until every acked outcome was there
	faults     []window
	// worstRecovery is the longest time from a fault's repair to the
	// first outcome of an input sent after it.
	worstRecovery time.Duration
}

func (r *result) ok() bool { return r.ledger.all.lost == 0 && r.ledger.all.doubled == 0 }

func (r *result) label() string {
	f := "no faults"
	if len(r.cfg.faults) > 0 {
		f = fmt.Sprintf("a fault every %v (%s)", r.cfg.every, strings.Join(r.cfg.faults, ","))
	}
	return fmt.Sprintf("%d replica(s), %v at %.0f inputs/s, %s", r.cfg.replicas, r.cfg.duration, r.cfg.rate, f)
}

func summary(w io.Writer, rs []*result) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nsummary")
	base := rs[0]
	for _, r := range rs {
		fmt.Fprintf(w, "  %-70s lost %d, doubled %d, outcome p50 %s p99 %s, %.1f outcomes/s (%.2f× the first), settled %v after the load, worst recovery %s\n",
			r.label(), r.ledger.all.lost, r.ledger.all.doubled, ms(pct(r.ledger.all.late, .5)), ms(pct(r.ledger.all.late, .99)),
			r.throughput, r.throughput/base.throughput, r.settled.Round(100*time.Millisecond), ms(r.worstRecovery))
	}
}

// run is one scenario from a fresh cluster to its ledger.
func run(ctx context.Context, cfg config, out io.Writer) (*result, error) {
	work, err := os.MkdirTemp("", "deskbot-chaos-")
	if err != nil {
		return nil, err
	}
	if cfg.keep {
		fmt.Fprintf(out, "work directory %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	logf := func(format string, args ...any) {
		if cfg.verbose {
			fmt.Fprintf(out, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
		}
	}
	pg, err := startCluster(ctx, work)
	if err != nil {
		return nil, err
	}
	defer pg.close()
	bin, err := buildDeskbot(ctx, work)
	if err != nil {
		return nil, err
	}
	dbURL := pg.url("deskbot")
	custs := customers(cfg.customers)
	cfgPath, err := writeConfig(work)
	if err != nil {
		return nil, err
	}
	horizon := time.Duration(cfg.warmup)*time.Second + 2*cfg.duration + cfg.quiet
	views, err := seed(ctx, dbURL, cfgPath, custs, horizon)
	if err != nil {
		return nil, err
	}
	sqldb, err := sql.Open("postgres", dbURL)
	if err != nil {
		return nil, err
	}
	defer sqldb.Close()

	// Slack's rate limits hold, as in production: the load stays under
	// them by spreading over the customers' channels, and the bot paces
	// its posts under them.
	emu := slackemu.New(slackemu.Options{})
	defer emu.Close()
	emu.SpreadConnections(true)
	addChannels(emu, custs)
	var agents []string
	for i := range cfg.agents {
		id := fmt.Sprintf("UAGENT%02d", i)
		emu.AddUser(slackemu.User{ID: id, Name: fmt.Sprintf("agent%d", i), RealName: fmt.Sprintf("Agent %d", i), TeamID: "T0EMU"})
		agents = append(agents, id)
	}
	forgetters := make([]string, max(1, min(15, int(cfg.duration/(20*time.Second)))))
	for i := range forgetters {
		forgetters[i] = forgetterID(i)
		emu.AddUser(slackemu.User{ID: forgetters[i], Name: fmt.Sprintf("forgetter%d", i), RealName: fmt.Sprintf("Forgetter %d", i), TeamID: "T0EMU"})
	}
	sink, err := emailtest.StartSink(emailtest.SinkOptions{})
	if err != nil {
		return nil, err
	}
	defer sink.Stop()

	env := []string{"SLACK_BOT_TOKEN=xoxb-emu", "SLACK_APP_TOKEN=xapp-emu", "SLACK_API_URL=" + emu.APIURL(),
		"DATABASE_URL=" + dbURL, "DESKBOT_CONFIG=" + cfgPath, "TRIAGE_CHANNEL=" + triageChan, "SMTP_RELAY_URL=" + sink.URL(),
		"MAIL_FROM=support@vendor.com", "LOG_LEVEL=info", "PATH=" + os.Getenv("PATH")}
	var replicas []*replica
	for i := range cfg.replicas {
		r, err := newReplica(i+1, bin, work, env)
		if err != nil {
			return nil, err
		}
		if err := r.start(); err != nil {
			return nil, err
		}
		replicas = append(replicas, r)
	}
	defer func() {
		for _, r := range replicas {
			r.stop(syscall.SIGTERM, 20*time.Second)
		}
	}()
	if err := waitReady(ctx, emu, replicas); err != nil {
		return nil, err
	}
	if err := warmUp(ctx, emu, append(slices.Clone(agents), forgetters...), cfg.warmup); err != nil {
		return nil, err
	}

	flog := &faultLog{grace: 5 * time.Second}
	ld := &loader{emu: emu, replicas: replicas, agents: agents, customers: custs, faults: flog}
	obs := &observer{emu: emu, sink: sink, db: sqldb, bot: emu.Options().BotUserID, load: ld, customers: custs,
		forgetters: forgetters, views: views, first: map[string]time.Time{}, cards: map[string]bool{}}
	octx, ocancel := context.WithCancel(ctx)
	defer ocancel()
	go obs.poll(octx)

	fmt.Fprintf(out, "\n== %s\n", (&result{cfg: cfg}).label())
	start := time.Now()
	// The load runs for the duration, and on (up to as long again) until
	// each fault kind was injected once: faults that take long on a busy
	// machine must not leave a kind out of a short run.
	lctx, lcancel := context.WithCancel(ctx)
	defer lcancel()
	everyKind := make(chan struct{})
	go func() {
		sleepCtx(lctx, cfg.duration)
		sleepUntil(lctx, everyKind, cfg.duration)
		lcancel()
	}()
	inj := &injector{everyKind: everyKind, emu: emu, pg: pg, sink: sink, replicas: replicas, outage: cfg.outage, pause: cfg.pause, log: flog, logf: logf}
	injDone := make(chan struct{})
	go func() { defer close(injDone); inj.run(lctx, cfg.faults, cfg.every) }()
	running := func(user string) (bool, error) {
		var n int
		err := sqldb.QueryRowContext(ctx, `SELECT count(*) FROM time_entries WHERE user_id = $1 AND ended_at IS NULL`, user).Scan(&n)
		return n > 0, err
	}
	go ld.forget(lctx, forgetters, cfg.duration/time.Duration(len(forgetters)+1))
	ld.run(lctx, cfg.rate, cfg.weights, running)
	<-injDone // the last fault is repaired
	loadEnd := time.Now()
	for _, r := range replicas {
		if !r.running() {
			if err := r.start(); err != nil {
				return nil, err
			}
		}
	}

	// Quiet period: wait until every acknowledged input has its outcome,
	// or the quiet time is up.
	var res *result
	deadline := time.Now().Add(cfg.quiet)
	for {
		obs.scan(ctx)
		var l *ledger
		c, err := obs.count(ctx)
		if err == nil {
			ld.mu.Lock()
			l = obs.ledger(ld.inputs, c)
			ld.mu.Unlock()
			err = obs.addScheduled(ctx, l, loadEnd)
		}
		if err == nil {
			res = &result{cfg: cfg, ledger: l}
			if l.all.lost == 0 || time.Now().After(deadline) {
				break
			}
		} else if time.Now().After(deadline) {
			return nil, fmt.Errorf("chaos: cannot count outcomes: %w", err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		time.Sleep(500 * time.Millisecond)
	}
	// A little longer, so that late duplicates have a chance to show.
	time.Sleep(2 * time.Second)
	obs.scan(ctx)
	c, err := obs.count(ctx)
	if err != nil {
		return nil, err
	}
	ld.mu.Lock()
	res.ledger = obs.ledger(ld.inputs, c)
	ld.mu.Unlock()
	if err := obs.addScheduled(ctx, res.ledger, loadEnd); err != nil {
		return nil, err
	}
	res.settled = max(res.ledger.lastOutcome.Sub(loadEnd), 0)
	res.elapsed = res.ledger.lastOutcome.Sub(start)
	if res.elapsed > 0 {
		res.throughput = float64(res.ledger.outcomes) / res.elapsed.Seconds()
	}
	res.ledger.print(out, res.label())
	// What people were told went wrong, for a loss the logs do not explain.
	warned := map[string]int{}
	for _, c := range emu.Calls("response_url") {
		if b := string(c.Body); strings.Contains(b, ":warning:") {
			var m struct{ Text string }
			_ = json.Unmarshal(c.Body, &m)
			warned[m.Text]++
		}
	}
	if rs := emu.RateStats(); rs.Limited > 0 {
		fmt.Fprintf(out, "  Slack answered 429 %d times %v (%d calls inside a Retry-After window %v)\n", rs.Limited, rs.LimitedByMethod, rs.InWindow, rs.InWindowByMethod)
	}
	for text, n := range warned {
		fmt.Fprintf(out, "  told %d× %q\n", n, text)
	}
	res.faults = flog.list()
	for _, w := range res.faults {
		fmt.Fprintf(out, "  fault %-9s at +%5.1fs for %-8v recovered (first new outcome) %s later %s\n", w.kind, w.start.Sub(start).Seconds(),
			w.end.Sub(w.start).Round(10*time.Millisecond), ms(res.ledger.recovery(w.end)), w.target)
		res.worstRecovery = max(res.worstRecovery, res.ledger.recovery(w.end))
	}
	if !res.ok() && cfg.keep {
		fmt.Fprintf(out, "logs in %s\n", work)
	}
	return res, nil
}

// waitReady waits until every replica is connected and ready.
func waitReady(ctx context.Context, emu *slackemu.Server, rs []*replica) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		n := 0
		for _, r := range rs {
			if r.ready(ctx) {
				n++
			}
		}
		if n == len(rs) && emu.LiveConnections() >= len(rs) {
			return nil
		}
		if ctx.Err() != nil {
			return errors.New("chaos: the replicas did not all get ready and connected in 60 s (see their logs with -keep)")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

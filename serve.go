package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/scheduler"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/tracker"
)

const serveUsage = `Usage: deskbot serve

Runs the bot over Socket Mode, the scheduler (SLA alerts, reminders,
digests), the mail transports the environment turns on, and the
health/metrics server on HTTP_ADDR (/healthz, /readyz, /metrics).

Start-up checks, in order, each naming what to fix: the environment and
DESKBOT_CONFIG (every problem at once), then the Slack tokens (auth.test,
apps.connections.open), then the database (DATABASE_URL). A Slack error
no retry can cure (a revoked token, a missing scope) stops the process.
`

func serveCmd(c *cli, args []string) error {
	fs := newFlags("serve", serveUsage)
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	env, cfg, err := startupConfig(c.getenv)
	if err != nil {
		return err
	}
	return serve(c.ctx, env, cfg, newLogger(env, c.stderr))
}

// startupConfig checks everything serve reads before it talks to anyone:
// the variables, the Slack tokens' presence and the config file, all
// problems reported together.
func startupConfig(getenv func(string) string) (*Env, *domain.Config, error) {
	env, envErr := loadEnv(getenv)
	cfg, cfgErr := domain.LoadConfig(env.ConfigPath)
	var trackerErr error
	if cfgErr == nil {
		trackerErr = errors.Join(tracker.CheckEnv(cfg, getenv)...)
	}
	if err := errors.Join(envErr, env.missingSlack(), cfgErr, trackerErr); err != nil {
		return nil, nil, err
	}
	return env, cfg, nil
}

// openDB opens DATABASE_URL and migrates it; it returns how many
// migrations ran.
func openDB(ctx context.Context, env *Env, log *slog.Logger) (*storage.DB, int, error) {
	db, err := storage.Open(ctx, env.DatabaseURL, storage.WithLogger(log))
	if err != nil {
		return nil, 0, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("DATABASE_URL: %s: %w", db.Dialect(), err)
	}
	return db, n, nil
}

func serve(ctx context.Context, env *Env, cfg *domain.Config, log *slog.Logger) error {
	// Slack before the database: a wrong token is the likelier mistake,
	// and a database failure must not hide it.
	id, err := bot.CheckTokens(ctx, env.SlackBotToken, env.SlackAppToken, env.SlackAPIURL)
	if err != nil {
		return err
	}
	log.Info("slack tokens accepted", "team", id.Team, "bot_user", id.BotUserID)
	db, _, err := openDB(ctx, env, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetSearchLanguage(ctx, cfg.Search.Language); err != nil {
		return fmt.Errorf("%s: search.language: %w", cfg.Source, err)
	}
	if env.TriageChannel == "" && (env.SMTPAddr != "" || env.IMAPURL != "") {
		log.Warn("TRIAGE_CHANNEL is not set: tickets from unknown senders will show in App Home only")
	}
	svc := commands.New(db, cfg, commands.Options{TriageChannel: env.TriageChannel, Logger: log,
		Mail: commands.MailOptions{Address: env.MailFrom, Send: env.SMTPRelayURL != ""}, Portal: env.Portal.portalOptions(),
		Trackers: tracker.Clients(env.getenv, nil)})
	svc.UseStandardHooks()
	reloadOnHangup(ctx, svc, log)
	mail, err := startMail(env, db, svc, log)
	if err != nil {
		return err
	}
	defer mail.stop()
	defer startWebhooks(ctx, env, db, svc, log)()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	b := bot.New(bot.Options{
		BotToken: env.SlackBotToken, AppToken: env.SlackAppToken, APIURL: env.SlackAPIURL,
		Service: svc, Outbox: db, Inbox: db, Logger: log, Metrics: bot.NewMetrics(reg),
		Instance: env.Instance, Failpoint: failpoint(env.Failpoint, log),
	})
	srv, err := startHTTP(env.HTTPAddr, []readiness{db.Ready, b.Ready}, reg, log)
	if err != nil {
		return err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Warn("http: unable to stop cleanly", "err", err)
		}
	}()
	stopPortal, err := startPortal(env.Portal, svc, env.getenv, b.Kick, log)
	if err != nil {
		return err
	}
	defer stopPortal()
	instance := env.Instance
	if instance == "" {
		instance = bot.DefaultInstance()
	}
	cm := newClusterMetrics(reg)
	hbCtx, hbStop := context.WithCancel(ctx)
	defer hbStop()
	go heartbeat(hbCtx, db, instance, cm, log)
	sched, err := startScheduler(db, svc, b.Kick, mail.jobs, observeJobs(db, instance, cm, log), log)
	if err != nil {
		return err
	}
	defer func() {
		if err := sched.Shutdown(); err != nil {
			log.Warn("scheduler: unable to stop cleanly", "err", err)
		}
	}()
	if err = b.Run(ctx); err != nil {
		log.Error("stopping", "err", err)
		return err
	}
	log.Info("stopped")
	return nil
}

// FailpointExit is the exit status of a process killed at its failpoint.
const FailpointExit = 137

// failpoint kills the process at the named point: exactly there, with no
// deferred work, no shutdown, nothing flushed, as a crash would.
func failpoint(at string, log *slog.Logger) func(string) {
	if at == "" {
		return nil
	}
	log.Warn("DESKBOT_FAILPOINT is set: this process will die at it", "failpoint", at)
	return func(name string) {
		if name == at {
			log.Warn("failpoint reached: exiting", "failpoint", at)
			os.Exit(FailpointExit)
		}
	}
}

// startScheduler runs the periodic use cases. On PostgreSQL each job takes
// an advisory lock, so replicas run it once between them.
// kick wakes the outbox after a job queued messages, so an alert goes out
// at once rather than at the dispatcher's next poll.
func startScheduler(db *storage.DB, svc *commands.Service, kick func(), extra []job, observe func(scheduler.Run), log *slog.Logger) (*scheduler.Scheduler, error) {
	opts := scheduler.Options{Logger: log, Observe: observe}
	if db.Dialect() == storage.Postgres {
		opts.Locker = db.NewLocker()
	}
	sc, err := scheduler.New(opts)
	if err != nil {
		return nil, err
	}
	jobs := []job{
		{"sla-scan", svc.Config().SLA.ScanInterval.Duration, svc.ScanSLA},
		{"timer-reminders", time.Minute, svc.RemindForgottenTimers},
		{"automations-scan", time.Minute, svc.ScanAutomations},
		{"digests", time.Minute, svc.DueDigests},
	}
	if cfg := svc.Config(); len(cfg.Trackers) > 0 {
		// Polls linked issues so a missed webhook heals (one replica
		// runs it, like every job, through the locker).
		jobs = append(jobs, job{"tracker-reconcile", cfg.Engineering.ReconcileInterval.Duration, svc.ReconcileIssues})
	}
	jobs = append(jobs, extra...)
	for _, j := range jobs {
		fn := j.fn
		job := func(ctx context.Context) error {
			n, err := fn(ctx)
			if n > 0 {
				kick()
			}
			return err
		}
		if err := sc.Every(j.name, j.interval, job); err != nil {
			return nil, err
		}
	}
	sc.Start()
	return sc, nil
}

// readiness is one condition of /readyz.
type readiness func(context.Context) error

// startHTTP serves /healthz (the process runs), /readyz (every check
// passes: the database answers with a current schema, Socket Mode is
// connected) and /metrics.
func startHTTP(addr string, ready []readiness, reg *prometheus.Registry, log *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		for _, check := range ready {
			if err := check(ctx); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: unable to listen on %s: %w", addr, err)
	}
	// Addr records the bound address, which differs from addr for port 0.
	srv := &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	log.Info("health and metrics listening", "addr", ln.Addr().String())
	return srv, nil
}

// job is a use case the scheduler runs every interval; it returns how many
// messages it queued, so the outbox can be woken.
type job struct {
	name     string
	interval time.Duration
	fn       func(context.Context) (int, error)
}

// startPortal serves the customers' ticket page on PUBLIC_ADDR when
// PUBLIC_URL is set; the returned func shuts it down gracefully.
func startPortal(env PortalEnv, svc *commands.Service, getenv func(string) string, kick func(), log *slog.Logger) (func(), error) {
	if env.URL == "" {
		return func() {}, nil
	}
	// The REST API shares the page's public listener, so it is served
	// exactly when the page is.
	// So do the issue trackers' webhooks (/hooks/github, /hooks/gitlab).
	rest := api.New(api.Options{Service: svc, Logger: log})
	hooks := tracker.NewHooks(tracker.HookOptions{Service: svc, Getenv: getenv, Logger: log, Kick: kick})
	p, err := portal.New(portal.Options{Service: svc, Logger: log, TrustedProxies: env.TrustedProxies,
		Mount: map[string]http.Handler{api.Prefix + "/": rest.Handler(), tracker.HooksPrefix + "/": hooks.Handler()}})
	if err != nil {
		return nil, err
	}
	if err := p.Start(env.Addr); err != nil {
		return nil, fmt.Errorf("PUBLIC_ADDR: %w", err)
	}
	log.Info("ticket page and REST API listening", "addr", p.Addr(), "public_url", env.URL, "api", env.URL+api.Prefix)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			log.Warn("portal: unable to stop cleanly", "err", err)
		}
	}, nil
}

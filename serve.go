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

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/scheduler"
	"github.com/deskbot/deskbot/storage"
)

func serve(ctx context.Context, env *Env, log *slog.Logger) error {
	cfg, err := domain.LoadConfig(env.ConfigPath)
	if err != nil {
		return err
	}
	db, err := storage.Open(ctx, env.DatabaseURL, storage.WithLogger(log))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := env.missingSlack(); err != nil {
		return err
	}
	if env.TriageChannel == "" && (env.SMTPAddr != "" || env.IMAPURL != "") {
		log.Warn("TRIAGE_CHANNEL is not set: tickets from unknown senders will show in App Home only")
	}
	svc := commands.New(db, cfg, commands.Options{TriageChannel: env.TriageChannel, Logger: log,
		Mail: commands.MailOptions{Address: env.MailFrom, Send: env.SMTPRelayURL != ""}})
	svc.UseStandardHooks()
	reloadOnHangup(ctx, svc, log)
	mail, err := startMail(env, db, svc, log)
	if err != nil {
		return err
	}
	defer mail.stop()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := startHTTP(env.HTTPAddr, db, reg, log)
	if err != nil {
		return err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	b := bot.New(bot.Options{
		BotToken: env.SlackBotToken, AppToken: env.SlackAppToken, APIURL: env.SlackAPIURL,
		Service: svc, Outbox: db, Inbox: db, Logger: log, Metrics: bot.NewMetrics(reg),
		Instance: env.Instance, Failpoint: failpoint(env.Failpoint, log),
	})
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
	defer sched.Shutdown()
	err = b.Run(ctx)
	log.Info("stopped")
	return err
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

// startHTTP serves /healthz (the process runs), /readyz (the database
// answers and its schema is current) and /metrics.
func startHTTP(addr string, db *storage.DB, reg *prometheus.Registry, log *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ready(ctx); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
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

// Command deskbot is a self-hosted helpdesk that lives in Slack.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

const usage = `deskbot — a helpdesk that lives in Slack

Usage:
  deskbot [serve]        run the bot (Socket Mode), scheduler and health/metrics server
  deskbot demo           watch deskbot handle a support morning against a Slack emulator
  deskbot migrate        apply database migrations and exit
  deskbot status         the cluster's view: replicas alive, outbox and inbox backlog, last job runs
  deskbot config check   validate DESKBOT_CONFIG (or the built-in defaults) and exit
  deskbot sla simulate   compute and explain SLA deadlines for a policy (--help for flags)
  deskbot version        print the version

Configuration comes from the environment; see README.md.
`

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(bot.GCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with their own
// arguments, environment and outputs.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	env, err := loadEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "deskbot: %s\n", indent(err))
		return 2
	}
	log := newLogger(env, stderr)
	switch {
	case cmd == "serve":
		err = serve(ctx, env, log)
	case cmd == "demo":
		err = demo(ctx, env, stdout)
	case cmd == "migrate":
		err = migrate(ctx, env, log, stdout)
	case cmd == "status":
		err = statusCmd(ctx, env, stdout)
	case cmd == "sla":
		err = slaCmd(args, env, stdout, stderr)
	case cmd == "config" && len(args) == 1 && args[0] == "check":
		err = configCheck(env, stdout)
	case cmd == "version":
		fmt.Fprintln(stdout, "deskbot", version())
		return 0
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "deskbot: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "deskbot: %s\n", indent(err))
		return 1
	}
	return 0
}

// indent lays out a joined error one problem a line.
func indent(err error) string {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("cannot start:")
	for _, e := range joined.Unwrap() {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

func newLogger(env *Env, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: env.LogLevel}
	if env.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func migrate(ctx context.Context, env *Env, log *slog.Logger, stdout io.Writer) error {
	db, err := storage.Open(ctx, env.DatabaseURL, storage.WithLogger(log))
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s database is up to date (%d migrations applied now).\n", db.Dialect(), n)
	return nil
}

func configCheck(env *Env, stdout io.Writer) error {
	cfg, err := domain.LoadConfig(env.ConfigPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is valid: %d types, %d statuses, %d workflows, %d fields, priorities %v.\n",
		cfg.Source, len(cfg.Types), len(cfg.Statuses), len(cfg.Workflows), len(cfg.Fields), cfg.Priorities)
	return nil
}

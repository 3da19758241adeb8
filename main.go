// Command deskbot is a self-hosted helpdesk that lives in Slack.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/deskbot/deskbot/bot"
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(bot.GCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// cli is what a subcommand runs with: the process's environment and
// outputs, replaced by tests.
type cli struct {
	ctx    context.Context
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// subcommand is one entry of a command table. run gets the arguments
// after the subcommand's name and parses its own flags.
type subcommand struct {
	name    string
	args    string // after the name in listings: "[flags]", "SUBCOMMAND"
	summary string
	run     func(c *cli, args []string) error
}

// topCommands is deskbot's command table; `deskbot` alone is serve.
func topCommands() []subcommand {
	return []subcommand{
		{"serve", "", "run the bot (Socket Mode), scheduler, mail and health/metrics server", serveCmd},
		{"demo", "", "watch deskbot handle a support morning against a Slack emulator", demoCmd},
		{"doctor", "[flags]", "check tokens, scopes, channels, database and mail settings; print what to fix", doctorCmd},
		{"migrate", "", "apply database migrations and exit", migrateCmd},
		{"status", "", "show the outbox backlog, its oldest delivery, and which replica dispatches", statusSubcmd},
		{"config", "SUBCOMMAND", "work with the config file (DESKBOT_CONFIG): " + names(configCommands()), configCmd},
		{"sla", "SUBCOMMAND", "SLA tools: " + names(slaCommands()), slaCmd},
		{"export", "--out FILE", "write the whole helpdesk and its config to a file (JSON Lines): backup, or a move to another database", exportCmd},
		{"import", "[flags] FILE", "load an export into an empty database, or --from zammad|freescout|csv into any", importCmd},
		{"keys", "SUBCOMMAND", "the keys of the customers' ticket links: " + names(keysCommands()), keysCmd},
		{"version", "", "print the version", versionCmd},
	}
}

func names(cmds []subcommand) string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.name)
	}
	return strings.Join(out, ", ")
}

// listing lays out a command table for a usage text.
func listing(prefix string, cmds []subcommand) string {
	var b strings.Builder
	width := 0
	for _, c := range cmds {
		width = max(width, len(strings.TrimSpace(c.name+" "+c.args)))
	}
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %s %-*s  %s\n", prefix, width, strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	return b.String()
}

func usage() string {
	return "deskbot — a helpdesk that lives in Slack\n\nUsage:\n" + listing("deskbot", topCommands()) + `
With no command, deskbot serves. Each command takes --help.
Configuration comes from the environment; see README.md.
`
}

// errHelp: the help asked for was printed; exit 0.
var errHelp = errors.New("help shown")

// usageError is a mistake in the command line: exit 2 with the usage.
type usageError struct {
	err   error
	usage string
}

func (e *usageError) Error() string { return e.err.Error() }

// run is main without the process: tests call it with their own
// arguments, environment and outputs. Exit codes: 0 done, 1 failed,
// 2 the command line is wrong.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c := &cli{ctx: ctx, getenv: getenv, stdout: stdout, stderr: stderr}
	err := dispatch(c, "deskbot", topCommands(), usage(), args, "serve")
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s\n\n%s", ue.err, ue.usage)
		return 2
	}
	fmt.Fprintf(stderr, "deskbot: %s\n", indent(err))
	return 1
}

// dispatch runs the subcommand args name. With no arguments it runs def,
// or with def "" prints the usage (the table) and succeeds: `deskbot
// config` lists what config can do.
func dispatch(c *cli, prefix string, cmds []subcommand, usage string, args []string, def string) error {
	if len(args) == 0 {
		if def == "" {
			fmt.Fprint(c.stdout, usage)
			return nil
		}
		args = []string{def}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(rest) > 0 { // deskbot help serve
			return dispatch(c, prefix, cmds, usage, []string{rest[0], "--help"}, def)
		}
		fmt.Fprint(c.stdout, usage)
		return errHelp
	case "-version", "--version":
		if prefix == "deskbot" {
			return versionCmd(c, rest)
		}
	}
	for _, cmd := range cmds {
		if cmd.name == name {
			return cmd.run(c, rest)
		}
	}
	if strings.HasPrefix(name, "-") {
		return &usageError{fmt.Errorf("%s: unknown flag %s (flags go after the command)", prefix, name), usage}
	}
	return &usageError{fmt.Errorf("%s: unknown command %q", prefix, name), usage}
}

// flagSet is a subcommand's flags with its usage text: --help prints it
// to stdout and does nothing else; a wrong flag or argument prints it to
// stderr and exits 2.
type flagSet struct {
	*flag.FlagSet
	synopsis string
}

func newFlags(name, synopsis string) *flagSet {
	fs := flag.NewFlagSet("deskbot "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports; the flag package would print twice
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, synopsis: synopsis}
}

func (f *flagSet) usage() string {
	var b strings.Builder
	b.WriteString(f.synopsis)
	has := false
	f.VisitAll(func(*flag.Flag) { has = true })
	if has {
		b.WriteString("\nFlags:\n")
		f.SetOutput(&b)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
	return b.String()
}

// parse reads args; maxArgs bounds the positional arguments left.
func (f *flagSet) parse(c *cli, args []string, maxArgs int) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.stdout, f.usage())
			return errHelp
		}
		return &usageError{fmt.Errorf("%s: %w", f.Name(), err), f.usage()}
	}
	if f.NArg() > maxArgs {
		return &usageError{fmt.Errorf("%s: unexpected argument %q", f.Name(), f.Arg(maxArgs)), f.usage()}
	}
	return nil
}

// env reads and checks the environment, for the subcommands that use it.
func (c *cli) env() (*Env, error) { return loadEnv(c.getenv) }

// indent lays out a joined error one problem a line.
func indent(err error) string {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("cannot start:")
	for _, e := range flatten(joined.Unwrap()) {
		b.WriteString("\n  ")
		b.WriteString(strings.ReplaceAll(e.Error(), "\n", "\n  "))
	}
	return b.String()
}

// flatten opens nested joins, so each problem gets its own line.
func flatten(errs []error) []error {
	var out []error
	for _, e := range errs {
		if joined, ok := e.(interface{ Unwrap() []error }); ok {
			out = append(out, flatten(joined.Unwrap())...)
			continue
		}
		out = append(out, e)
	}
	return out
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

func versionCmd(c *cli, args []string) error {
	fs := newFlags("version", "Usage: deskbot version\n\nPrints deskbot's version.\n")
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "deskbot", version())
	return nil
}

const migrateUsage = `Usage: deskbot migrate

Applies the database migrations DATABASE_URL lacks and exits; serve does
the same on start. Replicas on PostgreSQL migrate one at a time.
`

func migrateCmd(c *cli, args []string) error {
	fs := newFlags("migrate", migrateUsage)
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	env, err := c.env()
	if err != nil {
		return err
	}
	db, n, err := openDB(c.ctx, env, newLogger(env, c.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(c.stdout, "%s database is up to date (%d migrations applied now).\n", db.Dialect(), n)
	return nil
}

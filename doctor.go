package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

// manifestYAML is the Slack app manifest admins install from: the scopes
// it asks for are the ones the code needs (the end-to-end tests run with
// exactly those).
//
//go:embed manifest.yaml
var manifestYAML []byte

// neededScopes are the manifest's bot scopes.
func neededScopes() ([]string, error) {
	var m struct {
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(manifestYAML, &m); err != nil {
		return nil, fmt.Errorf("manifest.yaml: %w", err)
	}
	return m.OAuth.Scopes.Bot, nil
}

const doctorUsage = `Usage: deskbot doctor [flags]

Checks an install the way serve would start it, without starting it, and
prints what to fix: the environment and DESKBOT_CONFIG, the Slack tokens,
the scopes the app was granted against those manifest.yaml asks for, the
bot's membership of TRIAGE_CHANNEL and the SLA escalation channel, the
database (DATABASE_URL; a SQLite file is not created) and the mail
settings. Exits 1 if anything needs fixing.
`

// doctorReport prints one line per check and counts the failures.
type doctorReport struct {
	c      *cli
	failed int
}

func (r *doctorReport) line(status, what, detail string) {
	fmt.Fprintf(r.c.stdout, "%-5s %s: %s\n", status, what, strings.ReplaceAll(detail, "\n", "\n      "))
}
func (r *doctorReport) ok(what, detail string)   { r.line("ok", what, detail) }
func (r *doctorReport) note(what, detail string) { r.line("note", what, detail) }
func (r *doctorReport) fail(what string, err error) {
	r.failed++
	r.line("FAIL", what, err.Error())
}

// failAll reports each problem of a joined error on its own line.
func (r *doctorReport) failAll(what string, err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range flatten(j.Unwrap()) {
			r.fail(what, e)
		}
		return
	}
	r.fail(what, err)
}

func doctorCmd(c *cli, args []string) error {
	fs := newFlags("doctor", doctorUsage)
	timeout := fs.Duration("timeout", 10*time.Second, "how long each network check may take")
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	r := &doctorReport{c: c}
	env, err := c.env()
	if err != nil {
		r.failAll("environment", err)
	} else {
		r.ok("environment", "every variable set is well-formed")
	}
	cfg, err := domain.LoadConfig(env.ConfigPath)
	if err != nil {
		r.failAll("config", err)
	} else {
		r.ok("config", cfg.Source+" is valid")
	}
	r.slack(c.ctx, env, cfg, *timeout)
	r.database(c.ctx, env, *timeout)
	r.mail(env, *timeout)
	if r.failed > 0 {
		return fmt.Errorf("doctor: %d to fix (the FAIL lines above)", r.failed)
	}
	fmt.Fprintln(c.stdout, "Everything deskbot needs is in place.")
	return nil
}

func (r *doctorReport) slack(ctx context.Context, env *Env, cfg *domain.Config, timeout time.Duration) {
	if err := env.missingSlack(); err != nil {
		r.failAll("slack", err)
		return
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := bot.CheckTokens(tctx, env.SlackBotToken, env.SlackAppToken, env.SlackAPIURL)
	if id == nil {
		r.fail("slack", errors.New(strings.TrimPrefix(err.Error(), "slack: ")))
		return
	}
	r.ok("slack", fmt.Sprintf("SLACK_BOT_TOKEN is the bot %s in %s", id.BotUserID, id.Team))
	if err != nil {
		r.fail("slack", err)
	} else {
		r.ok("slack", "SLACK_APP_TOKEN opens Socket Mode connections")
	}
	r.scopes(id.Scopes)
	channels := [][2]string{{"TRIAGE_CHANNEL", env.TriageChannel}}
	if cfg != nil {
		channels = append(channels, [2]string{"sla.escalation_channel", cfg.SLA.EscalationChannel})
	}
	for _, ch := range channels {
		if ch[1] == "" {
			continue
		}
		what := ch[0] + " " + ch[1]
		tctx, cancel := context.WithTimeout(ctx, timeout)
		if err := bot.CheckMember(tctx, env.SlackBotToken, env.SlackAPIURL, ch[1]); err != nil {
			r.fail(what, err)
		} else {
			r.ok(what, "the bot is a member")
		}
		cancel()
	}
}

func (r *doctorReport) scopes(granted []string) {
	need, err := neededScopes()
	if err != nil {
		r.fail("scopes", err)
		return
	}
	if granted == nil {
		r.note("scopes", "Slack did not report the granted scopes; compare OAuth & Permissions with manifest.yaml: "+strings.Join(need, ", "))
		return
	}
	var missing, extra []string
	for _, s := range need {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !slices.Contains(need, s) {
			extra = append(extra, s)
		}
	}
	if len(missing) > 0 {
		r.fail("scopes", fmt.Errorf("the app lacks %s: add them under OAuth & Permissions → Bot Token Scopes (or paste manifest.yaml into App Manifest), then reinstall the app to the workspace",
			strings.Join(missing, ", ")))
	} else {
		r.ok("scopes", "the app has every scope manifest.yaml asks for")
	}
	if len(extra) > 0 {
		r.note("scopes", "granted but unused, you may remove them: "+strings.Join(extra, ", "))
	}
}

func (r *doctorReport) database(ctx context.Context, env *Env, timeout time.Duration) {
	target, err := storage.ParseTarget(env.DatabaseURL)
	if err != nil {
		r.fail("database", fmt.Errorf("DATABASE_URL: %w", err))
		return
	}
	if target.Dialect == storage.SQLite {
		if _, err := os.Stat(target.Path); errors.Is(err, os.ErrNotExist) {
			r.fail("database", fmt.Errorf("%s does not exist yet: `deskbot migrate` creates it, or set DATABASE_URL", target))
			return
		}
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, err := storage.Open(tctx, env.DatabaseURL, storage.WithLogger(quietLogger()))
	if err != nil {
		r.fail("database", err)
		return
	}
	defer db.Close()
	if err := db.Ready(tctx); err != nil {
		r.fail("database", fmt.Errorf("%s: %w", target, err))
		return
	}
	r.ok("database", target.String()+" answers, schema up to date")
}

func (r *doctorReport) mail(env *Env, timeout time.Duration) {
	if env.SMTPAddr == "" && env.IMAPURL == "" && env.SMTPRelayURL == "" {
		r.note("mail", "email is off: set SMTP_ADDR or IMAP_URL to receive, SMTP_RELAY_URL and MAIL_FROM to send")
		return
	}
	if env.SMTPAddr != "" {
		ln, err := net.Listen("tcp", env.SMTPAddr)
		if err != nil {
			r.fail("SMTP_ADDR", fmt.Errorf("cannot listen on %s (is deskbot already running?): %w", env.SMTPAddr, err))
		} else {
			ln.Close()
			r.ok("SMTP_ADDR", "can listen on "+env.SMTPAddr)
		}
	}
	for _, v := range []struct{ name, raw, tlsPort, plainPort string }{
		{"IMAP_URL", env.IMAPURL, "993", "143"},
		{"SMTP_RELAY_URL", env.SMTPRelayURL, "465", "587"},
	} {
		if v.raw == "" {
			continue
		}
		u, err := url.Parse(v.raw)
		if err != nil {
			continue // loadEnv reported it
		}
		addr := u.Host
		if u.Port() == "" {
			port := v.plainPort
			if strings.HasSuffix(u.Scheme, "s") {
				port = v.tlsPort
			}
			addr = net.JoinHostPort(u.Hostname(), port)
		}
		conn, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			r.fail(v.name, fmt.Errorf("%s does not answer: %w", addr, err))
			continue
		}
		conn.Close()
		r.ok(v.name, addr+" answers (credentials are checked on first use)")
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

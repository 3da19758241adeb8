package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// Env is deskbot's configuration from the environment.
type Env struct {
	SlackBotToken string
	SlackAppToken string
	SlackAPIURL   string
	DatabaseURL   string
	HTTPAddr      string
	TriageChannel string
	SMTPAddr      string
	IMAPURL       string
	SMTPRelayURL  string
	MailFrom      string
	ConfigPath    string
	LogLevel      slog.Level
	LogFormat     string
	// Instance names this process in the leases it holds (DESKBOT_INSTANCE,
	// else the host name).
	Instance string
	// Failpoint kills the process at a named point (DESKBOT_FAILPOINT):
	// for tests and the fault harness only.
	Failpoint string

	// SMTPTLSCert and SMTPTLSKey are the paths; SMTPCert is what they
	// hold, loaded and checked.
	SMTPTLSCert    string
	SMTPTLSKey     string
	SMTPCert       *tls.Certificate
	SMTPRequireTLS bool

	// Portal: the customers' ticket page (env_portal.go).
	Portal PortalEnv

	// getenv reads the variables the config names (trackers' tokens and
	// webhook secrets), when they are used.
	getenv func(string) string
}

// loadEnv reads and checks every variable, reporting all problems at once,
// each naming its variable.
func loadEnv(getenv func(string) string) (*Env, error) {
	e := &Env{
		getenv:        getenv,
		SlackBotToken: strings.TrimSpace(getenv("SLACK_BOT_TOKEN")),
		SlackAppToken: strings.TrimSpace(getenv("SLACK_APP_TOKEN")),
		SlackAPIURL:   strings.TrimSpace(getenv("SLACK_API_URL")),
		DatabaseURL:   strings.TrimSpace(getenv("DATABASE_URL")),
		HTTPAddr:      strings.TrimSpace(getenv("HTTP_ADDR")),
		TriageChannel: strings.TrimSpace(getenv("TRIAGE_CHANNEL")),
		SMTPAddr:      strings.TrimSpace(getenv("SMTP_ADDR")),
		SMTPTLSCert:   strings.TrimSpace(getenv("SMTP_TLS_CERT")),
		SMTPTLSKey:    strings.TrimSpace(getenv("SMTP_TLS_KEY")),
		IMAPURL:       strings.TrimSpace(getenv("IMAP_URL")),
		SMTPRelayURL:  strings.TrimSpace(getenv("SMTP_RELAY_URL")),
		MailFrom:      strings.TrimSpace(getenv("MAIL_FROM")),
		ConfigPath:    strings.TrimSpace(getenv("DESKBOT_CONFIG")),
		LogFormat:     strings.ToLower(strings.TrimSpace(getenv("LOG_FORMAT"))),
		Instance:      strings.TrimSpace(getenv("DESKBOT_INSTANCE")),
		Failpoint:     strings.TrimSpace(getenv("DESKBOT_FAILPOINT")),
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if e.HTTPAddr == "" {
		e.HTTPAddr = "127.0.0.1:8080"
	} else if _, _, err := net.SplitHostPort(e.HTTPAddr); err != nil {
		bad("HTTP_ADDR", "%q is not host:port (like 127.0.0.1:8080)", e.HTTPAddr)
	}
	if e.SlackBotToken != "" && !strings.HasPrefix(e.SlackBotToken, "xoxb-") {
		bad("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb- (OAuth & Permissions page of your Slack app)")
	}
	if e.SlackAppToken != "" && !strings.HasPrefix(e.SlackAppToken, "xapp-") {
		bad("SLACK_APP_TOKEN", "must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)")
	}
	if e.SlackAPIURL != "" {
		if u, err := url.Parse(e.SlackAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, "/") {
			bad("SLACK_API_URL", "%q must be an http(s) URL ending in / (like https://slack.com/api/)", e.SlackAPIURL)
		}
	}
	if e.TriageChannel != "" && !domain.IsChannelID(e.TriageChannel) {
		bad("TRIAGE_CHANNEL", "%q must be a channel ID like C0123ABCD (channel details → About), not a name", e.TriageChannel)
	}
	if e.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(e.SMTPAddr); err != nil {
			bad("SMTP_ADDR", "%q is not host:port (like 0.0.0.0:2525)", e.SMTPAddr)
		}
	}
	e.checkSMTPTLS(strings.TrimSpace(getenv("SMTP_REQUIRE_TLS")), bad)
	if e.IMAPURL != "" {
		if u, err := url.Parse(e.IMAPURL); err != nil || (u.Scheme != "imaps" && u.Scheme != "imap") || u.Host == "" {
			bad("IMAP_URL", "must look like imaps://user:password@host/Mailbox")
		}
	}
	if e.SMTPRelayURL != "" {
		if u, err := url.Parse(e.SMTPRelayURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("SMTP_RELAY_URL", "must look like smtp://user:password@host:587 or smtps://host:465")
		}
		if e.MailFrom == "" {
			bad("MAIL_FROM", "is required when SMTP_RELAY_URL is set (like support@vendor.com)")
		}
	}
	if e.MailFrom != "" {
		if _, err := mail.ParseAddress(e.MailFrom); err != nil {
			bad("MAIL_FROM", "%q is not an email address", e.MailFrom)
		}
	}
	e.Portal, errs = loadPortalEnv(getenv, e.HTTPAddr, errs)
	switch lvl := strings.ToLower(strings.TrimSpace(getenv("LOG_LEVEL"))); lvl {
	case "", "info":
		e.LogLevel = slog.LevelInfo
	case "debug":
		e.LogLevel = slog.LevelDebug
	case "warn", "warning":
		e.LogLevel = slog.LevelWarn
	case "error":
		e.LogLevel = slog.LevelError
	default:
		bad("LOG_LEVEL", "%q must be debug, info, warn or error", lvl)
	}
	switch e.LogFormat {
	case "", "text", "json":
	default:
		bad("LOG_FORMAT", "%q must be text or json", e.LogFormat)
	}
	return e, errors.Join(errs...)
}

// missingSlack names the Slack variables serve needs and lacks, with where to find them.
func (e *Env) missingSlack() error {
	var errs []error
	if e.SlackBotToken == "" {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN is not set: the bot token (xoxb-…) from your Slack app's OAuth & Permissions page"))
	}
	if e.SlackAppToken == "" {
		errs = append(errs, errors.New("SLACK_APP_TOKEN is not set: an app-level token (xapp-…) with connections:write, from Basic Information → App-Level Tokens"))
	}
	if len(errs) > 0 {
		errs = append(errs, errors.New("create the Slack app from manifest.yaml (see README, \"Install in Slack\"), or try `deskbot demo` to see deskbot without Slack"))
	}
	return errors.Join(errs...)
}

package main

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/storage"
)

// mailParts are the email transports serve runs: the SMTP listener, and
// the IMAP poll and outgoing mail as scheduler jobs.
type mailParts struct {
	jobs  []job
	stops []func()
}

func (m *mailParts) stop() {
	for i := len(m.stops) - 1; i >= 0; i-- {
		m.stops[i]()
	}
}

// startMail starts what the environment asks for: SMTP_ADDR (with
// STARTTLS when SMTP_TLS_CERT is set), IMAP_URL, SMTP_RELAY_URL with
// MAIL_FROM. Each is off when its variable is unset.
func startMail(env *Env, db *storage.DB, svc *commands.Service, log *slog.Logger) (*mailParts, error) {
	m := &mailParts{}
	if env.SMTPAddr == "" && env.SMTPCert != nil {
		log.Warn("SMTP_TLS_CERT is set but SMTP_ADDR is not: there is no listener to offer STARTTLS on")
	}
	if env.SMTPAddr != "" {
		limitMemory(svc.Config().Email, log)
		srv, err := email.NewServer(email.ServerOptions{Addr: env.SMTPAddr, Domains: svc.MailDomains(),
			Ingest: svc.Ingest, Logger: log, Hostname: mail.DomainOf(env.MailFrom),
			TLSCert: env.SMTPCert, RequireTLS: env.SMTPRequireTLS,
			MaxMessageBytes: int64(svc.Config().Email.MaxMessageSize), ParallelMails: svc.Config().Email.ParallelMails})
		if err != nil {
			return nil, err
		}
		if err := srv.Start(); err != nil {
			return nil, err
		}
		m.stops = append(m.stops, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
		})
	}
	if env.IMAPURL != "" {
		poller, err := email.NewPoller(email.IMAPOptions{URL: env.IMAPURL, Ingest: svc.Ingest, Logger: log})
		if err != nil {
			m.stop()
			return nil, err
		}
		m.stops = append(m.stops, func() { poller.Close() })
		// A poll that ingested mail queued cards; report 1 so the outbox wakes.
		m.jobs = append(m.jobs, job{"imap-poll", 30 * time.Second, func(ctx context.Context) (int, error) { return 1, poller.PollIMAP(ctx) }})
	}
	if env.SMTPRelayURL != "" {
		owner := env.Instance
		if owner == "" {
			owner = bot.DefaultInstance()
		}
		// Claims named after the instance, with the bot's 8 s lease: the
		// bot renews them while this process lives and frees them at its
		// restart, so a killed replica's mail goes out within seconds.
		sender, err := email.NewSender(email.SenderOptions{RelayURL: env.SMTPRelayURL, Outbox: db, Logger: log,
			Compose: svc.ComposeMailJob, GiveUp: svc.MailUndeliverable, Owner: owner, Lease: 8 * time.Second})
		if err != nil {
			m.stop()
			return nil, err
		}
		m.jobs = append(m.jobs, job{"mail-outbox", 2 * time.Second, func(ctx context.Context) (int, error) { return 0, sender.DeliverDue(ctx) }})
		// Mail this process queues goes out at once; the job above is the
		// fallback for other replicas' mail and for retries.
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); sender.OnKick(ctx) }()
		db.OnEnqueue(func(kinds []string) {
			if slices.ContainsFunc(kinds, func(k string) bool { return slices.Contains(email.OutboxKinds(), k) }) {
				sender.Kick()
			}
		})
		m.stops = append(m.stops, func() { db.OnEnqueue(nil); cancel(); <-done })
	}
	return m, nil
}

// limitMemory sets the soft memory limit that keeps the process within
// the bound the README states for mail (email.MemoryLimit), unless the
// operator set GOMEMLIMIT.
func limitMemory(cfg domain.EmailConfig, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := email.MemoryLimit(cfg.ParallelMails, int64(cfg.MaxMessageSize))
	debug.SetMemoryLimit(limit)
	log.Debug("smtp: soft memory limit set", "bytes", limit)
}

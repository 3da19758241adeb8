package email_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

var (
	t0    = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	agent = domain.Actor{UserID: "UAGENT", Name: "Ana", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	quiet = slog.New(slog.DiscardHandler)
)

// world is a service over a fresh database with mail in and out on for
// support@vendor.com, and a customer ACME at acme.com.
type world struct {
	db    *storage.DB
	svc   *commands.Service
	clock *storagetest.Clock
}

func newWorld(t testing.TB, dialect string, cfg *domain.Config) *world {
	t.Helper()
	clock := storagetest.NewClock(t0)
	db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))
	if cfg == nil {
		cfg = domain.DefaultConfig()
	}
	svc := commands.New(db, cfg, commands.Options{TriageChannel: "CTRIAGE", Logger: quiet,
		Mail: commands.MailOptions{Address: "support@vendor.com", Send: true}})
	svc.UseStandardHooks() // as serve runs it: automations and the SLA clock
	if _, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "ACME", Name: "Acme", ChannelID: "CACME", EmailDomains: "acme.com"}); err != nil {
		t.Fatal(err)
	}
	return &world{db: db, svc: svc, clock: clock}
}

func forEachDB(t *testing.T, cfg *domain.Config, fn func(t *testing.T, w *world)) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, newWorld(t, d, cfg)) })
	}
}

func (w *world) ticket(t testing.TB, key string) *domain.Ticket {
	t.Helper()
	tk, err := w.svc.Ticket(context.Background(), agent, key)
	if err != nil {
		t.Fatalf("ticket %s: %v", key, err)
	}
	return tk
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// logger shows the transports' logs with -v only.
func logger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

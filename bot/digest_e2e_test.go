package bot_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/scheduler"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A digest goes the whole way, as in production with two replicas: two
// `deskbot serve` (each a bot, a service and a scheduler running the
// digest job on its own database pool) on one PostgreSQL database and one
// Slack. When its slot comes, the digest is posted in its channel once,
// whichever replica queues and delivers it, and not again within the
// slot; the next week's slot posts the next one.
func TestDigestDeliveredOncePerSlotByTwoReplicas(t *testing.T) {
	url := storagetest.PostgresDatabase(t)
	dbClock := storagetest.NewClock(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)) // a Friday
	fc := clockwork.NewFakeClockAt(time.Date(2026, 11, 27, 14, 0, 0, 500_000_000, time.UTC))
	emu := slackemu.New(slackemu.Options{})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU"})
	emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: "CGLOBEX", Name: "globex-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: "CPARTNER", Name: "partner-lounge", IsExtShared: true}) // linked to no customer
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	runs := make(chan scheduler.Run, 64)
	var svcs []*commands.Service
	var dbs []*storage.DB
	for i := range 2 {
		db, err := storage.Open(ctx, url, storage.WithClock(dbClock.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet})
		svcs, dbs = append(svcs, svc), append(dbs, db)
		b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
			Outbox: db, Logger: quiet, OutboxPoll: 20 * time.Millisecond})
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("bot stopped with %v", err)
			}
		})
		sc, err := scheduler.New(scheduler.Options{Locker: db.NewLocker(), Clock: fc, Logger: quiet,
			Observe: func(r scheduler.Run) { runs <- r }})
		if err != nil {
			t.Fatal(err)
		}
		// As serve wires it: the job, then a kick of the outbox.
		if err := sc.Every("digests", time.Minute, func(ctx context.Context) error {
			n, err := svc.DueDigests(ctx)
			if n > 0 {
				b.Kick()
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		sc.Start()
		t.Cleanup(func() { _ = sc.Shutdown() })
	}
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := emu.WaitConnections(wctx, 2); err != nil {
		t.Fatal(err)
	}
	tick := func() {
		t.Helper()
		if err := fc.BlockUntilContext(wctx, 2); err != nil {
			t.Fatalf("schedulers not waiting: %v", err)
		}
		fc.Advance(time.Minute)
		for range 2 {
			select {
			case r := <-runs:
				if r.Err != nil && !r.Skipped {
					t.Fatalf("digest job failed: %v", r.Err)
				}
			case <-wctx.Done():
				t.Fatal("no digest run")
			}
		}
	}
	for range 2 { // the runs at start
		<-runs
	}

	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	for _, p := range []commands.CustomerInput{{Key: "ACME", Name: "Acme Corp", ChannelID: acmeChan}, {Key: "GLOBEX", Name: "Globex", ChannelID: "CGLOBEX"}} {
		if _, err := svcs[0].CreateCustomer(ctx, agent, p); err != nil {
			t.Fatal(err)
		}
		if _, err := svcs[0].CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: p.Key, Title: p.Name + " digest line", Source: domain.SourceSlash}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svcs[0].SaveView(ctx, agent, "Open work", "all", true); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[1].SetDigest(ctx, agent, "open work", "mon 09:00 UTC", acmeChan); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[0].SaveView(ctx, agent, "Everything", "all", false); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[0].SetDigest(ctx, agent, "everything", "mon 09:00 UTC", "CPARTNER"); err != nil {
		t.Fatal(err)
	}
	digests := func() []slackemu.Message {
		var out []slackemu.Message
		for _, m := range emu.Messages(acmeChan) {
			if strings.HasPrefix(m.Text, "Digest: Open work") {
				out = append(out, m)
			}
		}
		return out
	}
	settled := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := dbs[0].OutboxPending(ctx)
			if err == nil && n == 0 && len(digests()) >= want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("outbox not delivered: %d pending (%v), %d digests", n, err, len(digests()))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	tick() // Friday: nothing due
	settled(0)
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	dbClock.Set(monday.Add(10 * time.Second))
	tick()
	settled(1)
	dbClock.Set(monday.Add(70 * time.Second))
	tick() // the same slot, both replicas again
	settled(1)
	ds := digests()
	if len(ds) != 1 {
		t.Fatalf("%d digests in the slot, want 1", len(ds))
	}
	// Posted in ACME's channel, the view runs in ACME's scope.
	if body := ds[0].Text + string(ds[0].Blocks); !strings.Contains(body, "Acme Corp digest line") || strings.Contains(body, "Globex") {
		t.Errorf("digest: %s", body)
	}
	// A shared channel linked to no customer gets no digest: its owner is told.
	for _, m := range emu.Messages("CPARTNER") {
		t.Errorf("posted in a shared channel linked to no customer: %s", m.Text)
	}
	dm := "D" + strings.TrimLeft(agentID, "UW")
	told := false
	for _, m := range emu.Messages(dm) {
		told = told || strings.Contains(m.Text, "Everything") && strings.Contains(m.Text, "was not posted")
	}
	if !told {
		t.Error("the digest's owner was not told why it was not posted")
	}
	dbClock.Set(monday.Add(7*24*time.Hour + 30*time.Second))
	tick()
	settled(2)
	if n := len(digests()); n != 2 {
		t.Errorf("%d digests after the next Monday, want 2", n)
	}
}

package scheduler_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/scheduler"
	"github.com/deskbot/deskbot/storage"
)

// base is Friday 2026-11-27 14:00 UTC. Schedulers start half a second
// past a whole second and tick every second, so the whole seconds tests
// move the clock to are never on a tick: each move of a second or more
// fires exactly one tick per scheduler.
var base = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

const (
	scanEvery = time.Second
	half      = 500 * time.Millisecond
)

var (
	agent = domain.Actor{UserID: "UAGENT", Name: "Ana", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	quiet = slog.New(slog.DiscardHandler)
)

func slaConfig() *domain.Config {
	cfg := domain.DefaultConfig()
	cfg.SLA.OnCall = []string{"UONCALL"}
	cfg.SLA.EscalationChannel = "CESCALATE"
	return cfg
}

// node is one `deskbot serve`: a Service and a Scheduler scanning SLAs.
type node struct {
	svc  *commands.Service
	sc   *scheduler.Scheduler
	runs chan scheduler.Run
}

// cluster is the nodes sharing one fake clock.
type cluster struct {
	fc      *clockwork.FakeClock
	nodes   []*node
	noLocks bool // run PostgreSQL nodes without the advisory locks
}

func newCluster() *cluster { return &cluster{fc: clockwork.NewFakeClockAt(base)} }

// start runs a node on db and waits for its first scan, run at start.
// The clock must be half a second past a whole second.
func (c *cluster) start(t *testing.T, db *storage.DB) *node {
	t.Helper()
	n := &node{svc: commands.New(db, slaConfig(), commands.Options{Logger: quiet}), runs: make(chan scheduler.Run, 64)}
	n.svc.OnChange(n.svc.ApplySLA)
	locker := db.NewLocker()
	if c.noLocks {
		locker = nil
	}
	sc, err := scheduler.New(scheduler.Options{Locker: locker, Clock: c.fc, Logger: quiet,
		Observe: func(r scheduler.Run) { n.runs <- r }})
	if err != nil {
		t.Fatal(err)
	}
	n.sc = sc
	if err := sc.Every("sla-scan", scanEvery, func(ctx context.Context) error {
		_, err := n.svc.ScanSLA(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sc.Start()
	t.Cleanup(func() { _ = sc.Shutdown() })
	n.wait(t)
	c.nodes = append(c.nodes, n)
	return n
}

// stop shuts a node down, as when its process ends.
func (c *cluster) stop(t *testing.T, n *node) {
	t.Helper()
	if err := n.sc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	for i, m := range c.nodes {
		if m == n {
			c.nodes = append(c.nodes[:i], c.nodes[i+1:]...)
			break
		}
	}
}

// wait takes the next tick of the node; the timeout only guards a hang.
func (n *node) wait(t *testing.T) scheduler.Run {
	t.Helper()
	select {
	case r := <-n.runs:
		if r.Err != nil && !r.Skipped {
			t.Fatalf("scan failed: %v", r.Err)
		}
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("no tick within 20s")
		return scheduler.Run{}
	}
}

// advanceTo moves the clock to at (with no scheduler running, too) and
// waits for the tick of every running node; it returns how many skipped.
func (c *cluster) advanceTo(t *testing.T, at time.Time) (skipped int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.fc.BlockUntilContext(ctx, len(c.nodes)); err != nil {
		t.Fatalf("schedulers not waiting: %v", err)
	}
	c.fc.Advance(at.Sub(c.fc.Now()))
	for _, n := range c.nodes {
		if n.wait(t).Skipped {
			skipped++
		}
	}
	return skipped
}

// slaPosts lists the SLA posts in the outbox, in the order they were queued.
type slaPost struct {
	commands.PostJob
	ID int64
}

func slaPosts(t *testing.T, db *storage.DB) []slaPost {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT id, payload FROM outbox WHERE kind = 'slack.post' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []slaPost
	for rows.Next() {
		var p slaPost
		var payload string
		if err := rows.Scan(&p.ID, &payload); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(payload), &p.PostJob); err != nil {
			t.Fatal(err)
		}
		if p.Notice == commands.NoticeSLAWarning || p.Notice == commands.NoticeSLABreach || p.Notice == commands.NoticeSLASummary {
			out = append(out, p)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (p slaPost) where() string {
	switch {
	case p.InTicketThread:
		return "thread"
	case p.User != "":
		return "dm " + p.User
	}
	return "post " + p.Channel
}

// openShared opens the shared database as one more process would.
func openShared(t *testing.T, dbURL string, fc clockwork.Clock) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), dbURL, storage.WithClock(fc.Now), storage.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

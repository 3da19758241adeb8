package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Gold urgent (24x7): first response 15m, warned at 75% (11m15s);
// resolution 4h, warned at 3h (75%) and 3h30m (30m left).
var (
	frWarning = base.Add(11*time.Minute + 15*time.Second)
	frBreach  = base.Add(15 * time.Minute)
)

func goldTicket(t *testing.T, svc *commands.Service, assignee string) *domain.Ticket {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GOLD", SLAPolicy: "gold"}); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatal(err)
	}
	tk, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "GOLD", Title: "Down", Priority: "urgent", AssigneeID: assignee, Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// describe writes posts as "notice what → where", in queue order.
func describe(ps []slaPost) []string {
	var out []string
	for _, p := range ps {
		what := p.Args["target"] + ":" + p.Args["threshold"]
		if p.Notice == commands.NoticeSLASummary {
			what = p.Args["alerts"]
		}
		out = append(out, fmt.Sprintf("%s %s → %s", p.Notice, what, p.where()))
	}
	return out
}

func wantPosts(t *testing.T, db *storage.DB, want ...string) {
	t.Helper()
	if got := describe(slaPosts(t, db)); !slices.Equal(got, want) {
		t.Errorf("posts:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

var (
	warned = []string{"sla_warning first_response:75% → thread", "sla_warning first_response:75% → dm UAGENT"}
	breach = []string{"sla_breach first_response:breach → thread", "sla_breach first_response:breach → dm UAGENT",
		"sla_breach first_response:breach → post CESCALATE"}
)

func TestWarningThenBreachEachOnce(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			c := newCluster()
			db := storagetest.Open(t, d, storage.WithClock(c.fc.Now))
			if d == storage.SQLite && db.NewLocker() != nil {
				t.Fatal("SQLite runs single-node: no locker")
			}
			svc := commands.New(db, slaConfig(), commands.Options{Logger: quiet})
			svc.OnChange(svc.ApplySLA)
			goldTicket(t, svc, "UAGENT")
			c.advanceTo(t, base.Add(half))
			c.start(t, db)

			c.advanceTo(t, frWarning.Add(-time.Second))
			wantPosts(t, db)
			c.advanceTo(t, frWarning.Add(time.Second))
			wantPosts(t, db, warned...)
			c.advanceTo(t, frBreach.Add(-time.Second))
			wantPosts(t, db, warned...)
			c.advanceTo(t, frBreach.Add(time.Second))
			wantPosts(t, db, append(warned, breach...)...)
			c.advanceTo(t, frBreach.Add(2*time.Minute+5*time.Second))
			wantPosts(t, db, append(warned, breach...)...)
		})
	}
}

func TestRestartLosesNothingRepeatsNothing(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			c := newCluster()
			db := storagetest.Open(t, d, storage.WithClock(c.fc.Now))
			c.advanceTo(t, base.Add(half))
			first := c.start(t, db)
			goldTicket(t, first.svc, "UAGENT")
			c.advanceTo(t, frWarning.Add(time.Second))
			wantPosts(t, db, warned...)

			// The process stops between the warning and the breach, and a
			// new one starts: it repeats nothing at start, and breaches once.
			c.stop(t, first)
			c.advanceTo(t, frWarning.Add(time.Minute+10*time.Second+half))
			c.start(t, db)
			wantPosts(t, db, warned...)
			c.advanceTo(t, frBreach.Add(time.Second))
			c.advanceTo(t, frBreach.Add(time.Minute+time.Second))
			wantPosts(t, db, append(warned, breach...)...)
		})
	}
}

func TestCatchUpSendsOneSummary(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			c := newCluster()
			db := storagetest.Open(t, d, storage.WithClock(c.fc.Now))
			c.advanceTo(t, base.Add(half))
			first := c.start(t, db)
			goldTicket(t, first.svc, "")
			c.stop(t, first)

			// Down across the warning and the breach: one summary per
			// recipient when it comes back, then nothing more.
			c.advanceTo(t, frBreach.Add(20*time.Minute+10*time.Second+half))
			c.start(t, db)
			c.advanceTo(t, frBreach.Add(21*time.Minute+10*time.Second))
			s := "sla_summary first_response:75%;first_response:breach"
			wantPosts(t, db, s+" → thread", s+" → dm UONCALL", s+" → post CESCALATE")
			p := slaPosts(t, db)[0]
			if p.Args["count"] != "2" || p.Args["breach"] != "true" || p.Args["threshold"] != domain.ThresholdBreach || p.Args["overdue"] != "20m10s" {
				t.Errorf("summary args %v", p.Args)
			}
		})
	}
}

// Three `deskbot serve` on one PostgreSQL: each with its own pool,
// Service and Scheduler, ticking together on one clock. Every threshold
// of every ticket is alerted exactly once, in one set of posts: with the
// advisory locks, and without them too, since the alert's unique key and
// its transaction are what guarantee it (the locks save the work).
func TestThreeSchedulersAlertOnce(t *testing.T) {
	for _, locks := range []bool{true, false} {
		t.Run(fmt.Sprintf("locks=%v", locks), func(t *testing.T) { threeSchedulers(t, locks) })
	}
}

func threeSchedulers(t *testing.T, locks bool) {
	c := newCluster()
	c.noLocks = !locks
	dbURL := storagetest.PostgresDatabase(t)
	var dbs []*storage.DB
	for range 3 {
		dbs = append(dbs, openShared(t, dbURL, c.fc))
	}
	seed := commands.New(dbs[0], slaConfig(), commands.Options{Logger: quiet})
	seed.OnChange(seed.ApplySLA)
	const tickets = 12
	for i := range tickets {
		assignee := ""
		if i%2 == 0 {
			assignee = "UAGENT"
		}
		goldTicket(t, seed, assignee)
	}
	c.advanceTo(t, base.Add(half))
	for _, db := range dbs {
		c.start(t, db)
	}
	skipped := 0
	for _, at := range []time.Duration{5 * time.Minute, 11*time.Minute + 20*time.Second, 13 * time.Minute, 15*time.Minute + 5*time.Second,
		2 * time.Hour, 3*time.Hour + 10*time.Second, 3*time.Hour + 31*time.Minute, 4*time.Hour + 10*time.Second, 5 * time.Hour} {
		skipped += c.advanceTo(t, base.Add(at+time.Second))
	}
	t.Logf("%d of %d ticks skipped because another scheduler held the lock", skipped, 3*9)

	// Per ticket: first response 75% and breach; resolution 75%, 30m and breach.
	var alerts int
	if err := dbs[0].SQL().QueryRow(`SELECT COUNT(*) FROM sla_alerts`).Scan(&alerts); err != nil {
		t.Fatal(err)
	}
	if alerts != tickets*5 {
		t.Errorf("%d alerts recorded, want %d", alerts, tickets*5)
	}
	posts := slaPosts(t, dbs[0])
	seen := map[string]int{}
	for _, p := range posts {
		seen[fmt.Sprintf("%d %s %s:%s", p.TicketID, p.where(), p.Args["target"], p.Args["threshold"])]++
	}
	// Each notice goes to the thread and one DM, breaches to the channel too.
	if want := tickets * (5*2 + 2); len(posts) != want || len(seen) != want {
		t.Errorf("%d posts, %d distinct, want %d", len(posts), len(seen), want)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s posted %d times", k, n)
		}
	}
}

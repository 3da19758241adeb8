package commands_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestSavedViews(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.ticket(t, commands.TicketInput{Title: "Urgent one", Priority: "urgent", AssigneeID: agent.UserID})
		e.ticket(t, commands.TicketInput{Title: "Calm one", Priority: "low"})
		v, err := e.svc.SaveView(ctx, agent, " Acme  urgent ", "#acme !urgent mine", false)
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Acme urgent" || !strings.Contains(v.Query, "assignee:me") || !strings.Contains(v.Query, "status:new,open,in_progress,waiting") {
			t.Errorf("saved %+v", v)
		}
		if _, err := e.svc.SaveView(ctx, agent, "acme URGENT", "all", false); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("same name twice: %v", err)
		}
		if _, err := e.svc.SaveView(ctx, agent, "Bad", "status:opne", false); err == nil || !strings.Contains(domain.ErrorMessage(err), "did you mean `open`") {
			t.Errorf("bad query saved: %v", err)
		}
		if _, err := e.svc.SaveView(ctx, e.cust, "Mine", "all", true); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a customer shared a view: %v", err)
		}
		if _, err := e.svc.SaveView(ctx, agent2, "Team queue", "unassigned", true); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.RunView(ctx, agent, "acme urgent", 0, nil)
		if err != nil || r.Total != 1 || r.Tickets[0].Title != "Urgent one" || r.View.ID != v.ID {
			t.Fatalf("run: %v %+v", err, r)
		}
		// A shared view runs as whoever runs it.
		if r, err = e.svc.RunView(ctx, agent, "team queue", 0, nil); err != nil || r.Total != 1 || r.Tickets[0].Title != "Calm one" {
			t.Fatalf("shared run: %v %+v", err, r)
		}
		if _, err := e.svc.RunView(ctx, agent, "acme urgnt", 0, nil); err == nil || !strings.Contains(domain.ErrorMessage(err), `Did you mean "Acme urgent"?`) {
			t.Errorf("typo: %v", err)
		}
		if _, err := e.svc.PinView(ctx, agent, "team queue", true); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("pinned someone else's view: %v", err)
		}
		if v, err = e.svc.PinView(ctx, agent, "acme urgent", true); err != nil || !v.Pinned {
			t.Fatalf("pin: %v", err)
		}
		views, _ := e.svc.ListViews(ctx, agent)
		if len(views) != 2 || views[0].Name != "Acme urgent" || views[1].Name != "Team queue" {
			t.Errorf("list %v", views)
		}
		d, err := e.svc.Dashboard(ctx, agent, nil)
		if err != nil || len(d.Pinned) != 1 || d.Pinned[0].Total != 1 || d.Pinned[0].Group != "status" || d.Queue.Total != 1 {
			t.Errorf("dashboard %v %+v", err, d)
		}
		if err := e.svc.DeleteView(ctx, agent, "Acme urgent"); err != nil {
			t.Fatal(err)
		}
		if views, _ = e.svc.ListViews(ctx, agent); len(views) != 1 {
			t.Errorf("after delete: %v", views)
		}
	})
}

// Two services (as two `deskbot serve` replicas) on one PostgreSQL
// database, asked for digests together at every step of a fake clock:
// each slot is queued exactly once.
func TestDigestOncePerSlotAcrossReplicas(t *testing.T) {
	dbURL := storagetest.PostgresDatabase(t)
	clock := storagetest.NewClock(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)) // Friday
	var svcs []*commands.Service
	var first *storage.DB
	for i := 0; i < 2; i++ {
		db, err := storage.Open(context.Background(), dbURL, storage.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			first = db
		}
		svcs = append(svcs, commands.New(db, domain.DefaultConfig(), commands.Options{}))
	}
	ctx := context.Background()
	if _, err := svcs[0].CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[0].SaveView(ctx, agent, "Acme open", "#acme group:version", false); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[1].SetDigest(ctx, agent, "acme open", "mon 09:00 Europe/Paris", "COPS"); err != nil {
		t.Fatal(err)
	}
	both := func() int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 3 {
			for _, s := range svcs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := s.DueDigests(ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		return total
	}
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 in Paris
	for _, step := range []struct {
		at   time.Time
		want int
	}{
		{clock.Now(), 0},                               // last Monday's slot predates the schedule
		{monday.Add(-time.Second), 0},                  // not yet
		{monday, 1},                                    // the slot
		{monday.Add(30 * time.Second), 0},              // same slot
		{monday.Add(5 * time.Hour), 0},                 // still the same
		{monday.Add(7 * 24 * time.Hour), 1},            // next Monday
		{monday.Add(14*24*time.Hour + 7*time.Hour), 0}, // too late: missed, not sent hours after
	} {
		clock.Set(step.at)
		if got := both(); got != step.want {
			t.Errorf("at %s: %d digests queued, want %d", step.at.Format(time.RFC3339), got, step.want)
		}
	}
	rows, err := first.SQL().Query(`SELECT payload FROM outbox WHERE kind = $1 ORDER BY id`, domain.OutboxDigest)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var jobs []commands.DigestJob
	for rows.Next() {
		var p string
		var j commands.DigestJob
		if err := rows.Scan(&p); err != nil || json.Unmarshal([]byte(p), &j) != nil {
			t.Fatal(p, err)
		}
		jobs = append(jobs, j)
	}
	if len(jobs) != 2 || !jobs[0].Slot.Equal(monday) || jobs[0].Channel != "COPS" {
		t.Fatalf("jobs %+v", jobs)
	}
	r, err := svcs[1].Digest(ctx, jobs[0])
	if err != nil || r.View.Name != "Acme open" || r.Group != "version" || r.Loc.String() != "Europe/Paris" {
		t.Errorf("digest %v %+v", err, r)
	}
}

// A digest posted in a customer's channel is read in that customer's
// scope: an agent's view of every customer shows only theirs there.
func TestDigestInCustomerChannelIsScoped(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex", ChannelID: "CGLOBEX"}); err != nil {
			t.Fatal(err)
		}
		e.ticket(t, commands.TicketInput{Title: "Acme's own"})
		e.ticket(t, commands.TicketInput{CustomerKey: "GLOBEX", Title: "Globex secret"})
		if _, err := e.svc.SaveView(ctx, agent, "Everyone", "all", true); err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.SetDigest(ctx, agent, "everyone", "mon 09:00 UTC", "CACME")
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Digest(ctx, commands.DigestJob{ViewID: v.ID, Channel: "CACME"})
		if err != nil || r.Total != 1 || r.Tickets[0].Title != "Acme's own" {
			t.Fatalf("digest in ACME's channel: %v %+v", err, r)
		}
		// In an internal channel the same view shows everyone's.
		if v, err = e.svc.SetDigest(ctx, agent, "everyone", "mon 09:00 UTC", "COPS"); err != nil {
			t.Fatal(err)
		}
		if r, err = e.svc.Digest(ctx, commands.DigestJob{ViewID: v.ID, Channel: "COPS"}); err != nil || r.Total != 2 {
			t.Fatalf("digest in an internal channel: %v %+v", err, r)
		}
	})
}

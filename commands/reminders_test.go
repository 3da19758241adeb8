package commands_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

func TestRemindForgottenTimersOnce(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		res, err := e.svc.StartTimer(ctx, agent, tk.Key())
		if err != nil {
			t.Fatal(err)
		}
		remind := func(want int) {
			t.Helper()
			if n, err := e.svc.RemindForgottenTimers(ctx); err != nil || n != want {
				t.Errorf("at +%v: %d reminders, %v; want %d", e.clock.Now().Sub(t0), n, err, want)
			}
		}
		remind(0)
		e.clock.Advance(119 * time.Minute)
		remind(0)
		e.clock.Advance(time.Minute) // 2h: the default threshold
		remind(1)
		remind(0)
		e.clock.Advance(30 * time.Minute)
		remind(0)
		jobs := notices(t, e.db, commands.NoticeTimerForgotten)
		if len(jobs) != 1 {
			t.Fatalf("%d reminders queued, want 1", len(jobs))
		}
		want := map[string]string{"ticket": "ACME-1", "started": "2026-11-27T14:00:00Z", "running": "2h", "entry_id": "1"}
		for k, v := range want {
			if jobs[0].Args[k] != v {
				t.Errorf("arg %s = %q, want %q", k, jobs[0].Args[k], v)
			}
		}
		if jobs[0].User != agent.UserID || jobs[0].TicketID != tk.ID {
			t.Errorf("job %+v", jobs[0])
		}

		// Keep running: the next reminder comes one threshold later, once.
		next, err := e.svc.KeepRunning(ctx, agent, res.Started.ID)
		if err != nil || !next.Equal(e.clock.Now().Add(2*time.Hour)) {
			t.Fatalf("keep running: %v %v", next, err)
		}
		if _, err := e.svc.KeepRunning(ctx, agent2, res.Started.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("someone else's timer: %v", err)
		}
		e.clock.Advance(time.Hour)
		remind(0)
		e.clock.Advance(time.Hour)
		remind(1)
		e.clock.Advance(3 * time.Hour)
		remind(0)
		if jobs := notices(t, e.db, commands.NoticeTimerForgotten); len(jobs) != 2 || jobs[1].Args["running"] != "4h30" {
			t.Errorf("reminders %+v", jobs)
		}

		// Stop at… the real end, from the reminder's button.
		stopped, _, err := e.svc.StopTimerEntry(ctx, agent, res.Started.ID, t0.Add(3*time.Hour))
		if err != nil || stopped.Seconds != 3*3600 {
			t.Fatalf("stop at: %+v %v", stopped, err)
		}
		if _, _, err := e.svc.StopTimerEntry(ctx, agent, res.Started.ID, time.Time{}); !contains(domain.ErrorMessage(err), "already stopped") {
			t.Errorf("stop twice: %v", err)
		}
		if _, err := e.svc.KeepRunning(ctx, agent, res.Started.ID); !contains(domain.ErrorMessage(err), "already stopped") {
			t.Errorf("keep a stopped timer: %v", err)
		}
		e.clock.Advance(5 * time.Hour)
		remind(0)
	})
}

func TestStopTimerEntryChecks(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		res, err := e.svc.StartTimer(ctx, agent, tk.Key())
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(26 * time.Hour)
		for _, c := range []struct {
			actor domain.Actor
			at    time.Time
			msg   string
		}{
			{agent2, time.Time{}, "not your timer"},
			{agent, t0.Add(27 * time.Hour), "in the future"},
			{agent, t0.Add(-time.Minute), "before the timer started"},
			{agent, t0.Add(25 * time.Hour), "longer than a day"},
		} {
			if _, _, err := e.svc.StopTimerEntry(ctx, c.actor, res.Started.ID, c.at); !contains(domain.ErrorMessage(err), c.msg) {
				t.Errorf("%s at %v: %v, want %q", c.actor.UserID, c.at, err, c.msg)
			}
		}
		if stopped, _, err := e.svc.StopTimerEntry(ctx, agent, res.Started.ID, t0.Add(8*time.Hour)); err != nil || stopped.Seconds != 8*3600 {
			t.Errorf("stop: %+v %v", stopped, err)
		}
	})
}

func TestHardCapStopsTimers(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(leadConfig(func(c *domain.Config) { c.Time.HardCap = domain.Duration{Duration: 10 * time.Hour} }))
		tk := e.ticket(t, commands.TicketInput{})
		if _, err := e.svc.StartTimer(ctx, agent, tk.Key()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		if n, err := e.svc.RemindForgottenTimers(ctx); n != 1 || err != nil {
			t.Fatalf("reminder: %d %v", n, err)
		}
		e.clock.Advance(62 * time.Hour) // a weekend
		if n, err := e.svc.RemindForgottenTimers(ctx); n != 1 || err != nil {
			t.Fatalf("cap: %d %v", n, err)
		}
		es, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{UserID: agent.UserID})
		if len(es) != 1 || es[0].Running() || es[0].Seconds != 10*3600 || !es[0].EndedAt.Equal(t0.Add(10*time.Hour)) {
			t.Fatalf("capped entry %+v", es[0])
		}
		jobs := notices(t, e.db, commands.NoticeTimerCapped)
		if len(jobs) != 1 || jobs[0].Args["ended"] != "2026-11-28T00:00:00Z" || jobs[0].Args["duration"] != "10h" || jobs[0].Args["cap"] != "10h" {
			t.Errorf("cap notice %+v", jobs)
		}
		if hist := e.events(t, tk.Key()); hist[len(hist)-1].Kind != domain.EventTimerStopped || hist[len(hist)-1].Actor != "deskbot" {
			t.Errorf("history %+v", hist[len(hist)-1])
		}
		if n, _ := e.svc.RemindForgottenTimers(ctx); n != 0 {
			t.Errorf("a stopped timer was reminded again: %d", n)
		}
		if len(notices(t, e.db, commands.NoticeTimerForgotten)) != 1 {
			t.Errorf("forgotten notices")
		}
	})
}

// Two replicas scanning at the same moment send each reminder once.
func TestRemindersOnceAcrossReplicas(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		replica := commands.New(e.db, domain.DefaultConfig(), commands.Options{})
		tk := e.ticket(t, commands.TicketInput{})
		users := []domain.Actor{agent, agent2, lead}
		for _, u := range users {
			if _, err := e.svc.StartTimer(ctx, u, tk.Key()); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(3 * time.Hour)
		var wg sync.WaitGroup
		counts := make([]int, 4)
		for i := range counts {
			svc := e.svc
			if i%2 == 1 {
				svc = replica
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := svc.RemindForgottenTimers(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		total := 0
		for _, n := range counts {
			total += n
		}
		if jobs := notices(t, e.db, commands.NoticeTimerForgotten); total != len(users) || len(jobs) != len(users) {
			t.Errorf("%d reported, %d queued; want %d each", total, len(jobs), len(users))
		}
	})
}

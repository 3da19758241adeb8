package commands_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The built-in business calendar is open Mon-Fri 09:00-17:00 London, and
// t0 is Friday 14:00 there: 3 business hours are left that week.
var monday = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func scanRules(t *testing.T, e *env) int {
	t.Helper()
	n, err := e.svc.ScanAutomations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTimedAutomations(t *testing.T) {
	cfg := withRules(t, `
  - {name: nudge, on: no_customer_reply, after: 4h, then: [{note: Nudge them}]}
  - {name: stuck, on: idle, after: 24h, if: {priority: high}, then: [{dm: {to: UBOSS, text: Stuck}}]}
`, "remind_after: 16h", "remind_after: 0s", "close_after: 24h", "close_after: 0s")
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Priority: "high"})
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "Can you send the logs?", Public: true}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(t0.Add(6 * time.Hour)) // Friday 20:00: 3 business hours
		if n := scanRules(t, e); n != 0 {
			t.Errorf("fired after 3 business hours: %d", n)
		}
		e.clock.Set(t0.Add(24*time.Hour + time.Minute)) // Saturday: idle 24h, still 3 business hours
		if n := scanRules(t, e); n != 1 || !slices.Contains(drain(t, e).notices(), "automation → dm UBOSS") {
			t.Errorf("idle rule: %d", n)
		}
		e.clock.Set(t0.Add(48 * time.Hour)) // Sunday: the rule's own DM is no activity, and it fired for this stretch
		if n := scanRules(t, e); n != 0 {
			t.Errorf("idle rule fired twice for one stretch: %d", n)
		}
		e.clock.Set(monday.Add(90 * time.Minute)) // Monday 10:30: 4.5 business hours
		if n := scanRules(t, e); n != 1 {
			t.Errorf("no customer reply: %d", n)
		}
		if n := scanRules(t, e); n != 0 {
			t.Errorf("fired twice: %d", n)
		}
		if got := e.runs(t, tk.Key()); !slices.Equal(got, []string{"stuck: DM UBOSS", `nudge: note "Nudge them"`}) {
			t.Errorf("runs %v", got)
		}
		// The customer answers and the agent asks again: a new wait, a new nudge.
		e.svc.Comment(ctx, e.cust, tk.Key(), commands.CommentInput{Body: "here", Public: true})
		e.clock.Advance(time.Minute)
		e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "And the version?", Public: true})
		e.clock.Advance(3 * time.Hour)
		if n := scanRules(t, e); n != 0 {
			t.Errorf("nudged too early: %d", n)
		}
		e.clock.Advance(90 * time.Minute)
		if n := scanRules(t, e); n != 1 {
			t.Errorf("second nudge: %d", n)
		}
	})
}

func TestStaleTicketsChased(t *testing.T) {
	forEachRules(t, domain.DefaultConfig(), func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{RequesterEmail: "cy@acme.com"})
		quick := e.ticket(t, commands.TicketInput{})
		err := e.db.Update(ctx, func(tx domain.Tx) error {
			mailed, err := tx.Ticket(ctx, tk.ID)
			if err != nil {
				return err
			}
			mailed.EmailThread = "<abc@acme.com>"
			return tx.UpdateTicket(ctx, mailed)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{tk.Key(), quick.Key()} {
			if _, err := e.svc.ChangeStatus(ctx, agent, k, "waiting"); err != nil {
				t.Fatal(err)
			}
		}
		drain(t, e)
		// The customer of quick answers: it is back with the agents, not chased.
		e.svc.Comment(ctx, e.cust, quick.Key(), commands.CommentInput{Body: "Here you go", Public: true})
		// 16 business hours: Fri 3h + Mon 8h + Tue 5h, so Tuesday 14:00.
		tuesday := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
		e.clock.Set(tuesday.Add(-time.Minute))
		if n := scanRules(t, e); n != 0 {
			t.Errorf("reminded early: %d", n)
		}
		e.clock.Set(tuesday.Add(time.Minute))
		if n := scanRules(t, e); n != 1 {
			t.Errorf("reminders %d", n)
		}
		s := drain(t, e)
		if !slices.Equal(s.notices(), []string{"stale_reminder → thread"}) || s.posts[0].TicketID != tk.ID || s.posts[0].Args["close_after"] != "24h" {
			t.Errorf("reminder posts %+v", s.posts)
		}
		if len(s.mails) != 1 || s.mails[0].To != "cy@acme.com" || s.mails[0].InReplyTo != "<abc@acme.com>" || s.mails[0].Notice != commands.NoticeStaleReminder {
			t.Errorf("reminder mail %+v", s.mails)
		}
		if n := scanRules(t, e); n != 0 {
			t.Errorf("reminded twice: %d", n)
		}
		// 24 business hours after the reminder: Tue 3h + Wed 8h + Thu 8h + Fri 5h.
		friday := time.Date(2026, 12, 4, 14, 1, 0, 0, time.UTC)
		e.clock.Set(friday.Add(-time.Minute))
		if n := scanRules(t, e); n != 0 {
			t.Errorf("closed early: %d", n)
		}
		e.clock.Set(friday.Add(time.Minute))
		if n := scanRules(t, e); n != 1 {
			t.Errorf("closes %d", n)
		}
		if got := e.get(t, tk.Key()); got.Status != "closed" || got.ClosedAt == nil {
			t.Errorf("not closed: %s", got.Status)
		}
		if n := drain(t, e).notices(); !slices.Equal(n, []string{"stale_closed → thread"}) {
			t.Errorf("close notices %v", n)
		}
		if got := e.get(t, quick.Key()); got.Status != "open" {
			t.Errorf("the answered ticket moved: %s", got.Status)
		}
	})
}

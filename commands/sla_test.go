package commands_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// t0 is Friday 2026-11-27 14:00 UTC, which is 14:00 in London too (GMT):
// the built-in "business" calendar is open Mon-Fri 09:00-17:00 there.

// forEachSLA runs fn with the SLA hook on, on-call agents and an
// escalation channel configured, and a gold customer.
func forEachSLA(t *testing.T, fn func(t *testing.T, e *env, gold *domain.Customer)) {
	forEach(t, func(t *testing.T, e *env) {
		cfg := domain.DefaultConfig()
		cfg.SLA.OnCall = []string{"UONCALL1", "UONCALL2"}
		cfg.SLA.EscalationChannel = "CESCALATE"
		e.svc.SetConfig(cfg)
		e.svc.OnChange(e.svc.ApplySLA)
		gold, err := e.svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "GOLD", SLAPolicy: "gold", ChannelID: "CGOLD"})
		if err != nil {
			t.Fatal(err)
		}
		fn(t, e, gold)
	})
}

// posts takes the Slack posts queued since the last call, written as
// "notice target:threshold → where", sorted.
func posts(t *testing.T, e *env) []string {
	t.Helper()
	ctx := context.Background()
	msgs, err := e.db.ClaimOutbox(ctx, "", []string{domain.OutboxSlackPost}, 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		var j commands.PostJob
		if err := json.Unmarshal([]byte(m.Payload), &j); err != nil {
			t.Fatal(err)
		}
		if err := e.db.OutboxDelivered(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(j.Notice, "sla_") {
			continue
		}
		what := j.Args["target"] + ":" + j.Args["threshold"]
		if j.Notice == commands.NoticeSLASummary {
			what = j.Args["alerts"]
		}
		where := "thread"
		switch {
		case j.User != "":
			where = "dm " + j.User
		case j.Channel != "":
			where = "post " + j.Channel
		}
		out = append(out, j.Notice+" "+what+" → "+where)
	}
	slices.Sort(out)
	return out
}

func scan(t *testing.T, e *env) int {
	t.Helper()
	n, err := e.svc.ScanSLA(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func dueAt(t *testing.T, e *env, key string) *time.Time {
	t.Helper()
	tk, err := e.svc.Ticket(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk.SLADueAt
}

func wantDue(t *testing.T, e *env, key string, want time.Time) {
	t.Helper()
	if got := dueAt(t, e, key); got == nil || !got.Equal(want) {
		t.Errorf("%s: sla_due_at %v, want %v", key, got, want)
	}
}

func wantPosts(t *testing.T, e *env, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := posts(t, e); !slices.Equal(got, want) {
		t.Errorf("posts:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestSLADeadlineSetAtCreation(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		// gold is 24x7, urgent first response 15m: the 75% warning comes
		// first (a 30m warning cannot apply to a 15m target).
		tk := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "urgent"})
		if tk.SLAPolicy != "gold" {
			t.Errorf("policy %q, want the customer's", tk.SLAPolicy)
		}
		wantDue(t, e, tk.Key(), t0.Add(11*time.Minute+15*time.Second))

		// ACME names no policy: the default (standard, business hours,
		// normal first response 8h) applies. Friday 14:00-17:00 uses 3h;
		// 75% (6h) is reached Monday at 12:00.
		tk = e.ticket(t, commands.TicketInput{Priority: "normal"})
		got, err := e.svc.Ticket(context.Background(), agent, tk.Key())
		if err != nil || got.SLAPolicy != "standard" {
			t.Fatalf("policy %q %v", got.SLAPolicy, err)
		}
		wantDue(t, e, tk.Key(), time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	})
}

func TestSLAWarningThenBreachOnce(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		assigned := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "urgent", AssigneeID: "UAGENT2"})
		nobody := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "urgent"})
		posts(t, e)
		if n := scan(t, e); n != 0 {
			t.Fatalf("alerted %d before anything was due", n)
		}

		e.clock.Set(t0.Add(11*time.Minute + 15*time.Second))
		if n := scan(t, e); n != 2 {
			t.Fatalf("alerted %d, want the 75%% warning of both tickets", n)
		}
		wantPosts(t, e,
			"sla_warning first_response:75% → thread", "sla_warning first_response:75% → dm UAGENT2",
			"sla_warning first_response:75% → thread", "sla_warning first_response:75% → dm UONCALL1",
			"sla_warning first_response:75% → dm UONCALL2")
		if n := scan(t, e); n != 0 {
			t.Fatalf("alerted %d again", n)
		}
		wantDue(t, e, assigned.Key(), t0.Add(15*time.Minute))

		e.clock.Set(t0.Add(15 * time.Minute))
		if n := scan(t, e); n != 2 {
			t.Fatalf("alerted %d, want both breaches", n)
		}
		wantPosts(t, e,
			"sla_breach first_response:breach → thread", "sla_breach first_response:breach → dm UAGENT2",
			"sla_breach first_response:breach → post CESCALATE",
			"sla_breach first_response:breach → thread", "sla_breach first_response:breach → dm UONCALL1",
			"sla_breach first_response:breach → dm UONCALL2", "sla_breach first_response:breach → post CESCALATE")
		e.clock.Advance(time.Minute)
		if n := scan(t, e); n != 0 {
			t.Fatalf("alerted %d again", n)
		}
		// Next: the resolution's 75% warning, 3h into the 4h target.
		wantDue(t, e, nobody.Key(), t0.Add(3*time.Hour))
	})
}

func TestSLAPausesWhileWaiting(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		ctx := context.Background()
		// gold normal: first response 4h, resolution 24h, next response 4h.
		tk := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "normal"})
		e.clock.Set(t0.Add(time.Hour))
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "Looking", Public: true}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, e, tk.Key(), t0.Add(18*time.Hour)) // resolution 75%

		e.clock.Set(t0.Add(2 * time.Hour))
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "waiting"); err != nil {
			t.Fatal(err)
		}
		if due := dueAt(t, e, tk.Key()); due != nil {
			t.Errorf("paused ticket still due at %v", due)
		}
		v, err := e.svc.SLAState(ctx, agent, tk.Key())
		if err != nil || v.Status != sla.Paused || v.Target != domain.TargetResolution {
			t.Fatalf("view %+v %v", v, err)
		}

		// The customer answers 8h later: the ticket reopens, resolution
		// resumes with 2h used (75% at 18h used: +16h), and the customer's
		// message starts a next-response clock (75% of 4h: +3h).
		e.clock.Set(t0.Add(10 * time.Hour))
		cust := e.cust
		cust.CustomerID = gold.ID
		if _, err := e.svc.Comment(ctx, cust, tk.Key(), commands.CommentInput{Body: "Here are the logs", Public: true}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, e, tk.Key(), t0.Add(13*time.Hour))
		v, err = e.svc.SLAState(ctx, agent, tk.Key())
		if err != nil {
			t.Fatal(err)
		}
		res := v.Clocks[1]
		if res.Target != domain.TargetResolution || res.Used != 2*time.Hour || !res.Due.Equal(t0.Add(32*time.Hour)) {
			t.Errorf("resolution clock %+v", res.Clock)
		}
		var paused time.Duration
		for _, s := range res.Explain {
			if s.Kind == sla.SegmentPaused {
				paused += s.To.Sub(s.From)
			}
		}
		if paused != 8*time.Hour {
			t.Errorf("explained %v paused, want 8h: %+v", paused, res.Explain)
		}
		if v.Status != sla.OnTrack || v.Target != domain.TargetNextResponse || v.Left != 4*time.Hour {
			t.Errorf("headline %v %s %v", v.Status, v.Target, v.Left)
		}
	})
}

func TestSLAPriorityRaiseRecomputes(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "low"})
		wantDue(t, e, tk.Key(), t0.Add(6*time.Hour)) // 75% of 8h

		// Two hours in, urgent's 15m first response is long gone: both
		// its thresholds passed, and one summary says so.
		e.clock.Set(t0.Add(2 * time.Hour))
		if _, err := e.svc.SetPriority(ctx, agent, tk.Key(), "urgent"); err != nil {
			t.Fatal(err)
		}
		wantDue(t, e, tk.Key(), t0.Add(11*time.Minute+15*time.Second))
		if n := scan(t, e); n != 2 {
			t.Fatalf("alerted %d", n)
		}
		summary := "sla_summary first_response:75%;first_response:breach"
		wantPosts(t, e, summary+" → thread", summary+" → dm UONCALL1", summary+" → dm UONCALL2", summary+" → post CESCALATE")
		wantDue(t, e, tk.Key(), t0.Add(3*time.Hour)) // resolution 75% of 4h

		v, err := e.svc.SLAState(ctx, agent, tk.Key())
		if err != nil || v.Status != sla.Breached || v.Target != domain.TargetFirstResponse || v.Priority != "urgent" || len(v.Alerts) != 2 {
			t.Fatalf("view %+v %v", v, err)
		}
		es := e.events(t, tk.Key())
		if last := es[len(es)-1]; last.Kind != domain.EventPriority || last.OldValue != "low" || last.NewValue != "urgent" {
			t.Errorf("event %+v", last)
		}
	})
}

func TestSLAResolveStopsReopenResumes(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "high"}) // 1h / 8h
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "On it", Public: true}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(t0.Add(time.Hour))
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "resolved"); err != nil {
			t.Fatal(err)
		}
		if due := dueAt(t, e, tk.Key()); due != nil {
			t.Errorf("resolved ticket due at %v", due)
		}
		e.clock.Set(t0.Add(5 * time.Hour))
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "open"); err != nil {
			t.Fatal(err)
		}
		wantDue(t, e, tk.Key(), t0.Add(10*time.Hour)) // 75% = 6h: 1h used, 5h more from +5h
	})
}

// A customer's answer to a resolved ticket reopens it: the resolution
// clock resumes with the time used before it was resolved.
func TestSLACustomerAnswerReopensResolved(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "high"}) // 1h / 8h / next 2h
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "On it", Public: true}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(t0.Add(time.Hour))
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "resolved"); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(t0.Add(5 * time.Hour))
		cust := e.cust
		cust.CustomerID = gold.ID
		if _, err := e.svc.Comment(ctx, cust, tk.Key(), commands.CommentInput{Body: "Still broken", Public: true}); err != nil {
			t.Fatal(err)
		}
		if st := e.ticketOf(t, tk.Key()).Status; st != "open" {
			t.Fatalf("status %s", st)
		}
		// Next response: 75% of 2h from the answer comes first.
		wantDue(t, e, tk.Key(), t0.Add(6*time.Hour+30*time.Minute))
		v, err := e.svc.SLAState(ctx, agent, tk.Key())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(v.Clocks, func(c commands.SLAClock) bool { return c.Target == domain.TargetResolution })
		if i < 0 {
			t.Fatalf("no resolution clock: %+v", v.Clocks)
		}
		res := v.Clocks[i]
		if res.Status != sla.OnTrack || res.Used != time.Hour || !res.Due.Equal(t0.Add(12*time.Hour)) {
			t.Errorf("resolution clock %+v", res.Clock)
		}
	})
}

func TestSetPriorityRules(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		if _, err := e.svc.SetPriority(ctx, e.cust, tk.Key(), "urgent"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer: %v", err)
		}
		if _, err := e.svc.SetPriority(ctx, agent, tk.Key(), "urgnet"); domain.ErrorField(err) != "priority" || !contains(domain.ErrorMessage(err), `"urgent"`) {
			t.Errorf("typo: %v", err)
		}
		n := len(e.events(t, tk.Key()))
		if _, err := e.svc.SetPriority(ctx, agent, tk.Key(), tk.Priority); err != nil || len(e.events(t, tk.Key())) != n {
			t.Errorf("same priority must change nothing: %v", err)
		}
	})
}

func TestSLAReport(t *testing.T) {
	forEachSLA(t, func(t *testing.T, e *env, gold *domain.Customer) {
		ctx := context.Background()
		reply := func(key string, at time.Duration) {
			e.clock.Set(t0.Add(at))
			if _, err := e.svc.Comment(ctx, agent, key, commands.CommentInput{Body: "Hi", Public: true}); err != nil {
				t.Fatal(err)
			}
		}
		inTime := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "urgent"})
		late := e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "urgent"})
		e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "urgent"}) // unanswered
		e.ticket(t, commands.TicketInput{CustomerKey: "GOLD", Priority: "low"})
		e.ticket(t, commands.TicketInput{Priority: "high"}) // ACME
		reply(inTime.Key(), 10*time.Minute)
		reply(late.Key(), 20*time.Minute)
		e.clock.Set(t0.Add(time.Hour))

		r, err := e.svc.SLAReport(ctx, agent, "gold", t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 2 || r.Rows[0].Priority != "urgent" || r.Rows[1].Priority != "low" {
			t.Fatalf("rows %+v", r.Rows)
		}
		u := r.Rows[0]
		want := commands.SLACompliance{Met: 1, Breached: 2, Open: 0} // unanswered for 1h: breached
		if u.Tickets != 3 || u.FirstResponse != want || u.Replied != 2 || u.MedianFirstResponse != 15*time.Minute {
			t.Errorf("urgent row %+v", u)
		}
		if rate, ok := u.FirstResponse.Rate(); !ok || rate < 0.33 || rate > 0.34 {
			t.Errorf("rate %v %v", rate, ok)
		}
		all, err := e.svc.SLAReport(ctx, agent, "", t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil || all.Total.Tickets != 5 || len(all.Rows) != 3 || all.Rows[0].CustomerKey != "ACME" {
			t.Errorf("all customers: %+v %v", all, err)
		}
		// "today" is the store's day in the reader's zone: 15:00 UTC is
		// already tomorrow in Tokyo, and these were opened yesterday there.
		if today, err := e.svc.SLAReportPeriod(ctx, agent, "", "today", time.UTC); err != nil || today.Total.Tickets != 5 || today.Label != "2026-11-27" {
			t.Errorf("today: %+v %v", today, err)
		}
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		if today, err := e.svc.SLAReportPeriod(ctx, agent, "", "today", tokyo); err != nil || today.Total.Tickets != 0 || today.Label != "2026-11-28" {
			t.Errorf("today in Tokyo: %+v %v", today, err)
		}
		if y, err := e.svc.SLAReportPeriod(ctx, agent, "", "yesterday", tokyo); err != nil || y.Total.Tickets != 5 {
			t.Errorf("yesterday in Tokyo: %+v %v", y, err)
		}
		if _, err := e.svc.SLAReportPeriod(ctx, agent, "", "someday", time.UTC); domain.ErrorField(err) != "period" {
			t.Errorf("bad period: %v", err)
		}
		if _, err := e.svc.SLAReport(ctx, e.cust, "", t0, t0.Add(time.Hour)); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer: %v", err)
		}
		if _, err := e.svc.SLAReport(ctx, agent, "NOPE", t0, t0.Add(time.Hour)); domain.ErrorField(err) != "customer" {
			t.Errorf("unknown customer: %v", err)
		}
	})
}

// With the standard hooks, a fresh ticket is inserted with its SLA clock
// started instead of ApplySLA writing it after the insert; what is stored
// is the same either way: the customer's policy (else the default) and
// the same due time.
func TestFreshTicketStartsItsSLAAtInsert(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		hooked := commands.New(e.db, domain.DefaultConfig(), commands.Options{TriageChannel: "CTRIAGE"})
		hooked.OnChange(hooked.ApplySLA)
		standard := commands.New(e.db, domain.DefaultConfig(), commands.Options{TriageChannel: "CTRIAGE"})
		standard.UseStandardHooks()
		if _, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GOLD", SLAPolicy: "gold"}); err != nil {
			t.Fatal(err)
		}
		odd, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ODD"})
		if err != nil {
			t.Fatal(err)
		}
		odd.SLAPolicy = "retired" // a policy since removed from the config
		if err := e.db.Update(ctx, func(tx domain.Tx) error { return tx.UpdateCustomer(ctx, odd) }); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"GOLD", "ODD", "ACME"} {
			for _, prio := range []string{"low", "urgent"} {
				in := commands.TicketInput{CustomerKey: key, Title: "Down " + prio, Priority: prio, Source: domain.SourceSlash}
				old, err := hooked.CreateTicket(ctx, agent, in)
				if err != nil {
					t.Fatal(err)
				}
				fresh, err := standard.CreateTicket(ctx, agent, in)
				if err != nil {
					t.Fatal(err)
				}
				a, b := e.stored(t, old.ID), e.stored(t, fresh.ID)
				if b.SLADueAt == nil || a.SLADueAt == nil || !a.SLADueAt.Equal(*b.SLADueAt) || a.SLAPolicy != b.SLAPolicy {
					t.Errorf("%s %s: stored %s due %v at insert, want %s due %v as after it", key, prio, b.SLAPolicy, b.SLADueAt, a.SLAPolicy, a.SLADueAt)
				}
				if !fresh.SLADueAt.Equal(*b.SLADueAt) || fresh.SLAPolicy != b.SLAPolicy {
					t.Errorf("%s %s: returned %s due %v, stored %s due %v", key, prio, fresh.SLAPolicy, fresh.SLADueAt, b.SLAPolicy, b.SLADueAt)
				}
			}
		}
	})
}

func (e *env) stored(t *testing.T, id int64) *domain.Ticket {
	t.Helper()
	var tk *domain.Ticket
	err := e.db.View(context.Background(), func(tx domain.Tx) (err error) {
		tk, err = tx.Ticket(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

package commands_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

var (
	t0       = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	agent    = domain.Actor{UserID: "UAGENT", Name: "Ana", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	agent2   = domain.Actor{UserID: "UAGENT2", Name: "Bo", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	outsider = domain.Actor{UserID: "UCUST", Name: "Cy", Role: domain.RoleCustomer, Channel: domain.ChannelSlack}
)

type env struct {
	svc   *commands.Service
	db    *storage.DB
	clock *storagetest.Clock
	acme  *domain.Customer
	cust  domain.Actor // a customer of ACME
}

// forEach runs fn on a fresh service over each database.
func forEach(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(t0)
			db := storagetest.Open(t, d, storage.WithClock(clock.Now))
			svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: "CTRIAGE"})
			acme, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "acme", Name: "Acme", ChannelID: "CACME", CurrentVersion: "4.2.1", EmailDomains: "acme.com"})
			if err != nil {
				t.Fatal(err)
			}
			cust := outsider
			cust.CustomerID = acme.ID
			fn(t, &env{svc: svc, db: db, clock: clock, acme: acme, cust: cust})
		})
	}
}

func (e *env) ticket(t *testing.T, in commands.TicketInput) *domain.Ticket {
	t.Helper()
	if in.CustomerKey == "" {
		in.CustomerKey = "ACME"
	}
	if in.Source == "" {
		in.Source = domain.SourceSlash
	}
	if in.Title == "" {
		in.Title = "Login fails"
	}
	tk, err := e.svc.CreateTicket(context.Background(), agent, in)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) events(t *testing.T, key string) []*domain.Event {
	t.Helper()
	_, es, err := e.svc.History(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestCreateTicket(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Title: "  Login   fails ", Type: "bug", Priority: "high", Fields: map[string]string{"environment": "Production"}})
		if tk.Key() != "ACME-1" || tk.Title != "Login fails" || tk.Status != "new" || tk.SlackChannel != "CACME" {
			t.Errorf("ticket %+v", tk)
		}
		if tk.Version != "4.2.1" || tk.Fields["version"] != "4.2.1" || tk.Fields["environment"] != "production" {
			t.Errorf("version must default to the customer's: %q %v", tk.Version, tk.Fields)
		}
		if tk.RequesterID != agent.UserID || tk.CreatedBy != agent.UserID {
			t.Errorf("requester %q creator %q", tk.RequesterID, tk.CreatedBy)
		}
		es := e.events(t, "ACME-1")
		if len(es) != 1 || es[0].Kind != domain.EventCreated || es[0].Actor != "UAGENT" || es[0].Channel != "slack" {
			t.Errorf("events %+v", es)
		}
		// A question has no version field: nothing is defaulted.
		q := e.ticket(t, commands.TicketInput{Type: "question"})
		if q.Version != "" || q.Priority != "normal" {
			t.Errorf("question: version %q priority %q", q.Version, q.Priority)
		}
		// An incident defaults to the type's priority.
		if inc := e.ticket(t, commands.TicketInput{Type: "incident"}); inc.Priority != "high" {
			t.Errorf("incident priority %q", inc.Priority)
		}
		if n, _ := e.db.OutboxPending(ctx); n != 3 {
			t.Errorf("%d outbox messages, want one card per ticket", n)
		}
	})
}

func TestCreateTicketInvalid(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		long := make([]byte, 201)
		for i := range long {
			long[i] = 'x'
		}
		for _, c := range []struct {
			name  string
			actor domain.Actor
			in    commands.TicketInput
			code  string
			field string
			msg   string
		}{
			{"no title", agent, commands.TicketInput{CustomerKey: "ACME", Title: " ", Source: "slash"}, domain.EINVALID, "title", "A ticket needs a title."},
			{"long title", agent, commands.TicketInput{CustomerKey: "ACME", Title: string(long), Source: "slash"}, domain.EINVALID, "title", "The title is 201 characters long"},
			{"bad type", agent, commands.TicketInput{CustomerKey: "ACME", Title: "x", Type: "bgu", Source: "slash"}, domain.EINVALID, "type", `There is no type "bgu". Did you mean "bug"?`},
			{"bad priority", agent, commands.TicketInput{CustomerKey: "ACME", Title: "x", Priority: "asap", Source: "slash"}, domain.EINVALID, "priority", "Choose one of: low, normal, high, urgent."},
			{"bad version", agent, commands.TicketInput{CustomerKey: "ACME", Title: "x", Type: "bug", Version: "latest", Source: "slash"}, domain.EINVALID, "version", `Version "latest" is not a version like 4.2.1.`},
			{"field of another type", agent, commands.TicketInput{CustomerKey: "ACME", Title: "x", Type: "question", Fields: map[string]string{"component": "ui"}, Source: "slash"}, domain.EINVALID, "component", `A Question has no field "component"`},
			{"unknown customer", agent, commands.TicketInput{CustomerKey: "NOPE", Title: "x", Source: "slash"}, domain.EINVALID, "customer", "there is no customer NOPE"},
			{"customer assigns", e.cust, commands.TicketInput{Title: "x", AssigneeID: "UAGENT", Source: "slash"}, domain.EFORBIDDEN, "", "Only support agents can assign tickets."},
		} {
			_, err := e.svc.CreateTicket(ctx, c.actor, c.in)
			if domain.ErrorCode(err) != c.code || domain.ErrorField(err) != c.field || !contains(domain.ErrorMessage(err), c.msg) {
				t.Errorf("%s: got %v (field %q), want %s %q on %q", c.name, err, domain.ErrorField(err), c.code, c.msg, c.field)
			}
		}
		if n, _ := e.db.OutboxPending(ctx); n != 0 {
			t.Errorf("refused tickets left %d outbox rows", n)
		}
	})
}

func TestCustomerSeesOnlyTheirCompany(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		globex, _ := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX"})
		other := e.ticket(t, commands.TicketInput{CustomerKey: globex.Key})
		mine, err := e.svc.CreateTicket(ctx, e.cust, commands.TicketInput{Title: "Printer on fire", Source: domain.SourceChannel, ChannelID: "CACME"})
		if err != nil || mine.CustomerID != e.acme.ID || mine.RequesterID != "UCUST" {
			t.Fatalf("customer ticket: %+v %v", mine, err)
		}
		if _, err := e.svc.Ticket(ctx, e.cust, other.Key()); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("a customer read another customer's ticket: %v", err)
		}
		if _, err := e.svc.Assign(ctx, e.cust, mine.Key(), "UCUST"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer assigned: %v", err)
		}
		if _, err := e.svc.StartTimer(ctx, e.cust, mine.Key()); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer started a timer: %v", err)
		}
		if _, err := e.svc.ChangeStatus(ctx, e.cust, mine.Key(), "in_progress"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer moved to in progress: %v", err)
		}
		if _, err := e.svc.ChangeStatus(ctx, e.cust, mine.Key(), "closed"); err != nil {
			t.Errorf("customer may close their own ticket: %v", err)
		}
		list, total, err := e.svc.ListTickets(ctx, e.cust, domain.TicketFilter{})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != mine.ID {
			t.Errorf("customer list: %d %v", total, err)
		}
	})
}

func TestForbiddenMoveLeavesNoEvent(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Type: "bug"})
		before, _ := e.db.OutboxPending(ctx)
		_, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "resolved")
		if domain.ErrorCode(err) != domain.EINVALID || !contains(domain.ErrorMessage(err), "cannot go from New to Resolved") {
			t.Fatalf("got %v", err)
		}
		if es := e.events(t, tk.Key()); len(es) != 1 {
			t.Errorf("a refused move wrote events: %+v", es)
		}
		if after, _ := e.db.OutboxPending(ctx); after != before {
			t.Errorf("a refused move queued outbox work")
		}
		got, _ := e.svc.Ticket(ctx, agent, tk.Key())
		if got.Status != "new" {
			t.Errorf("status changed to %s", got.Status)
		}
	})
}

func TestStatusLifecycle(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		for _, step := range []struct {
			to       string
			resolved bool
		}{{"open", false}, {"waiting", false}, {"resolved", true}, {"open", false}, {"closed", true}} {
			e.clock.Advance(time.Minute)
			got, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), step.to)
			if err != nil {
				t.Fatalf("→%s: %v", step.to, err)
			}
			if (got.ResolvedAt != nil) != step.resolved {
				t.Errorf("→%s: resolved_at %v", step.to, got.ResolvedAt)
			}
		}
		got, _ := e.svc.Ticket(ctx, agent, tk.Key())
		if got.ClosedAt == nil || !got.ClosedAt.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("closed at %v", got.ClosedAt)
		}
		es := e.events(t, tk.Key())
		if len(es) != 6 || es[5].OldValue != "open" || es[5].NewValue != "closed" {
			t.Errorf("events %+v", es)
		}
	})
}

func TestCommentsAndFirstResponse(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk, err := e.svc.CreateTicket(ctx, e.cust, commands.TicketInput{Title: "Help", Source: domain.SourceChannel})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(10 * time.Minute)
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "looking", Public: false, SourceRef: "1"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Ticket(ctx, agent, tk.Key()); got.FirstResponseAt != nil {
			t.Error("an internal note is not a first response")
		}
		e.clock.Advance(5 * time.Minute)
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "Fixed?", Public: true, SourceRef: "2"}); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Ticket(ctx, agent, tk.Key())
		if got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(t0.Add(15*time.Minute)) {
			t.Errorf("first response %v", got.FirstResponseAt)
		}
		// The same Slack message twice is one comment.
		_, err = e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "Fixed?", Public: true, SourceRef: "2"})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("duplicate source: %v", err)
		}
		if _, err := e.svc.Comment(ctx, e.cust, tk.Key(), commands.CommentInput{Body: "secret", Public: false}); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer internal note: %v", err)
		}
		// A customer answering a ticket that waits on them puts it back to open.
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "waiting"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Comment(ctx, e.cust, tk.Key(), commands.CommentInput{Body: "Still broken", Public: true, SourceRef: "3"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Ticket(ctx, agent, tk.Key()); got.Status != "open" {
			t.Errorf("after the customer's answer: %s", got.Status)
		}
		if c, err := e.svc.EditComment(ctx, agent, tk.ID, "3", "Still broken on 4.2.1", false); err != nil || c.Body != "Still broken on 4.2.1" {
			t.Errorf("edit: %+v %v", c, err)
		}
		if c, err := e.svc.EditComment(ctx, agent, tk.ID, "unknown", "x", false); c != nil || err != nil {
			t.Errorf("edit of a non-comment: %+v %v", c, err)
		}
		cs, _, _ := e.svc.History(ctx, e.cust, tk.Key())
		if len(cs) != 2 {
			t.Errorf("the customer sees %d comments, want the 2 public ones", len(cs))
		}
	})
}

func TestDedup(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		in := commands.TicketInput{CustomerKey: "ACME", Title: "From reaction", Source: domain.SourceReaction, DedupID: "reaction:C1:1.2"}
		first, err := e.svc.CreateTicket(ctx, agent, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.CreateTicket(ctx, agent, in)
		if !commands.IsDuplicate(err) || again == nil || again.ID != first.ID {
			t.Fatalf("redelivery: %+v %v", again, err)
		}
		if _, total, _ := e.svc.ListTickets(ctx, agent, domain.TicketFilter{}); total != 1 {
			t.Errorf("%d tickets", total)
		}
	})
}

func TestTimers(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		res, err := e.svc.StartTimer(ctx, agent, a.Key())
		if err != nil || res.Stopped != nil {
			t.Fatalf("start: %+v %v", res, err)
		}
		if _, err := e.svc.StartTimer(ctx, agent, a.Key()); !contains(domain.ErrorMessage(err), "already running on ACME-1") {
			t.Errorf("restart on the same ticket: %v", err)
		}
		e.clock.Advance(25 * time.Minute)
		res, err = e.svc.StartTimer(ctx, agent, b.Key())
		if err != nil || res.Stopped == nil || res.Stopped.Seconds != 1500 || res.StoppedTicket.Key() != "ACME-1" {
			t.Fatalf("switch: %+v %v", res, err)
		}
		e.clock.Advance(time.Hour)
		if _, _, err := e.svc.StopTimerAt(ctx, agent, t0.Add(2*time.Hour)); domain.ErrorField(err) != "end" {
			t.Errorf("stop in the future: %v", err)
		}
		stopped, tk, err := e.svc.StopTimerAt(ctx, agent, t0.Add(55*time.Minute))
		if err != nil || stopped.Seconds != 1800 || tk.Key() != "ACME-2" {
			t.Fatalf("stop at: %+v %v", stopped, err)
		}
		if _, _, err := e.svc.StopTimer(ctx, agent); domain.ErrorMessage(err) != "You have no timer running." {
			t.Errorf("stop without timer: %v", err)
		}
		es := e.events(t, "ACME-1")
		if es[len(es)-1].Kind != domain.EventTimerStopped || es[len(es)-1].NewValue != "25m" {
			t.Errorf("events %+v", es[len(es)-1])
		}
	})
}

func TestConcurrentStartsLeaveOneTimer(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, key := range []string{a.Key(), b.Key()} {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = e.svc.StartTimer(ctx, agent, key) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("start: %v", err)
			}
		}
		running := true
		entries, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{UserID: agent.UserID, Running: &running})
		all, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{UserID: agent.UserID})
		if len(entries) != 1 || len(all) != 2 {
			t.Errorf("%d running of %d entries; want exactly one running, both recorded", len(entries), len(all))
		}
	})
}

func TestLogTime(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		paris, _ := time.LoadLocation("Europe/Paris")
		no := false
		ent, err := e.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: tk.Key(), Duration: "1h30", Note: " call ", Billable: &no, Location: paris})
		if err != nil || ent.Seconds != 5400 || ent.Billable || ent.Note != "call" || !ent.EndedAt.Equal(t0) {
			t.Fatalf("log: %+v %v", ent, err)
		}
		yesterday := time.Date(2026, 11, 26, 0, 0, 0, 0, paris)
		ent, err = e.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: tk.Key(), Duration: "2h", Date: yesterday, Location: paris})
		if err != nil || !ent.StartedAt.Equal(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)) || !ent.Billable {
			t.Fatalf("yesterday: %+v %v", ent, err)
		}
		for _, c := range []struct {
			in    commands.LogTimeInput
			field string
			msg   string
		}{
			{commands.LogTimeInput{Key: tk.Key(), Duration: "abc"}, "duration", `"abc" is not a duration`},
			{commands.LogTimeInput{Key: tk.Key(), Duration: "0m"}, "duration", "more than zero"},
			{commands.LogTimeInput{Key: tk.Key(), Duration: "25h"}, "duration", "more than a day"},
			{commands.LogTimeInput{Key: tk.Key(), Duration: "1h", Date: t0.Add(48 * time.Hour)}, "date", "is in the future"},
			{commands.LogTimeInput{Key: tk.Key(), Duration: "1h", Date: yesterday, Location: paris}, "duration", "overlaps time you already logged"},
		} {
			_, err := e.svc.LogTime(ctx, agent, c.in)
			if domain.ErrorField(err) != c.field || !contains(domain.ErrorMessage(err), c.msg) {
				t.Errorf("%+v: got %v", c.in, err)
			}
		}
		if _, err := e.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: "ACME-99", Duration: "1h"}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown ticket: %v", err)
		}
		// The same input again (a retaken inbox input) logs nothing more.
		once := commands.LogTimeInput{Key: tk.Key(), Duration: "15m", DedupID: "envelope:E1"}
		if _, err := e.svc.LogTime(ctx, agent, once); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.LogTime(ctx, agent, once); !commands.IsDuplicate(err) {
			t.Errorf("second log with the same input: %v", err)
		}
		var n int
		_ = e.db.View(ctx, func(tx domain.Tx) error {
			es, err := tx.TimeEntries(ctx, domain.TimeFilter{TicketID: tk.ID})
			n = len(es)
			return err
		})
		if n != 3 {
			t.Errorf("%d entries, want 3", n)
		}
	})
}

func TestLinks(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b, c := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		if err := e.svc.Link(ctx, agent, a.Key(), domain.LinkBlocks, b.Key()); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Link(ctx, agent, b.Key(), domain.LinkBlocks, c.Key()); err != nil {
			t.Fatal(err)
		}
		err := e.svc.Link(ctx, agent, c.Key(), domain.LinkBlocks, a.Key())
		if !contains(domain.ErrorMessage(err), "would make a cycle") {
			t.Errorf("cycle: %v", err)
		}
		if err := e.svc.Link(ctx, agent, a.Key(), domain.LinkBlocks, a.Key()); !contains(domain.ErrorMessage(err), "itself") {
			t.Errorf("self link: %v", err)
		}
		if err := e.svc.Link(ctx, agent, a.Key(), domain.LinkBlocks, b.Key()); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("duplicate link: %v", err)
		}
		if err := e.svc.Link(ctx, agent, a.Key(), "relates", b.Key()); domain.ErrorField(err) != "kind" {
			t.Errorf("bad kind: %v", err)
		}
		// A parent link in the other direction is another relation, not a cycle.
		if err := e.svc.Link(ctx, agent, c.Key(), domain.LinkParent, a.Key()); err != nil {
			t.Errorf("parent: %v", err)
		}
	})
}

func TestAssign(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		before, _ := e.db.OutboxPending(ctx)
		got, err := e.svc.Assign(ctx, agent, tk.Key(), agent2.UserID)
		if err != nil || got.AssigneeID != "UAGENT2" {
			t.Fatalf("%+v %v", got, err)
		}
		// The card refresh coalesces with the pending one; the DM is new.
		if after, _ := e.db.OutboxPending(ctx); after != before+1 {
			t.Errorf("outbox %d → %d, want the assignee DM queued", before, after)
		}
		es := e.events(t, tk.Key())
		if last := es[len(es)-1]; last.Kind != domain.EventAssigned || last.NewValue != "UAGENT2" {
			t.Errorf("event %+v", last)
		}
	})
}

// 50 tickets opened at once, with 10 of their inputs delivered twice,
// share transactions (group commit) and still get keys 1..50, with no gap
// and no duplicate; a redelivery gets the ticket its first delivery made.
func TestConcurrentCreateTicketKeys(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		const n, redelivered = 50, 10
		type result struct {
			dedup, key string
			dup        bool
		}
		results := make(chan result, n+redelivered)
		var wg sync.WaitGroup
		for i := 0; i < n+redelivered; i++ {
			dedup := fmt.Sprint("Ev", i%n)
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := e.svc.CreateTicket(context.Background(), agent, commands.TicketInput{CustomerKey: "ACME", Title: "t", Source: domain.SourceSlash, DedupID: dedup})
				if err != nil && !commands.IsDuplicate(err) {
					t.Error(err)
					return
				}
				results <- result{dedup, tk.Key(), commands.IsDuplicate(err)}
			}()
		}
		wg.Wait()
		close(results)
		seen, byDedup, dups := map[string]bool{}, map[string]string{}, 0
		for r := range results {
			seen[r.key] = true
			if k, ok := byDedup[r.dedup]; ok && k != r.key {
				t.Errorf("%s made %s and %s", r.dedup, k, r.key)
			}
			byDedup[r.dedup] = r.key
			if r.dup {
				dups++
			}
		}
		for i := 1; i <= n; i++ {
			if !seen[domain.FormatKey("ACME", int64(i))] {
				t.Fatalf("ACME-%d missing; got %v", i, seen)
			}
		}
		if len(seen) != n || dups != redelivered {
			t.Errorf("%d keys and %d duplicates, want %d and %d", len(seen), dups, n, redelivered)
		}
	})
}

// A Start worked again (its replica died before marking it done, and the
// person clicked Stop meanwhile) starts no second timer, and a Stop worked
// again does not stop the timer started since.
func TestTimerInputWorkedAgainChangesNothing(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		start, stop := commands.WithInput(ctx, "envelope:start"), commands.WithInput(ctx, "envelope:stop")
		if _, err := e.svc.StartTimer(start, agent, a.Key()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.StopTimer(stop, agent); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.StartTimer(start, agent, a.Key()); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("the Start again: %v", err)
		}
		if _, err := e.svc.StartTimer(commands.WithInput(ctx, "envelope:start-b"), agent, b.Key()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.StopTimer(stop, agent); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("the Stop again: %v", err)
		}
		running := true
		on, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{UserID: agent.UserID, Running: &running})
		all, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{UserID: agent.UserID})
		if len(all) != 2 || len(on) != 1 || on[0].TicketID != b.ID {
			t.Errorf("%d entries, running %+v; want 2, the one on %s", len(all), on, b.Key())
		}
	})
}

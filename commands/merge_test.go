package commands_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// mergeEnv gives ACME two tickets with a conversation, a running timer and
// a card thread on the duplicate, GLOBEX one ticket, and admins named.
func mergeEnv(t *testing.T, e *env) (dup, orig, other *domain.Ticket) {
	t.Helper()
	ctx := context.Background()
	e.svc.UseStandardHooks()
	cfg := domain.DefaultConfig()
	cfg.Slack.Admins = []string{"UADMIN"}
	cfg.DefaultSLAPolicy = "gold" // with a next-response clock the merged conversation must not start
	e.svc.SetConfig(cfg)
	if _, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "globex", Name: "Globex"}); err != nil {
		t.Fatal(err)
	}
	orig = e.ticket(t, commands.TicketInput{Title: "Login fails", Priority: "high"})
	// Answered: a customer message counted on it would start its next-response clock.
	if _, err := e.svc.Comment(ctx, agent, orig.Key(), commands.CommentInput{Body: "Looking", Public: true}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	dup = e.ticket(t, commands.TicketInput{Title: "Cannot log in"})
	other = e.ticket(t, commands.TicketInput{CustomerKey: "GLOBEX", Title: "Login fails too"})
	for _, c := range []commands.CommentInput{{Body: "Still broken", Public: true, SourceRef: "1700.1"}, {Body: "looks like SSO", Public: false}} {
		if _, err := e.svc.Comment(ctx, e.cust, dup.Key(), c); err != nil && c.Public {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Comment(ctx, agent, dup.Key(), commands.CommentInput{Body: "looks like SSO"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.StartTimer(ctx, agent, dup.Key()); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetCard(ctx, dup.ID, "CACME", "1699.9", "1699.9", 0); err != nil {
		t.Fatal(err)
	}
	return dup, orig, other
}

var admin = domain.Actor{UserID: "UADMIN", Name: "Ada", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

func TestMergeAndUndo(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		dup, orig, _ := mergeEnv(t, e)
		before, err := e.svc.CardFor(ctx, agent, orig.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		res, err := e.svc.MergeTickets(ctx, agent, dup.Key(), orig.Key(), false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Source.Status != "closed" || len(res.Merge.Moved.Comments) != 2 || len(res.Merge.Moved.TimeEntries) != 1 {
			t.Errorf("merge result: %+v %+v", res.Source, res.Merge.Moved)
		}
		src, _ := e.svc.Ticket(ctx, agent, dup.Key())
		if src.Status != "closed" || src.SLADueAt != nil {
			t.Errorf("source after merge: status %s, SLA due %v (its clock must stop)", src.Status, src.SLADueAt)
		}
		after, _ := e.svc.CardFor(ctx, agent, orig.ID)
		if after.SLA == nil || before.SLA == nil || after.SLA.Status != before.SLA.Status || !after.SLA.Due.Equal(before.SLA.Due) ||
			!timeEq(after.Ticket.SLADueAt, before.Ticket.SLADueAt) {
			t.Errorf("target's SLA changed: before %+v, after %+v", before.SLA, after.SLA)
		}
		if len(after.Running) != 1 || after.MergedInto != "" || !slices.Equal(after.MergedFrom, []string{dup.Key()}) {
			t.Errorf("target card: running %d, into %q, from %v", len(after.Running), after.MergedInto, after.MergedFrom)
		}
		if v, _ := e.svc.CardFor(ctx, agent, dup.ID); v.MergedInto != orig.Key() {
			t.Errorf("source card points to %q", v.MergedInto)
		}
		// One event per merge on each ticket.
		for key, want := range map[string]string{dup.Key(): "merged_into", orig.Key(): "merged_from"} {
			n := 0
			for _, ev := range e.events(t, key) {
				if ev.Kind == domain.EventMerged {
					n++
					if ev.Field != want {
						t.Errorf("%s: merge event field %q, want %q", key, ev.Field, want)
					}
				}
			}
			if n != 1 {
				t.Errorf("%s: %d merge events, want 1", key, n)
			}
		}
		// A reply in the source's Slack thread lands on the target.
		if got, err := e.svc.TicketByThread(ctx, "CACME", "1699.9"); err != nil || got.ID != orig.ID {
			t.Errorf("source thread maps to %v, %v", got, err)
		}
		// The customer is told once, in the source's thread, naming the target.
		if n := mergeNotices(t, e); n != 1 {
			t.Errorf("%d merge notices, want 1", n)
		}
		if _, err := e.svc.MergeTickets(ctx, agent, dup.Key(), orig.Key(), false); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("merging twice: %v", err)
		}

		e.clock.Advance(5 * time.Minute)
		if _, err := e.svc.Unmerge(ctx, agent, dup.Key()); err != nil {
			t.Fatal(err)
		}
		src, _ = e.svc.Ticket(ctx, agent, dup.Key())
		if src.Status != dup.Status || src.ClosedAt != nil || src.SLADueAt == nil {
			t.Errorf("source after undo: status %s closed %v SLA due %v", src.Status, src.ClosedAt, src.SLADueAt)
		}
		if v, _ := e.svc.CardFor(ctx, agent, dup.ID); len(v.Running) != 1 || v.MergedInto != "" {
			t.Errorf("undo: the timer is back on the source (%d) and no pointer (%q)", len(v.Running), v.MergedInto)
		}
		if v, _ := e.svc.CardFor(ctx, agent, orig.ID); len(v.MergedFrom) != 0 || len(v.Running) != 0 {
			t.Errorf("target after undo: from %v running %d", v.MergedFrom, len(v.Running))
		}
		if got, _ := e.svc.TicketByThread(ctx, "CACME", "1699.9"); got.ID != dup.ID {
			t.Errorf("source thread maps to %s after undo", got.Key())
		}
		if _, err := e.svc.Unmerge(ctx, agent, dup.Key()); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("second undo: %v", err)
		}

		// Undo is for ten minutes.
		if _, err := e.svc.MergeTickets(ctx, agent, dup.Key(), orig.Key(), false); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(11 * time.Minute)
		if _, err := e.svc.Unmerge(ctx, agent, dup.Key()); domain.ErrorCode(err) != domain.EINVALID || !contains(domain.ErrorMessage(err), "within 10m") {
			t.Errorf("late undo: %v", err)
		}
	})
}

func timeEq(a, b *time.Time) bool { return a == nil && b == nil || a != nil && b != nil && a.Equal(*b) }

// mergeNotices counts the merge notices queued for customers.
func mergeNotices(t *testing.T, e *env) int {
	t.Helper()
	rows, err := e.db.SQL().Query("SELECT payload FROM outbox WHERE kind = 'slack.post' OR kind = 'email'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		var job commands.PostJob
		if json.Unmarshal([]byte(p), &job) == nil && job.Notice == commands.NoticeMerged {
			n++
		}
	}
	return n
}

func TestMergeRefusals(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		dup, orig, other := mergeEnv(t, e)
		closed := e.ticket(t, commands.TicketInput{Title: "old"})
		if _, err := e.svc.ChangeStatus(ctx, agent, closed.Key(), "closed"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			a        domain.Actor
			src, dst string
			confirm  bool
			code     string
			field    string
		}{
			{"customer", e.cust, dup.Key(), orig.Key(), false, domain.EFORBIDDEN, ""},
			{"itself", agent, dup.Key(), dup.Key(), false, domain.EINVALID, "target"},
			{"no such target", agent, dup.Key(), "ACME-99", false, domain.EINVALID, "target"},
			{"not a key", agent, dup.Key(), "merge", false, domain.EINVALID, "target"},
			{"closed target", agent, dup.Key(), closed.Key(), false, domain.EINVALID, "target"},
			{"across, not an admin", agent, dup.Key(), other.Key(), true, domain.EFORBIDDEN, ""},
			{"across, admin unconfirmed", admin, dup.Key(), other.Key(), false, domain.ECONFLICT, ""},
		} {
			_, err := e.svc.MergeTickets(ctx, c.a, c.src, c.dst, c.confirm)
			if domain.ErrorCode(err) != c.code || domain.ErrorField(err) != c.field {
				t.Errorf("%s: %v (code %s field %q), want %s %q", c.name, err, domain.ErrorCode(err), domain.ErrorField(err), c.code, c.field)
			}
		}
		if got := mergeNotices(t, e); got != 0 {
			t.Errorf("refused merges told the customer %d times", got)
		}
		p, err := e.svc.CheckMerge(ctx, agent, dup.Key(), other.Key())
		if err != nil || !p.Cross || p.TargetCustomer != "GLOBEX" {
			t.Errorf("plan across customers: %+v %v", p, err)
		}
		// An admin's confirmation merges; the customer is not told the other customer's key.
		res, err := e.svc.MergeTickets(ctx, admin, dup.Key(), other.Key(), true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Target.CustomerKey != "GLOBEX" {
			t.Errorf("target %s", res.Target.Key())
		}
		// A chain undoes from its end: ACME's duplicate went on to GLOBEX-1.
		if _, err := e.svc.MergeTickets(ctx, admin, other.Key(), orig.Key(), true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Unmerge(ctx, agent, dup.Key()); domain.ErrorCode(err) != domain.EINVALID || !contains(domain.ErrorMessage(err), "undo that first") {
			t.Errorf("undo under a later merge: %v", err)
		}
		if _, err := e.svc.Unmerge(ctx, agent, other.Key()); err != nil {
			t.Fatal(err)
		}
		// The target merged away is not a target any more.
		if _, err := e.svc.MergeTickets(ctx, agent, orig.Key(), dup.Key(), false); domain.ErrorField(err) != "target" || !contains(domain.ErrorMessage(err), "merged into "+other.Key()) {
			t.Errorf("merge into a merged ticket: %v", err)
		}
		// The customer's history of their merged ticket names no other customer's key.
		_, es, err := e.svc.TicketEvents(ctx, e.cust, dup.Key())
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range es {
			if contains(ev.OldValue+ev.NewValue, "GLOBEX") || ev.Kind == domain.EventTimerStarted || ev.Kind == domain.EventComment && ev.NewValue != "public" {
				t.Errorf("the customer reads %+v", ev)
			}
		}
	})
}

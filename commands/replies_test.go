package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Shared replies are the admins'; personal ones their owner's alone.
func TestSavedReplyRights(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cfg := domain.DefaultConfig()
		cfg.Slack.Admins = []string{agent.UserID}
		e.svc.SetConfig(cfg)
		shared, err := e.svc.SaveReply(ctx, agent, commands.ReplyInput{Name: "Thanks", Body: "Thanks {requester.first_name}!", Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveReply(ctx, agent2, commands.ReplyInput{Name: "Mine", Body: "x", Shared: true}); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a shared reply by a non-admin: %v", err)
		}
		if _, err := e.svc.SaveReply(ctx, agent2, commands.ReplyInput{ID: shared.ID, Name: "Thanks", Body: "edited"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a non-admin edits a shared reply: %v", err)
		}
		mine, err := e.svc.SaveReply(ctx, agent2, commands.ReplyInput{Name: "Mine", Body: "x", Priority: "high"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DeleteSavedReply(ctx, agent, "Mine"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("another's personal reply: %v", err)
		}
		if _, err := e.svc.SaveReply(ctx, agent2, commands.ReplyInput{Name: "Bad", Body: "x", Status: "limbo"}); domain.ErrorField(err) != "status" {
			t.Errorf("an unknown status: %v", err)
		}
		if _, err := e.svc.SaveReply(ctx, agent2, commands.ReplyInput{Name: "Bad", Body: "x", Priority: "asap"}); domain.ErrorField(err) != "priority" {
			t.Errorf("an unknown priority: %v", err)
		}
		if _, err := e.svc.SaveReply(ctx, agent2, commands.ReplyInput{Name: "Bad", Body: "x", Assignee: "bob; drop"}); domain.ErrorField(err) != "assign_user" {
			t.Errorf("an unknown assignee: %v", err)
		}
		if _, err := e.svc.SaveReply(ctx, outsider, commands.ReplyInput{Name: "C", Body: "x"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a customer: %v", err)
		}
		rs, err := e.svc.SavedReplies(ctx, agent2)
		if err != nil || len(rs) != 2 || rs[0].ID != mine.ID || rs[1].ID != shared.ID {
			t.Errorf("Bo sees %+v %v", rs, err)
		}
		if r, err := e.svc.DeleteSavedReply(ctx, agent2, "mine"); err != nil || r.ID != mine.ID {
			t.Errorf("delete own: %v", err)
		}
	})
}

// A saved reply whose status the workflow refuses sends nothing: the
// reply, its mail and its other changes are one transaction.
func TestSavedReplyIsOneTransaction(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.ingest(t, firstMail())
		e.mails(t) // claims the acknowledgement: mails(t) returns what came since
		closeIt, err := e.svc.SaveReply(ctx, agent, commands.ReplyInput{Name: "Reopen", Body: "Hi {requester.first_name}", Status: "closed",
			Priority: "urgent", Tags: "vip", Assignee: "me"})
		if err != nil {
			t.Fatal(err)
		}
		// A closed ticket may only reopen: a reply that resolves it is refused whole.
		if _, err := e.svc.ChangeStatus(ctx, agent, "ACME-1", "closed"); err != nil {
			t.Fatal(err)
		}
		bad, err := e.svc.SaveReply(ctx, agent, commands.ReplyInput{Name: "Resolve", Body: "Solved, {requester.first_name}.", Status: "resolved", Priority: "urgent"})
		if err != nil {
			t.Fatal(err)
		}
		nBefore := len(e.events(t, "ACME-1"))
		if _, err := e.svc.ReplyWith(ctx, agent, "ACME-1", "Solved, {requester.first_name}.", "", bad.ID); err == nil {
			t.Fatal("a move the workflow refuses went through")
		}
		if n := len(e.mails(t)); n != 0 {
			t.Errorf("%d mails went out with a refused reply", n)
		}
		tk := e.ticketOf(t, "ACME-1")
		if tk.Priority == "urgent" || len(e.events(t, "ACME-1")) != nBefore {
			t.Errorf("half applied: %+v", tk)
		}
		// Reopened, the other reply applies everything, one event each.
		if _, err := e.svc.ChangeStatus(ctx, agent, "ACME-1", "open"); err != nil {
			t.Fatal(err)
		}
		n0 := len(e.events(t, "ACME-1"))
		if _, err := e.svc.ReplyWith(ctx, agent, "ACME-1", "Hi {requester.first_name}", "", closeIt.ID); err != nil {
			t.Fatal(err)
		}
		tk = e.ticketOf(t, "ACME-1")
		if tk.Status != "closed" || tk.Priority != "urgent" || tk.AssigneeID != agent.UserID {
			t.Errorf("after the reply: %+v", tk)
		}
		var kinds []string
		for _, ev := range e.events(t, "ACME-1")[n0:] {
			kinds = append(kinds, ev.Kind)
		}
		if got := strings.Join(kinds, " "); got != "comment first_response status priority tag assigned" {
			t.Errorf("events %s", got)
		}
		if ms := e.mails(t); !strings.HasPrefix(ms[len(ms)-1].Text, "Hi Cy\n") {
			t.Errorf("mail %q", ms[len(ms)-1].Text)
		}
	})
}

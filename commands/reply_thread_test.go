package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A customer who talks in Slack is answered in their thread: one public
// comment, the first response, what the saved reply sets, its use
// counted, and one post of the filled text queued for the thread, in the
// same transaction; a resubmitted form does nothing; no mail is needed.
func TestReplyInThread(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.ticket(t, commands.TicketInput{Title: "Export <!here> broken", ChannelID: "CACME", SlackThread: "1700000000.000100", RequesterID: "UCUST"})
		r, err := e.svc.SaveReply(ctx, agent, commands.ReplyInput{Name: "Ask", Body: "Which browser, {requester.first_name}?", Status: "waiting", Tags: "needs-info"})
		if err != nil {
			t.Fatal(err)
		}
		e.posts(t) // drop the notices so far
		n0 := len(e.events(t, "ACME-1"))
		c, err := e.svc.ReplyInThread(ctx, agent, "acme-1", " {ticket.key}: which browser? ", "view:V1", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Public || c.Body != "ACME-1: which browser?" || c.AuthorID != agent.UserID || c.Channel != domain.ChannelSlack {
			t.Errorf("comment %+v", c)
		}
		tk := e.ticketOf(t, "ACME-1")
		if tk.FirstResponseAt == nil || tk.Status != "waiting" {
			t.Errorf("after the reply: first response %v, status %s", tk.FirstResponseAt, tk.Status)
		}
		var kinds []string
		for _, ev := range e.events(t, "ACME-1")[n0:] {
			kinds = append(kinds, ev.Kind)
		}
		if got := strings.Join(kinds, " "); got != "comment first_response status tag" {
			t.Errorf("events %s", got)
		}
		var replies []commands.PostJob
		for _, p := range e.posts(t) {
			if p.Notice == commands.NoticeAgentReply {
				replies = append(replies, p)
			}
		}
		if len(replies) != 1 || !replies[0].InTicketThread || replies[0].By != agent.UserID ||
			replies[0].Args["text"] != "ACME-1: which browser?" || replies[0].Args["name"] != "Ana" {
			t.Errorf("posts %+v", replies)
		}
		if rs, _ := e.svc.SavedReplies(ctx, agent); len(rs) != 1 || rs[0].Uses != 1 {
			t.Errorf("uses %+v", rs)
		}
		// The same form again: nothing more.
		if c, err := e.svc.ReplyInThread(ctx, agent, "ACME-1", "again", "view:V1", r.ID); err != nil || c != nil {
			t.Errorf("second submission: %v %v", c, err)
		}
		if p := e.posts(t); len(p) != 0 || len(e.comments(t, "ACME-1")) != 1 {
			t.Errorf("a resubmission posted %+v", p)
		}

		noThread := e.ticket(t, commands.TicketInput{})
		long := "{ticket.title}" + strings.Repeat("x", commands.MaxThreadReply-10)
		for _, tc := range []struct {
			name, key, body string
			actor           domain.Actor
			saved           int64
			code, field     string
		}{
			{"customer", "ACME-1", "hi", e.cust, 0, domain.EFORBIDDEN, ""},
			{"empty", "ACME-1", " ", agent, 0, domain.EINVALID, "body"},
			{"too long", "ACME-1", strings.Repeat("x", commands.MaxThreadReply+1), agent, 0, domain.EINVALID, "body"},
			{"too long once filled", "ACME-1", long, agent, r.ID, domain.EINVALID, "body"},
			{"no thread", noThread.Key(), "hi", agent, 0, domain.EINVALID, ""},
		} {
			_, err := e.svc.ReplyInThread(ctx, tc.actor, tc.key, tc.body, "", tc.saved)
			if domain.ErrorCode(err) != tc.code || (tc.field != "" && domain.ErrorField(err) != tc.field) {
				t.Errorf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if p := e.posts(t); len(p) != 0 {
			t.Errorf("refused replies posted %+v", p)
		}
	})
}

package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// An agent answers a customer who talks in Slack with a saved reply, from
// the working face's More… menu: the form says where the reply goes, the
// pick fills it for this ticket, and Send posts one message in the
// customer's thread under the agent's name — escaped, so nothing pings —
// with one public comment, the first response, the reply's status and its
// use counted. The bot's own post, echoed back by Slack, is no second
// comment, and the same form sent again does nothing. A ticket whose
// thread is internal offers no Reply with….
func TestSavedReplyInTheCustomersThread(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		ana := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		r, err := w.svc.SaveReply(ctx, ana, commands.ReplyInput{Name: "Ask browser",
			Body: "Hi {requester.first_name}, about {ticket.key} ({ticket.title}): which browser? — {agent.first_name}", Status: "waiting"})
		if err != nil {
			t.Fatal(err)
		}
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "Login fails <!here>", ""))
		thread := w.emu.Messages(acmeChan)[0].TS
		ch, ts := w.cardTS(t, "ACME-1")

		// The working face offers Reply with…, which opens the form for Slack.
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-1")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, `"value":"reply_with|ACME-1"`)
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "card_more", "reply_with|ACME-1")); err != nil {
			t.Fatal(err)
		}
		form := waitOpenView(t, w, "reply_customer")
		if s := string(form.Blocks); !strings.Contains(s, "customer's thread") || strings.Contains(s, "by mail") || !strings.HasSuffix(form.PrivateMetadata, "|thread") {
			t.Fatalf("form %s %s", form.PrivateMetadata, s)
		}
		if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, form, "pick_reply", strconv.FormatInt(r.ID, 10))); err != nil {
			t.Fatal(err)
		}
		want := "Hi Cy, about ACME-1 (Login fails <!here>): which browser? — Ana"
		w.eventually(t, "the form filled", func() bool {
			v, ok := w.emu.ViewByID(form.ID)
			form = v
			return ok && strings.Contains(plainJSON(string(v.Blocks)), want)
		})
		body := want + " <!channel>"
		block := "body_" + strconv.FormatInt(r.ID, 10)
		send := func() {
			t.Helper()
			ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, form, map[string]map[string]any{block: {"body": slackemu.TextInput(body)}}))
			if err != nil || strings.Contains(string(ack.Payload), "errors") {
				t.Fatalf("send: %v %s", err, ack.Payload)
			}
		}
		send()

		posted := func() []slackemu.Message {
			var out []slackemu.Message
			for _, m := range w.emu.Messages(acmeChan) {
				if m.ThreadTS == thread && strings.HasPrefix(m.Text, "*Ana Agent*: ") {
					out = append(out, m)
				}
			}
			return out
		}
		w.eventually(t, "the reply in the customer's thread", func() bool { return len(posted()) == 1 })
		post := posted()[0]
		if post.Text != "*Ana Agent*: Hi Cy, about ACME-1 (Login fails &lt;!here&gt;): which browser? — Ana &lt;!channel&gt;" {
			t.Errorf("posted %q", post.Text)
		}
		tk := w.ticket(t, "ACME-1")
		if tk.Status != "waiting" || tk.FirstResponseAt == nil {
			t.Errorf("status %s, first response %v", tk.Status, tk.FirstResponseAt)
		}
		if n := countKind(events(t, w, "ACME-1"), domain.EventStatus); n != 1 {
			t.Errorf("%d status events", n)
		}
		if rs, _ := w.svc.SavedReplies(ctx, ana); len(rs) != 1 || rs[0].Uses != 1 {
			t.Errorf("uses %+v", rs)
		}

		// Slack echoes the bot's post as a message event; the same form
		// comes again. Then the customer answers: once that is kept,
		// the echo had its turn.
		echo := slackemu.MessageEvent(acmeChan, "UBOT", post.Text, thread)
		echo["ts"], echo["bot_id"] = post.TS, slackemu.BotID
		w.emu.Event(ctx, echo)
		send()
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "Safari 17", thread))
		w.eventually(t, "the customer's answer", func() bool {
			for _, c := range agentComments(t, w, ctx) {
				if c.Body == "Safari 17" {
					return true
				}
			}
			return false
		})
		w.eventually(t, "the outbox drained", func() bool { n, err := w.db.OutboxPending(ctx); return err == nil && n == 0 })
		time.Sleep(200 * time.Millisecond)
		var mine []*domain.Comment
		for _, c := range agentComments(t, w, ctx) {
			if strings.Contains(c.Body, "which browser?") {
				mine = append(mine, c)
			}
		}
		if len(mine) != 1 || mine[0].AuthorID != agentID || !mine[0].Public || mine[0].Channel != domain.ChannelSlack || mine[0].Body != body {
			t.Errorf("the agent's comments: %+v", mine)
		}
		if n := len(posted()); n != 1 {
			t.Errorf("%d replies posted", n)
		}
		if rs, _ := w.svc.SavedReplies(ctx, ana); len(rs) != 1 || rs[0].Uses != 1 {
			t.Errorf("uses after a resubmission %+v", rs)
		}

		// A ticket of the triage channel, which no customer reads, has no Reply with….
		w.slash(t, agentID, triageChan, "/ticket", "Internal cleanup")
		w.waitReply(t, "Created *TRIAGE-1*")
		w.slash(t, agentID, triageChan, "/ticket", "TRIAGE-1")
		card := w.waitReply(t, `"value":"history|TRIAGE-1"`)
		if s := string(card.Body); strings.Contains(s, "reply_with|") {
			t.Errorf("the internal ticket's working face: %s", s)
		}
	})
}

// agentComments is the ticket's thread as agents read it.
func agentComments(t *testing.T, w *world, ctx context.Context) []*domain.Comment {
	t.Helper()
	cs, _, err := w.svc.History(ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-1")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

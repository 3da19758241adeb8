package bot_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	gomail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// An agent answers a mailed ticket with a saved reply from the card's
// More… menu: the form fills with the reply's text for this ticket, the
// mail goes to the requester and their CC list (copied in the mail, and
// added by hand), and the reply's status change lands in the same step.
func TestSavedReplyFromTheCardWithCc(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startMail(t, d)
			ctx := waitCtx(t)

			m := gomail.NewMsg()
			_ = m.FromFormat("Cy Customer", "cy@acme.com")
			_ = m.To("support@vendor.com")
			m.SetGenHeader("Cc", "Boss <boss@acme.com>") // in the header only: the listener takes mail for vendor.com alone
			m.Subject("Export broken")
			m.SetMessageIDWithValue("export@acme.com")
			m.SetBodyString(gomail.TypeTextPlain, "The CSV export is empty.")
			w.send(t, m)
			w.waitCard(t, acmeChan, "Export broken")
			if _, err := w.sink.Wait(ctx, 1); err != nil { // the acknowledgement
				t.Fatal(err)
			}

			// A placeholder deskbot does not know is refused by name.
			w.slash(t, agentID, triageChan, "/desk", "reply add")
			form := waitOpenView(t, w.world, "saved_reply")
			values := map[string]map[string]any{
				"name": {"name": slackemu.TextInput("Fixed")}, "shared": {"shared": slackemu.StaticSelect("mine")},
				"body":        {"body": slackemu.TextInput("Hello {requester.first_name}, {ticket.key} is fixed in {release}.")},
				"status":      {"status": slackemu.StaticSelect("resolved")},
				"assign_user": {"assign_user": map[string]any{"type": "users_select", "selected_user": agent2ID}},
			}
			ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, form, values))
			if err != nil || !strings.Contains(string(ack.Payload), "Unknown placeholders: {release}") {
				t.Fatalf("unknown placeholder: %v %s", err, ack.Payload)
			}
			values["body"] = map[string]any{"body": slackemu.TextInput("Hello {requester.first_name}, {ticket.key} is fixed. — {agent.first_name}")}
			if ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, form, values)); err != nil || strings.Contains(string(ack.Payload), "errors") {
				t.Fatalf("save: %v %s", err, ack.Payload)
			}
			var id int64
			w.eventually(t, "the saved reply", func() bool {
				rs, _ := w.svc.SavedReplies(ctx, domain.Actor{UserID: agentID, Role: domain.RoleAgent})
				if len(rs) == 1 {
					id = rs[0].ID
				}
				return id != 0
			})

			// `/desk reply edit` opens the same form, filled.
			w.slash(t, agentID, triageChan, "/desk", "reply edit fixed")
			w.eventually(t, "the edit form", func() bool {
				for _, v := range w.emu.Views() {
					if v.Open && v.CallbackID == "saved_reply" && v.PrivateMetadata == strconv.FormatInt(id, 10) {
						return strings.Contains(string(v.Blocks), "{agent.first_name}")
					}
				}
				return false
			})

			// Someone else is copied by hand; the working face shows the CC list.
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1 cc add <mailto:ops@acme.com|ops@acme.com>")
			w.waitReply(t, "CC: boss@acme.com, ops@acme.com")
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1 cc add not-an-address")
			w.waitReply(t, "is not an email address")
			ch, ts := w.cardTS(t, "ACME-1")
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-1")); err != nil {
				t.Fatal(err)
			}
			w.waitReply(t, "CC: boss@acme.com, ops@acme.com")

			// More… → Reply with… opens the form; choosing the reply fills it.
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "card_more", "reply_with|ACME-1")); err != nil {
				t.Fatal(err)
			}
			reply := waitOpenView(t, w.world, "reply_customer")
			if !strings.Contains(string(reply.Blocks), "Fixed") {
				t.Fatalf("no saved reply to pick: %s", reply.Blocks)
			}
			if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, reply, "pick_reply", strconv.FormatInt(id, 10))); err != nil {
				t.Fatal(err)
			}
			want := "Hello Cy, ACME-1 is fixed. — Ana"
			w.eventually(t, "the form filled", func() bool {
				v, ok := w.emu.ViewByID(reply.ID)
				reply = v
				return ok && strings.Contains(string(v.Blocks), want)
			})
			block := "body_" + strconv.FormatInt(id, 10)
			if ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, reply,
				map[string]map[string]any{block: {"body": slackemu.TextInput(want)}})); err != nil || strings.Contains(string(ack.Payload), "errors") {
				t.Fatalf("send: %v %s", err, ack.Payload)
			}
			msgs, err := w.sink.Wait(ctx, 2)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := mail.Parse(msgs[1].Data)
			rcpts := slices.Sorted(slices.Values(msgs[1].To))
			if !strings.Contains(out.Text, want) || !slices.Equal(rcpts, []string{"boss@acme.com", "cy@acme.com", "ops@acme.com"}) {
				t.Errorf("reply %q to %v", out.Text, rcpts)
			}
			// The status moved in the same step, with one event; the use is counted.
			if tk := w.ticket(t, "ACME-1"); tk.Status != "resolved" || tk.AssigneeID != agent2ID {
				t.Errorf("status %s, assignee %s", tk.Status, tk.AssigneeID)
			}
			evs := events(t, w.world, "ACME-1")
			if n := countKind(evs, domain.EventStatus); n != 1 {
				t.Errorf("%d status events", n)
			}
			w.slash(t, agentID, triageChan, "/desk", "reply list")
			w.waitReply(t, "used 1×")
			w.slash(t, agentID, triageChan, "/desk", "reply delete Fixed")
			w.waitReply(t, "Deleted the saved reply *Fixed*.")

			// An internal note reaches no one by mail.
			if _, err := w.svc.Comment(ctx, domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}, "ACME-1",
				commands.CommentInput{Body: "internal only"}); err != nil {
				t.Fatal(err)
			}
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1 cc remove ops@acme.com")
			w.waitReply(t, "CC: boss@acme.com.")
			for _, m := range w.sink.Messages() {
				if strings.Contains(string(m.Data), "internal only") {
					t.Errorf("an internal note went out to %v", m.To)
				}
			}
		})
	}
}

// waitOpenView waits for a modal to open.
func waitOpenView(t *testing.T, w *world, callback string) slackemu.View {
	t.Helper()
	var found slackemu.View
	w.eventually(t, callback+" modal", func() bool {
		for _, v := range w.emu.Views() {
			if v.Open && v.CallbackID == callback {
				found = v
				return true
			}
		}
		return false
	})
	return found
}

func events(t *testing.T, w *world, key string) []*domain.Event {
	t.Helper()
	tk := w.ticket(t, key)
	var evs []*domain.Event
	if err := w.db.View(context.Background(), func(tx domain.Tx) (err error) {
		evs, err = tx.Events(context.Background(), tk.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return evs
}

func countKind(evs []*domain.Event, kind string) int {
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

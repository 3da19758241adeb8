package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain"
)

// A customer answering in a ticket's thread: a resolved ticket reopens; a
// closed one keeps the message and the thread says, without pinging
// anyone, how to open a new ticket — and no ticket is opened from it.
func TestCustomerAnswersDoneTickets(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		w.slash(t, agentID, triageChan, "/ticket", "Sync stops #acme")
		_, closedTS := w.cardTS(t, "ACME-1")
		w.slash(t, agentID, triageChan, "/ticket", "Export slow #acme")
		_, resolvedTS := w.cardTS(t, "ACME-2")
		if _, err := w.svc.ChangeStatus(context.Background(), agent, "ACME-1", "closed"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ChangeStatus(context.Background(), agent, "ACME-2", "resolved"); err != nil {
			t.Fatal(err)
		}

		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "It stopped again <!here>", closedTS))
		notice, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["thread_ts"] == closedTS && strings.Contains(c.Params["text"], ":lock:")
		})
		if err != nil {
			t.Fatalf("no notice in the closed ticket's thread: %v\ncalls: %v", err, methods(w.emu.Calls("")))
		}
		want := ":lock: *ACME-1* Sync stops is closed: your message is kept on it, but nobody follows it any more. " +
			"For anything new, post a new message in this channel (not in this thread) and we will open a ticket for it."
		if text := notice.Params["text"]; text != want || notice.Params["reply_broadcast"] == "true" {
			t.Errorf("notice %q (broadcast %q), want %q", text, notice.Params["reply_broadcast"], want)
		}

		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "Still slow for us", resolvedTS))
		w.eventually(t, "ACME-2 reopened", func() bool { return w.ticket(t, "ACME-2").Status == "open" })

		cs, _, err := w.svc.History(ctx, agent, "ACME-1")
		if err != nil || len(cs) != 1 || cs[0].Body != "It stopped again <!here>" || !cs[0].Public {
			t.Errorf("comments on the closed ticket %+v %v", cs, err)
		}
		if tk := w.ticket(t, "ACME-1"); tk.Status != "closed" {
			t.Errorf("ACME-1 is %s", tk.Status)
		}
		if _, total, _ := w.svc.ListTickets(ctx, agent, domain.TicketFilter{}); total != 2 {
			t.Errorf("%d tickets: a thread reply opens none", total)
		}
	})
}

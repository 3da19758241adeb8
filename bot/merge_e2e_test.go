package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// more picks an entry of a card's More… select.
func (w *world) more(t *testing.T, user, channel, ts, value string) {
	t.Helper()
	p := slackemu.BlockAction(user, channel, ts, "card_more", "")
	p["actions"] = []any{map[string]any{"action_id": "card_more", "block_id": "actions", "type": "static_select",
		"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": value}}}}
	if _, err := w.emu.Interactive(waitCtx(t), p); err != nil {
		t.Fatal(err)
	}
}

func (w *world) cardHas(t *testing.T, key, text string) {
	t.Helper()
	ch, ts := w.cardTS(t, key)
	w.eventually(t, key+"'s card shows "+text, func() bool {
		m, _ := w.emu.Message(ch, ts)
		return strings.Contains(plainJSON(string(m.Blocks)), text)
	})
}

func (w *world) comments(t *testing.T, key string) string {
	t.Helper()
	cs, _, err := w.svc.History(context.Background(), domain.Actor{Role: domain.RoleAgent}, key)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Body + "\n")
	}
	return b.String()
}

func TestMergeFromTheCard(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, acmeChan, "/ticket", "Login fails #acme")
		w.waitReply(t, "Created *ACME-1*")
		w.slash(t, agentID, acmeChan, "/ticket", "Cannot log in #acme")
		w.waitReply(t, "Created *ACME-2*")
		ch, ts := w.cardTS(t, "ACME-2")
		// The card in the customer's channel is their face; Agent actions
		// shows the working one, with More….
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-2")); err != nil {
			t.Fatal(err)
		}
		if face := w.waitReply(t, `"card_more"`); !strings.Contains(plainJSON(string(face.Body)), "Merge into…") {
			t.Errorf("no Merge into… in More…: %s", face.Body)
		}

		// More… → Merge into… opens the modal; a bad target shows under the field.
		w.more(t, agentID, ch, ts, "merge|ACME-2")
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatal(err)
		}
		view := openView(t, w, "merge")
		for target, want := range map[string]string{"ACME-2": "cannot be merged into itself", "ACME-99": "There is no ticket ACME-99", "login": "is not a ticket key"} {
			ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{"target": {"target": slackemu.TextInput(target)}}))
			if err != nil || !strings.Contains(string(ack.Payload), want) {
				t.Errorf("target %q: %v %s, want %q", target, err, ack.Payload, want)
			}
		}
		ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{"target": {"target": slackemu.TextInput("acme-1")}}))
		if err != nil || strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("merge: %v %s", err, ack.Payload)
		}
		done, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && strings.Contains(c.Params["text"], "Merged *ACME-2* into *ACME-1*")
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(done.Params["blocks"], `"unmerge"`) {
			t.Errorf("no Undo button: %s", done.Params["blocks"])
		}
		w.cardHas(t, "ACME-2", "Merged into *ACME-1*")
		w.cardHas(t, "ACME-1", "*ACME-2* was merged here")
		// The customer is told once, in the duplicate's thread.
		if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "we go on in ACME-1")
		}); err != nil {
			t.Fatal(err)
		}
		// The customer answers in the old thread: it lands on ACME-1.
		if _, err := w.emu.Event(ctx, slackemu.MessageEvent(ch, customerID, "It fails on mobile too", ts)); err != nil {
			t.Fatal(err)
		}
		w.eventually(t, "the reply in the old thread is on ACME-1", func() bool {
			return strings.Contains(w.comments(t, "ACME-1"), "It fails on mobile too")
		})
		if strings.Contains(w.comments(t, "ACME-2"), "mobile") {
			t.Error("the reply stayed on the merged ticket")
		}
		notices := 0
		for _, c := range w.emu.Calls("chat.postMessage") {
			if strings.Contains(c.Params["text"], "we go on in") {
				notices++
			}
		}
		if notices != 1 {
			t.Errorf("the customer was told %d times", notices)
		}

		// Undo from the confirmation.
		dm := done.Params["channel"]
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, dm, "", "unmerge", "ACME-2")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, "Undone")
		if tk := w.ticket(t, "ACME-2"); tk.Status != "new" {
			t.Errorf("after undo ACME-2 is %s", tk.Status)
		}
		// The customer is told, once, in the same thread, that it is back.
		if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "ACME-2 goes on as its own request")
		}); err != nil {
			t.Fatal(err)
		}
		w.eventually(t, "ACME-1's card drops the pointer", func() bool {
			_, ts1 := w.cardTS(t, "ACME-1")
			m, _ := w.emu.Message(ch, ts1)
			return !strings.Contains(string(m.Blocks), "was merged here")
		})
		back := 0
		for _, c := range w.emu.Calls("chat.postMessage") {
			if strings.Contains(c.Params["text"], "goes on as its own request") {
				back++
			}
		}
		if back != 1 {
			t.Errorf("the customer was told %d times that ACME-2 is back", back)
		}
	})
}

func TestMergeCommandAcrossCustomers(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		if _, err := w.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex"}); err != nil {
			t.Fatal(err)
		}
		w.slash(t, agentID, acmeChan, "/ticket", "Login fails #acme")
		w.waitReply(t, "Created *ACME-1*")
		w.slash(t, agentID, triageChan, "/ticket", "Login fails #globex")
		w.waitReply(t, "Created *GLOBEX-1*")

		// Only admins may merge across customers.
		w.useConfig(t, "admins: []", "admins: ["+agent2ID+"]")
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 merge into GLOBEX-1")
		w.waitReply(t, "only a deskbot admin can merge tickets of different customers")
		// An admin confirms first.
		w.slash(t, agent2ID, triageChan, "/ticket", "ACME-1 merge into GLOBEX-1")
		confirm := w.waitReply(t, "Merge across customers")
		if tk := w.ticket(t, "ACME-1"); tk.Status != "new" {
			t.Fatalf("merged before the confirmation: %s", tk.Status)
		}
		if !strings.Contains(string(confirm.Body), `"merge_confirm"`) {
			t.Fatalf("no confirm button: %s", confirm.Body)
		}
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agent2ID, triageChan, "", "merge_confirm", "ACME-1|GLOBEX-1")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, "Merged *ACME-1* into *GLOBEX-1*")
		// ACME's people are not told Globex's key.
		_, ts := w.cardTS(t, "ACME-1")
		post, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "related request")
		})
		if err != nil || strings.Contains(post.Params["text"], "GLOBEX") {
			t.Fatalf("customer notice: %v %q", err, post.Params["text"])
		}
		w.cardHas(t, "ACME-1", "Merged into a related ticket") // the card in ACME's channel
		// The customer's history of it names no other customer's ticket.
		w.slash(t, customerID, acmeChan, "/ticket", "ACME-1 history")
		hist := w.waitReply(t, "History of ACME-1")
		if body := string(hist.Body); strings.Contains(body, "GLOBEX") || !strings.Contains(body, "Created") {
			t.Errorf("customer's history: %s", body)
		}
		// Undo by command.
		w.slash(t, agent2ID, triageChan, "/ticket", "ACME-1 unmerge")
		w.waitReply(t, "Undone: *ACME-1* is apart from *GLOBEX-1*")
	})
}

func TestHistoryPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		w.slash(t, agentID, acmeChan, "/ticket", "Login fails #acme")
		w.waitReply(t, "Created *ACME-1*")
		for i := range 10 {
			p := []string{"high", "low"}[i%2]
			if _, err := w.svc.SetPriority(ctx, agent, "ACME-1", p); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Comment(ctx, agent, "ACME-1", commands.CommentInput{Body: fmt.Sprint("note ", i)}); err != nil {
				t.Fatal(err)
			}
		}
		ch, ts := w.cardTS(t, "ACME-1")
		w.more(t, agentID, ch, ts, "history|ACME-1")
		first := w.waitReply(t, "History of ACME-1")
		body := plainJSON(string(first.Body))
		for _, want := range []string{"page 1 of 2", "times in Europe/Paris", "Priority high → low by <@UAGENT>", "via Slack", "Internal note", `"history_page_next"`} {
			if !strings.Contains(body, want) {
				t.Errorf("first page lacks %q: %s", want, body)
			}
		}
		if strings.Contains(body, "history_page_prev") {
			t.Error("a Previous button on the first page")
		}
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "history_page_next", "ACME-1|1")); err != nil {
			t.Fatal(err)
		}
		second := w.waitReply(t, "page 2 of 2")
		if b := plainJSON(string(second.Body)); !strings.Contains(b, `"replace_original":true`) || !strings.Contains(b, "Created by <@UAGENT>") ||
			!strings.Contains(b, "history_page_prev") || strings.Contains(b, "history_page_next") {
			t.Errorf("second page: %s", b)
		}
		// The customer's face: no internal notes.
		w.slash(t, customerID, acmeChan, "/ticket", "ACME-1 history")
		hist := w.waitReply(t, "— 11 events") // created and ten priority changes
		if b := string(hist.Body); strings.Contains(b, "Internal note") || !strings.Contains(b, "Priority") {
			t.Errorf("customer's history: %s", b)
		}
	})
}

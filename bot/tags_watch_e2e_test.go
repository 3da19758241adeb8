package bot_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Tags by hand: the command (with its refusals), the card, tag: in
// queries, the Edit form (existing tags to pick, new ones typed) and an
// admin's rename that merges into a tag already there.
func TestTagsByHand(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, triageChan, "/ticket", "Invoice totals wrong #acme")
		w.slash(t, agentID, triageChan, "/ticket", "Second invoice issue #acme")
		w.waitCard(t, acmeChan, "Second invoice issue")

		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 tag +billing +Urgent")
		w.waitReply(t, "*ACME-1* tags: `billing` `urgent`.")
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 tag -urgent +bad!tag")
		w.waitReply(t, `Tag \"bad!tag\" may hold only`)
		w.slash(t, agentID, triageChan, "/ticket", "ACME-2 tag +invoicing")
		w.waitReply(t, "*ACME-2* tags: `invoicing`.")
		w.slash(t, customerID, acmeChan, "/ticket", "ACME-1 tag +mine")
		w.waitReply(t, "Only support agents can tag tickets")

		// The working face shows them; tag: finds hand-set tags.
		ch, ts := w.cardTS(t, "ACME-1")
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-1")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, ":label: `billing` `urgent`")
		w.slash(t, agentID, triageChan, "/ticket", "list tag:billing")
		list := w.waitReply(t, "ACME-1")
		if strings.Contains(string(list.Body), "ACME-2") {
			t.Errorf("tag:billing lists ACME-2: %s", list.Body)
		}

		// An admin renames billing to invoicing: ACME-2 had it already.
		w.slash(t, agentID, triageChan, "/desk", "tag rename billing invoicing")
		w.waitReply(t, "Renamed `billing` to `invoicing` on 1 ticket.")
		w.slash(t, agentID, triageChan, "/ticket", "list tag:invoicing")
		w.waitReply(t, "ACME-2")
		if tags, _ := w.svc.TicketTags(ctx, agentActor(), "ACME-1"); !slices.Equal(tags, []string{"invoicing", "urgent"}) {
			t.Errorf("after the rename: %v", tags)
		}

		// The Edit form lists the tags in use; one is dropped, one typed.
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "edit", "ACME-1")); err != nil {
			t.Fatal(err)
		}
		view := waitOpenView(t, w, "edit_ticket")
		if !strings.Contains(string(view.Blocks), `"new_tags"`) || !strings.Contains(string(view.Blocks), "multi_static_select") {
			t.Fatalf("no tag inputs: %s", view.Blocks)
		}
		values := map[string]map[string]any{
			"type":     {"type": slackemu.StaticSelect("question")},
			"new_tags": {"new_tags": slackemu.TextInput("no way!")},
		}
		ack, _ := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
		if !strings.Contains(string(ack.Payload), `"new_tags"`) {
			t.Fatalf("a bad tag is not refused next to its input: %s", ack.Payload)
		}
		values["new_tags"] = map[string]any{"new_tags": slackemu.TextInput("vip, refund")}
		values["tags"] = map[string]any{"tags": map[string]any{"type": "multi_static_select", "selected_options": []any{
			map[string]any{"text": map[string]any{"type": "plain_text", "text": "invoicing"}, "value": "invoicing"}}}}
		if ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values)); err != nil || strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("edit: %v %s", err, ack.Payload)
		}
		if tags, _ := w.svc.TicketTags(ctx, agentActor(), "ACME-1"); !slices.Equal(tags, []string{"invoicing", "refund", "vip"}) {
			t.Errorf("after the edit: %v", tags)
		}
		// One event per tag added or removed, and one per ticket renamed.
		evs := events(t, w, "ACME-1")
		var changes []string
		for _, e := range evs {
			if e.Kind == domain.EventTag {
				changes = append(changes, e.OldValue+">"+e.NewValue)
			}
		}
		if want := []string{">billing", ">urgent", "billing>invoicing", "urgent>", ">refund", ">vip"}; !slices.Equal(changes, want) {
			t.Errorf("tag events %v, want %v", changes, want)
		}
	})
}

func agentActor() domain.Actor {
	return domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
}

// A watcher hears of the public changes others make, in one DM per
// minute, and never of internal notes nor of their own changes.
func TestFollowBatchesChangesIntoOneDM(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(time.Date(2026, 12, 3, 10, 0, 10, 0, time.UTC))
			w := startAt(t, d, clock)
			ctx := waitCtx(t)
			w.slash(t, agentID, triageChan, "/ticket", "Login fails #acme")
			w.waitCard(t, acmeChan, "Login fails")
			ch, ts := w.cardTS(t, "ACME-1")

			// Bo follows from the card's More… menu, Ana by command.
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agent2ID, ch, ts, "card_more", "follow|ACME-1")); err != nil {
				t.Fatal(err)
			}
			w.waitReply(t, "You follow *ACME-1*")
			w.slash(t, agentID, triageChan, "/ticket", "ACME-1 follow")
			w.waitReply(t, "You follow *ACME-1*")
			w.slash(t, customerID, acmeChan, "/ticket", "ACME-1 follow")
			w.waitReply(t, "Only support agents can follow tickets")

			// Ana changes three things and writes an internal note.
			ana := agentActor()
			if _, err := w.svc.SetPriority(ctx, ana, "ACME-1", "high"); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.ChangeStatus(ctx, ana, "ACME-1", "open"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.svc.TagTicket(ctx, ana, "ACME-1", domain.TagChange{Add: []string{"billing"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Comment(ctx, ana, "ACME-1", commands.CommentInput{Body: "secret plan"}); err != nil {
				t.Fatal(err)
			}

			// When the minute is over, Bo gets one DM with the three.
			clock.Advance(time.Minute)
			first := waitDM(t, w, agent2ID, "Changes to tickets you follow")
			text := first.Params["text"]
			for _, want := range []string{"*ACME-1* Login fails", "changed priority: normal → high", "moved it New → Open", "tagged it `billing`"} {
				if !strings.Contains(text, want) {
					t.Errorf("the DM lacks %q: %s", want, text)
				}
			}
			if strings.Contains(text, "commented") || strings.Contains(text, "secret") {
				t.Errorf("an internal note reached a watcher: %s", text)
			}

			// Bo's own change a minute later reaches Ana alone, and Bo gets no second DM for the first minute.
			bo := domain.Actor{UserID: agent2ID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
			if _, err := w.svc.SetPriority(ctx, bo, "ACME-1", "urgent"); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
			toAna := waitDM(t, w, agentID, "Changes to tickets you follow")
			if !strings.Contains(toAna.Params["text"], "high → urgent") || strings.Contains(toAna.Params["text"], "normal → high") {
				t.Errorf("Ana's DM: %s", toAna.Params["text"])
			}
			if n := len(dms(w, agent2ID, "Changes to tickets you follow")); n != 1 {
				t.Errorf("Bo got %d digests, want 1", n)
			}
		})
	}
}

func dms(w *world, user, contains string) []slackemu.Call {
	var out []slackemu.Call
	for _, c := range w.emu.Calls("chat.postMessage") {
		if c.OK() && (c.Params["channel"] == user || c.Params["channel"] == "D"+strings.TrimLeft(user, "UW")) && strings.Contains(c.Params["text"], contains) {
			out = append(out, c)
		}
	}
	return out
}

func waitDM(t *testing.T, w *world, user, contains string) slackemu.Call {
	t.Helper()
	var got slackemu.Call
	w.eventually(t, "a DM to "+user, func() bool {
		if l := dms(w, user, contains); len(l) > 0 {
			got = l[0]
			return true
		}
		return false
	})
	return got
}

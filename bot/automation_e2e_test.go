package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain/domaintest"
)

const escalateChan = "CESCALATE"

// useConfig puts in force the built-in config with edits, as a reload would.
func (w *world) useConfig(t *testing.T, edits ...string) {
	t.Helper()
	w.svc.SetConfig(domaintest.ConfigWith(t, edits...))
}

func TestBlockedTicketRefusesToResolve(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, triageChan, "/ticket", "Upgrade the database #acme")
		w.slash(t, agentID, triageChan, "/ticket", "Enable the new reports #acme")
		w.waitReply(t, "Created *ACME-2*")
		w.slash(t, agentID, triageChan, "/desk", "link acme-1 blocks acme-2")
		w.waitReply(t, "*ACME-1* blocks *ACME-2*")
		ch, ts := w.cardTS(t, "ACME-2")
		w.eventually(t, "the card shows its blocker", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(string(m.Blocks), "Blocked by ACME-1")
		})
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "status", "ACME-2|resolved")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, "ACME-2 is blocked by ACME-1 (New): resolve it before moving ACME-2 to Resolved.")
		if tk := w.ticket(t, "ACME-2"); tk.Status != "new" {
			t.Errorf("a blocked ticket moved to %s", tk.Status)
		}
		// A cycle is refused in Slack too.
		w.slash(t, agentID, triageChan, "/desk", "link ACME-2 blocks ACME-1")
		w.waitReply(t, "would make a cycle")
	})
}

func TestAutomationAssignsAndPosts(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		w.emu.AddChannel(slackemu.Channel{ID: escalateChan, Name: "escalations"})
		w.useConfig(t, "automations: []", `automations:
  - name: urgent incidents
    on: created
    if: {type: incident, priority: urgent, customer: ACME}
    then:
      - assign: `+agent2ID+`
      - post: {channel: `+escalateChan+`, text: "Urgent incident <!channel>"}
      - add_tag: escalated`)
		w.slash(t, agentID, triageChan, "/ticket", "Checkout is down !urgent #acme type:incident")
		post, err := w.emu.WaitCall(waitCtx(t), "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["channel"] == escalateChan
		})
		if err != nil {
			t.Fatalf("no post in the escalation channel: %v", err)
		}
		text := plainJSON(post.Params["text"])
		if !strings.Contains(text, "ACME-1") || !strings.Contains(text, "urgent incidents") || strings.Contains(text, "<!channel>") {
			t.Errorf("escalation post: %s", text)
		}
		w.eventually(t, "assigned by the rule", func() bool { return w.ticket(t, "ACME-1").AssigneeID == agent2ID })
		if _, err := w.emu.WaitCall(waitCtx(t), "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && strings.HasPrefix(c.Params["channel"], "D") && strings.Contains(c.Params["text"], "deskbot assigned you *ACME-1*")
		}); err != nil {
			t.Errorf("no DM to the assignee: %v", err)
		}
		w.settle(t) // whatever else was queued is delivered: a second DM would be among it
		var dms int
		for _, c := range w.emu.Calls("chat.postMessage") {
			if strings.HasPrefix(c.Params["channel"], "D") && strings.Contains(c.Params["text"], "assigned you") {
				dms++
			}
		}
		if dms != 1 {
			t.Errorf("%d assignment DMs, want one", dms)
		}
		ch, ts := w.cardTS(t, "ACME-1")
		// In the customer's channel, by name, never a mention.
		w.eventually(t, "the card shows the assignee", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(plainJSON(string(m.Blocks)), "*Assignee*\\nBo Agent")
		})
		w.slash(t, agentID, triageChan, "/desk", "automations")
		w.waitReply(t, "*urgent incidents* — on ticket created, if type is incident; priority is urgent; customer is ACME → assign "+agent2ID)
		w.slash(t, agentID, triageChan, "/desk", "automations test ACME-1")
		w.waitReply(t, "would fire: type is incident; priority is urgent; customer is ACME")
	})
}

func TestEditModal(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, triageChan, "/ticket", "Reports are slow #acme")
		ch, ts := w.cardTS(t, "ACME-1")
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "edit", "ACME-1")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatalf("no edit modal: %v", err)
		}
		view := openView(t, w, "edit_ticket")
		if strings.Contains(string(view.Blocks), "f_component") {
			t.Errorf("a question shows a bug's fields: %s", view.Blocks)
		}
		// Switching to bug redraws with the bug's fields and says where the status goes.
		if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, view, "type", "bug")); err != nil {
			t.Fatal(err)
		}
		w.eventually(t, "edit modal redrawn", func() bool {
			return strings.Contains(string(openView(t, w, "edit_ticket").Blocks), "f_component")
		})
		view = openView(t, w, "edit_ticket")
		values := map[string]map[string]any{
			"type":        {"type": slackemu.StaticSelect("bug")},
			"f_component": {"f_component": slackemu.TextInput("reports; drop table")},
			"f_version":   {"f_version": slackemu.TextInput("4.2.1")},
		}
		ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Errors map[string]string `json:"errors"`
		}
		_ = json.Unmarshal(ack.Payload, &resp)
		if !strings.Contains(resp.Errors["f_component"], "a component name of at most 60") {
			t.Fatalf("want the component error inline, got %s", ack.Payload)
		}
		values["f_component"] = map[string]any{"f_component": slackemu.TextInput("reports")}
		ack, _ = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
		if strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("valid edit refused: %s", ack.Payload)
		}
		tk := w.ticket(t, "ACME-1")
		if tk.Type != "bug" || tk.Fields["component"] != "reports" || tk.Version != "4.2.1" {
			t.Errorf("edited %+v", tk)
		}
		w.eventually(t, "card shows the new type", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(string(m.Blocks), "Bug")
		})
	})
}

func TestSurveyOneClick(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.useConfig(t, "on_resolve: false", "on_resolve: true")
	w.slash(t, agentID, triageChan, "/ticket", "Password reset mail never arrives #acme")
	ch, ts := w.cardTS(t, "ACME-1")
	w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "status", "ACME-1|resolved"))
	ask, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["blocks"], "survey_5")
	})
	if err != nil {
		t.Fatalf("no survey in the thread: %v", err)
	}
	if !strings.Contains(ask.Params["text"], "How did we do?") {
		t.Errorf("survey text %s", ask.Params["text"])
	}
	var surveyTS string
	for _, m := range w.emu.Messages(acmeChan) {
		if strings.Contains(string(m.Blocks), "survey_5") {
			surveyTS = m.TS
		}
	}
	w.emu.Interactive(ctx, slackemu.BlockAction(customerID, acmeChan, surveyTS, "survey_4", "ACME-1|4"))
	w.waitReply(t, "Your 4/5 for *ACME-1* is recorded")
	w.emu.Interactive(ctx, slackemu.BlockAction(agentID, acmeChan, surveyTS, "survey_5", "ACME-1|5"))
	w.waitReply(t, "The survey is for the customer")
	w.slash(t, agentID, triageChan, "/desk", "customer show acme")
	w.waitReply(t, "Satisfaction 4.0/5 over 1 answers")
}

func TestDeskCustomersAndReleases(t *testing.T) {
	w := start(t, "sqlite")
	steps := []struct{ text, want string }{
		{`customer add GLOBEX "Globex Corporation" tier=gold sla=gold rate=120 tz=America/New_York domains=globex.com version=4.2.1`, "Customer *GLOBEX* (Globex Corporation) added."},
		{"customer edit GLOBEX tier=silver channel=<#CGLOBEX|globex>", "tier silver"},
		{"customer edit GLOBEX teir=gold", `did you mean \"tier\"?`},
		{"customer globex version 4.2.0 2026-01-15", "moved to 4.2.0 on 2026-01-15. They run 4.2.1 now"},
		{"customer globex version 4.3.0", "moved to 4.3.0 today. They run 4.3.0 now"},
		{"customer show GLOBEX", "Versions: 4.2.0 since 2026-01-15 → 4.2.1 since"},
		{"customers", "*GLOBEX* Globex Corporation"},
		{"release 4.3.0", "Release *4.3.0* registered"},
		{"release 4.3.0", "was already registered"},
		{"release", "Released: 4.3.0"},
		{"types", "SLA paused while Waiting on customer"},
		{"config reload", "built-in configuration"},
		{"automations", "No automations yet"},
		{"link ACME-1 blocks", "Say `/desk link ACME-1 blocks ACME-2`"},
	}
	for _, s := range steps {
		w.slash(t, agentID, triageChan, "/desk", s.text)
		w.waitReply(t, s.want)
	}
	w.slash(t, agentID, triageChan, "/ticket", "Export fails #acme type:bug v:4.3.0")
	w.waitReply(t, "Created *ACME-1*")
	w.slash(t, agentID, triageChan, "/ticket", "Old version #acme type:bug v:4.2.9")
	w.waitReply(t, "Version 4.2.9 has not been released")
	// A follow-up linked by hand shows on both cards.
	w.slash(t, agentID, triageChan, "/ticket", "Export still slow #acme type:bug v:4.3.0")
	w.waitReply(t, "Created *ACME-2*")
	w.slash(t, agentID, triageChan, "/desk", "link ACME-2 follows ACME-1")
	w.waitReply(t, "*ACME-2* follows up *ACME-1*")
	// Posted or updated: the link's refresh may coalesce with the card's first post.
	if _, err := w.emu.WaitCall(waitCtx(t), "", func(c slackemu.Call) bool {
		return c.OK() && (c.Method == "chat.postMessage" || c.Method == "chat.update") &&
			strings.Contains(c.Params["blocks"], "Followed up in") && strings.Contains(c.Params["blocks"], "ACME-2")
	}); err != nil {
		t.Errorf("ACME-1's card does not say it was followed up: %v", err)
	}
	// A new bug goes through Open, as its workflow asks, and its customer hears of it.
	w.slash(t, agentID, triageChan, "/desk", "release 4.3.1 fixes ACME-1 ACME-7")
	w.waitReply(t, "Resolved, customers told: ACME-1")
	w.waitReply(t, ":warning: *ACME-7* not resolved: Ticket ACME-7 not found.")
	_, ts := w.cardTS(t, "ACME-1")
	if _, err := w.emu.WaitCall(waitCtx(t), "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "Version *4.3.1* fixes *ACME-1*")
	}); err != nil {
		t.Errorf("the customer was not told in the thread: %v", err)
	}
	if tk := w.ticket(t, "ACME-1"); tk.Status != "resolved" {
		t.Errorf("status %s", tk.Status)
	}
	// The version chart: ACME-1 came in this week on 4.3.0, where GLOBEX runs.
	w.slash(t, agentID, triageChan, "/desk", "versions 4")
	reply := plainJSON(string(w.waitReply(t, "Tickets per version").Body))
	if !strings.Contains(reply, "4.3.0") || !strings.Contains(reply, "GLOBEX") || !strings.Contains(reply, "all") {
		t.Errorf("versions chart: %s", reply)
	}
}

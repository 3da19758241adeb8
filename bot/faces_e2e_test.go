package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The two faces of a ticket, end to end. After every agent action, what
// the customer reads in their shared channel — the card and its thread —
// has the status in their words, the assignee by name and the SLA
// promise, and none of our timers, time logged, internal links, agents'
// mentions or notes; the agent who clicks the card's Agent actions gets
// the working face with all of it, privately. An agent's reply starting
// with // is kept as an internal note and its author told, privately,
// that Slack lets only them delete it.
func TestTwoFacesOfATicket(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		if _, err := w.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", Name: "Globex"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "GLOBEX", Title: "Globex's outage", Source: domain.SourceSlash}); err != nil {
			t.Fatal(err)
		}
		w.slash(t, agentID, triageChan, "/ticket", "Exports time out !high #acme")
		ch, ts := w.cardTS(t, "ACME-1")
		click := func(action, value string) {
			t.Helper()
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, action, value)); err != nil {
				t.Fatal(err)
			}
		}
		// customerReads is the card and every message of its thread as
		// the customer sees them, but the agents' own replies: Slack lets
		// only their authors delete those.
		customerReads := func() string {
			var b strings.Builder
			for _, m := range w.emu.Messages(ch) {
				if m.Ephemeral || m.User == agentID || m.User == agent2ID || (m.ThreadTS != ts && m.TS != ts) {
					continue
				}
				b.WriteString(m.Text + string(m.Blocks) + "\n")
			}
			return plainJSON(b.String())
		}
		check := func(step string, want ...string) {
			t.Helper()
			// The card's last update may follow the outbox's last row by a
			// moment (a change that followed a delivery in flight): wait for
			// what the customer must read, then look for what they must not.
			w.eventually(t, "the customer's card after "+step, func() bool {
				n, err := w.db.OutboxPending(context.Background())
				if err != nil || n != 0 {
					return false
				}
				seen := customerReads()
				for _, s := range want {
					if !strings.Contains(seen, s) {
						return false
					}
				}
				return true
			})
			seen := customerReads()
			for _, bad := range []string{"timer", "Time logged", "<@" + agentID, "<@" + agent2ID, "GLOBEX", "Globex", "db password", "on track", "at risk"} {
				if strings.Contains(seen, bad) {
					t.Errorf("after %s the customer reads %q:\n%s", step, bad, seen)
				}
			}
			for _, s := range want {
				if !strings.Contains(seen, s) {
					t.Errorf("after %s the customer does not read %q:\n%s", step, s, seen)
				}
			}
		}
		check("creation", "Received", "First response by", "not assigned yet", "Agent actions")

		click("work", "ACME-1")
		w.waitReply(t, `"action_id":"assign_me"`)
		click("assign_me", "ACME-1")
		w.waitReply(t, "You now own *ACME-1*.")
		check("assignment", "Ana Agent")

		click("timer_start", "ACME-1")
		w.waitReply(t, "Timer started on *ACME-1*")
		check("a timer started")

		click("status", "ACME-1|in_progress")
		w.waitReply(t, "*ACME-1* is now In progress.")
		check("a move", "We're on it")

		if _, err := w.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "1h30", Note: "profiling"}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Link(ctx, agent, "GLOBEX-1", domain.LinkBlocks, "ACME-1"); err != nil {
			t.Fatal(err)
		}
		check("time and a link", "Blocked by an internal task")

		// A due date kept to ourselves, then shown; a severity.
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 due +3d")
		w.waitReply(t, "for agents only")
		check("a private due date")
		if seen := customerReads(); strings.Contains(seen, "Due") {
			t.Errorf("the customer reads a private due date:\n%s", seen)
		}
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 due +3d public")
		w.waitReply(t, "the customer sees it")
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 severity critical")
		w.waitReply(t, "is now severity critical")
		check("a public due date and a severity", ":calendar: Due", "severity critical")

		// A note, in the customer's thread.
		w.emu.Event(ctx, slackemu.MessageEvent(ch, agentID, "// db password rotated, retry tomorrow", ts))
		if _, err := w.emu.WaitCall(ctx, "chat.postEphemeral", func(c slackemu.Call) bool {
			return c.OK() && c.Params["user"] == agentID && strings.Contains(c.Params["text"], "Kept as an internal note")
		}); err != nil {
			t.Fatalf("the author was not told: %v", err)
		}
		w.eventually(t, "the note", func() bool {
			cs, _, _ := w.svc.History(ctx, agent, "ACME-1")
			for _, c := range cs {
				if c.Body == "db password rotated, retry tomorrow" {
					return !c.Public
				}
			}
			return false
		})
		// A plain reply stays public.
		w.emu.Event(ctx, slackemu.MessageEvent(ch, agentID, "Working on it", ts))
		check("a note and a reply")
		cs, _, _ := w.svc.History(ctx, domain.Actor{UserID: customerID, Role: domain.RoleCustomer, CustomerID: w.acme.ID}, "ACME-1")
		for _, c := range cs {
			if strings.Contains(c.Body, "db password") {
				t.Errorf("the customer's history has the note: %+v", c)
			}
		}

		// The working face, to the agent alone, has all of it.
		before := len(w.emu.Calls("response_url"))
		click("work", "ACME-1")
		w.eventually(t, "the working face", func() bool { return len(w.emu.Calls("response_url")) > before })
		face := plainJSON(string(w.emu.Calls("response_url")[before].Body))
		for _, s := range []string{"has a timer running", "1h30", "GLOBEX-1", "<@" + agentID + ">", "In progress", `"action_id":"log_time"`,
			"the customer sees it", "severity critical"} {
			if !strings.Contains(face, s) {
				t.Errorf("the working face lacks %q: %s", s, face)
			}
		}
		// The working face's Internal note: kept, never posted.
		click("note", "ACME-1")
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatal(err)
		}
		view := openView(t, w, "internal_note")
		if ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view,
			map[string]map[string]any{"body": {"body": slackemu.TextInput("db password is in the vault")}})); err != nil || strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("note submission: %v %s", err, ack.Payload)
		}
		w.eventually(t, "the note from the modal", func() bool {
			cs, _, _ := w.svc.History(ctx, agent, "ACME-1")
			for _, c := range cs {
				if c.Body == "db password is in the vault" {
					return !c.Public
				}
			}
			return false
		})
		check("a note from the modal")
		// A customer who clicks Agent actions is told, privately.
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(customerID, ch, ts, "work", "ACME-1")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, "Only support agents can work on tickets")
	})
}

// A customer's lists, in every layout, show the customer's face: the
// assignee by name, the status in their words, what we promised; an
// agent's same list keeps the working face with mentions and SLA marks.
func TestCustomerListsShowTheCustomersFace(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		tk, err := w.svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "Reports are empty", Priority: "high",
			AssigneeID: agentID, Source: domain.SourceSlash})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ChangeStatus(ctx, agent, tk.Key(), "in_progress"); err != nil {
			t.Fatal(err)
		}
		answer := func(user, text string) string {
			t.Helper()
			before := len(w.emu.Calls("response_url"))
			w.as(t, user, acmeChan, "/ticket", text)
			var out strings.Builder
			for _, c := range w.emu.Calls("response_url")[before:] {
				out.Write(c.Body)
			}
			return plainJSON(out.String())
		}
		for _, q := range []string{"list", "list all as:cards", "list all group:assignee", "list all as:calendar due:this-month", "list all as:tree"} {
			seen := answer(customerID, q)
			// The tree names no one; the calendar says no status.
			for _, s := range []string{"Ana Agent", "We're on it"} {
				if !strings.Contains(seen, s) && !(s == "We're on it" && strings.Contains(q, "calendar")) && !(s == "Ana Agent" && strings.Contains(q, "tree")) {
					t.Errorf("the customer's %q lacks %q: %s", q, s, seen)
				}
			}
			for _, s := range []string{"<@", ":stopwatch:", "In progress", `"action_id":"timer_start"`} {
				if strings.Contains(seen, s) {
					t.Errorf("the customer's %q shows %q: %s", q, s, seen)
				}
			}
			if q == "list" && !strings.Contains(seen, "promised by") {
				t.Errorf("the customer's list lacks the promise: %s", seen)
			}
		}
		if seen := answer(agentID, "list all"); !strings.Contains(seen, "<@"+agentID+">") || !strings.Contains(seen, ":stopwatch: SLA") {
			t.Errorf("the agent's list lost the working face: %s", seen)
		}
	})
}

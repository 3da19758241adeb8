package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestCustomerChannelMessages(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "thanks!", ""))
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "Our dashboard shows <!channel> errors\nsince 9:00", ""))
		first := w.emu.Messages(acmeChan)[1].TS
		card, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool { return c.OK() && c.Params["thread_ts"] == first })
		if err != nil {
			t.Fatalf("no card in the customer's thread: %v", err)
		}
		if strings.Contains(card.Params["blocks"], "<!channel>") {
			t.Errorf("the customer's text pings: %s", card.Params["blocks"])
		}
		// A follow-up within the window joins the open ticket.
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "also the export", ""))
		// An agent answers in the thread: a public comment and the first response.
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, agentID, "Looking into it", first))
		w.eventually(t, "first response", func() bool { return w.ticket(t, "ACME-1").FirstResponseAt != nil })
		// The follow-up and the reply run on different workers: wait for both.
		var reply *domain.Comment
		w.eventually(t, "both comments", func() bool {
			cs, _, _ := w.svc.History(ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-1")
			reply = nil
			bodies := map[string]bool{}
			for _, c := range cs {
				bodies[c.Body] = c.Public
				if c.Body == "Looking into it" {
					reply = c
				}
			}
			return len(cs) == 2 && bodies["also the export"] && bodies["Looking into it"]
		})
		tk := w.ticket(t, "ACME-1")
		if tk.RequesterID != customerID || tk.Source != domain.SourceChannel || tk.Title != "Our dashboard shows <!channel> errors" {
			t.Errorf("ticket %+v", tk)
		}
		// Editing the reply edits the comment.
		edit := map[string]any{"type": "message", "subtype": "message_changed", "channel": acmeChan,
			"message": map[string]any{"type": "message", "user": agentID, "text": "Looking into it now", "ts": reply.SourceRef, "thread_ts": first}}
		w.emu.Event(ctx, edit)
		w.eventually(t, "comment edited", func() bool {
			cs, _, _ := w.svc.History(ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-1")
			for _, c := range cs {
				if c.ID == reply.ID {
					return c.Body == "Looking into it now"
				}
			}
			return false
		})
		_, total, _ := w.svc.ListTickets(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TicketFilter{})
		if total != 1 {
			t.Errorf("%d tickets; the pleasantry and the follow-up must not open any", total)
		}
	})
}

func (w *world) cardTS(t *testing.T, key string) (string, string) {
	t.Helper()
	w.eventually(t, key+" card", func() bool {
		tk, err := w.svc.Ticket(waitCtx(t), domain.Actor{Role: domain.RoleAgent}, key)
		return err == nil && tk.SlackTS != ""
	})
	tk := w.ticket(t, key)
	return tk.SlackChannel, tk.SlackTS
}

func TestCardButtons(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, triageChan, "/ticket", "Slow search #acme type:bug")
		ch, ts := w.cardTS(t, "ACME-1")
		click := func(user, action, value string) {
			t.Helper()
			ack, err := w.emu.Interactive(ctx, slackemu.BlockAction(user, ch, ts, action, value))
			if err != nil || ack.Latency > 3*time.Second {
				t.Fatalf("click %s: %v %v", action, err, ack)
			}
		}
		// The card in the customer's channel has one agent control: it
		// shows the working face, with every action, to the agent alone.
		click(agentID, "work", "ACME-1")
		w.waitReply(t, `"action_id":"timer_start"`)
		click(agentID, "timer_start", "ACME-1")
		w.waitReply(t, "Timer started on *ACME-1*")
		w.eventually(t, "card refreshed", func() bool { m, _ := w.emu.Message(ch, ts); return m.Edited })
		click(agentID, "work", "ACME-1")
		w.waitReply(t, "has a timer running")
		if m, _ := w.emu.Message(ch, ts); strings.Contains(string(m.Blocks), "timer") || strings.Contains(string(m.Blocks), "Time logged") {
			t.Errorf("the customer's card shows our timers: %s", m.Blocks)
		}
		click(agentID, "timer_stop", "ACME-1")
		w.waitReply(t, "Timer stopped on *ACME-1*")
		click(agentID, "assign_me", "ACME-1")
		w.waitReply(t, "You now own *ACME-1*.")
		// The workflow refuses a bug's move from new to resolved.
		click(agentID, "status", "ACME-1|resolved")
		w.waitReply(t, "A ticket cannot go from New to Resolved")
		click(agentID, "status", "ACME-1|in_progress")
		w.waitReply(t, "*ACME-1* is now In progress.")
		// A customer cannot do agent work.
		click(customerID, "assign_me", "ACME-1")
		w.waitReply(t, "Only support agents can assign tickets.")
		w.eventually(t, "card updated", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(plainJSON(string(m.Blocks)), "We're on it") && strings.Contains(plainJSON(string(m.Blocks)), "Ana Agent")
		})
		if tk := w.ticket(t, "ACME-1"); tk.AssigneeID != agentID || tk.Status != "in_progress" {
			t.Errorf("ticket %+v", tk)
		}
	})
}

func TestLogTimeModalBadDuration(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, triageChan, "/ticket", "Upgrade to 4.3 #acme")
		ch, ts := w.cardTS(t, "ACME-1")
		w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "log_time", "ACME-1"))
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatal(err)
		}
		view := openView(t, w, "log_time")
		values := map[string]map[string]any{"duration": {"duration": slackemu.TextInput("an hour")}}
		ack, _ := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
		var resp struct {
			Errors map[string]string `json:"errors"`
		}
		json.Unmarshal(ack.Payload, &resp)
		if !strings.Contains(resp.Errors["duration"], `"an hour" is not a duration`) {
			t.Fatalf("want the duration error inline, got %s", ack.Payload)
		}
		values["duration"] = map[string]any{"duration": slackemu.TextInput("1h30")}
		ack, _ = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
		if strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("valid duration refused: %s", ack.Payload)
		}
		// Time logged shows on the working face only.
		w.eventually(t, "card refreshed", func() bool { m, _ := w.emu.Message(ch, ts); return m.Edited })
		w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-1"))
		w.waitReply(t, "1h30")
		if m, _ := w.emu.Message(ch, ts); strings.Contains(string(m.Blocks), "1h30") {
			t.Errorf("the customer's card shows time logged: %s", m.Blocks)
		}
	})
}

func TestReconnectAfterDisconnect(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.emu.Disconnect("refresh_requested")
	if err := w.emu.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("no reconnect: %v", err)
	}
	w.slash(t, agentID, triageChan, "/ticket", "After reconnect #acme")
	w.waitCard(t, acmeChan, "After reconnect")
	w.emu.DropConnection()
	if err := w.emu.WaitConnections(ctx, 3); err != nil {
		t.Fatalf("no reconnect after a dropped socket: %v", err)
	}
	w.slash(t, agentID, triageChan, "/ticket", "After drop #acme")
	w.waitCard(t, acmeChan, "After drop")
}

func TestRateLimitedThenDelivered(t *testing.T) {
	w := start(t, "sqlite")
	w.emu.RateLimit("chat.postMessage", 2, time.Second)
	w.slash(t, agentID, triageChan, "/ticket", "Survives a 429 #acme")
	card := w.waitCard(t, acmeChan, "Survives a 429")
	var limited int
	for _, c := range w.emu.Calls("chat.postMessage") {
		if c.Status == 429 {
			limited++
			if card.At.Sub(c.At) < 900*time.Millisecond && c.At.Before(card.At) && limited == 2 {
				t.Errorf("retried before Retry-After: %v after the 429", card.At.Sub(c.At))
			}
		}
	}
	if limited != 2 {
		t.Errorf("%d rate-limited calls, want 2", limited)
	}
	if posted := len(w.emu.Messages(acmeChan)); posted != 1 {
		t.Errorf("%d cards posted, want exactly one", posted)
	}
}

func TestAppHome(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.slash(t, agentID, triageChan, "/ticket", "Mine <@"+agentID+"> #acme")
	w.waitCard(t, acmeChan, "Mine")
	w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": agentID, "tab": "home"})
	if _, err := w.emu.WaitCall(ctx, "views.publish", func(c slackemu.Call) bool { return c.OK() }); err != nil {
		t.Fatal(err)
	}
	home, ok := w.emu.HomeView(agentID)
	if !ok || !strings.Contains(string(home.Blocks), "Your queue (1)") || !strings.Contains(string(home.Blocks), "ACME-1") {
		t.Errorf("home %s", home.Blocks)
	}
}

// Slack resends an envelope it got no ack for, with the same envelope id:
// the inbox recognises the resend, which is acknowledged and does nothing
// more: one ticket, one answer.
func TestRedeliveredSlashEnvelope(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	cmd := slackemu.SlashCommand{Command: "/ticket", Text: "Only once #acme", UserID: agentID, ChannelID: triageChan}
	for i := 0; i < 2; i++ {
		if _, err := w.emu.SlashCommand(ctx, cmd, slackemu.SameEnvelopeID("env-1"), slackemu.RetryAttempt(i)); err != nil {
			t.Fatal(err)
		}
	}
	w.waitCard(t, acmeChan, "Only once")
	// Both envelopes were acknowledged (SlashCommand returned) before the
	// card came: a second answer would have been sent by now.
	w.eventually(t, "answered", func() bool { return len(w.emu.Calls("response_url")) >= 1 })
	if n := len(w.emu.Calls("response_url")); n != 1 {
		t.Errorf("%d answers to one redelivered command", n)
	}
	if _, total, _ := w.svc.ListTickets(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TicketFilter{}); total != 1 {
		t.Errorf("%d tickets from one redelivered command", total)
	}
}

// `/desk view` and `/desk sla` reach their handlers through the real slash command.
func TestDeskViewAndSLACommands(t *testing.T) {
	w := start(t, "sqlite")
	w.slash(t, agentID, triageChan, "/ticket", "Broken export !high #acme")
	w.waitCard(t, acmeChan, "Broken export")
	w.slash(t, agentID, triageChan, "/desk", `view save "Acme high" customer:acme priority:high`)
	w.waitReply(t, "Acme high")
	w.slash(t, agentID, triageChan, "/desk", "view list")
	w.eventually(t, "the saved view listed", func() bool {
		calls := w.emu.Calls("response_url")
		return len(calls) > 0 && strings.Contains(string(calls[len(calls)-1].Body), "Acme high")
	})
	w.slash(t, agentID, triageChan, "/desk", `view run "Acme high"`)
	w.waitReply(t, "ACME-1")
	w.slash(t, agentID, triageChan, "/desk", "sla report acme")
	w.waitReply(t, "SLA compliance")
}

// The customer's message a ticket came from is edited: the description
// follows, with an event; then deleted: the card says so, the ticket
// keeps its description.
func TestOriginalMessageEditedThenDeleted(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, customerID, "Login fails on Safari", ""))
		orig := w.emu.Messages(acmeChan)[0].TS
		w.eventually(t, "the ticket", func() bool {
			tk, err := w.svc.Ticket(ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-1")
			return err == nil && tk.SlackTS != ""
		})
		edited := map[string]any{"type": "message", "subtype": "message_changed", "channel": acmeChan,
			"message": map[string]any{"type": "message", "user": customerID, "text": "Login fails on Safari 17 and Firefox", "ts": orig, "thread_ts": orig}}
		w.emu.Event(ctx, edited)
		w.eventually(t, "the description follows", func() bool {
			return w.ticket(t, "ACME-1").Description == "Login fails on Safari 17 and Firefox"
		})
		_, es, _ := w.svc.History(ctx, domain.Actor{Role: domain.RoleAgent}, "ACME-1")
		var recorded bool
		for _, e := range es {
			recorded = recorded || e.Kind == commands.EventDescription && e.OldValue == "Login fails on Safari" && e.Actor == customerID
		}
		if !recorded {
			t.Errorf("no event for the edit: %+v", es)
		}
		deleted := map[string]any{"type": "message", "subtype": "message_deleted", "channel": acmeChan, "deleted_ts": orig,
			"previous_message": map[string]any{"type": "message", "user": customerID, "text": "Login fails on Safari 17 and Firefox", "ts": orig}}
		w.emu.Event(ctx, deleted)
		ch, ts := w.cardTS(t, "ACME-1")
		w.eventually(t, "the card notes the deletion", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(string(m.Blocks), "was deleted")
		})
		if tk := w.ticket(t, "ACME-1"); tk.Description != "Login fails on Safari 17 and Firefox" {
			t.Errorf("description after the deletion: %q", tk.Description)
		}
	})
}

// Due date and severity from the command line, shown on the card: the
// customer's face shows a due date only when it is public.
func TestDueAndSeverityFromSlack(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, triageChan, "/ticket", "Reports are slow #acme")
		ch, ts := w.cardTS(t, "ACME-1")
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 due someday")
		w.waitReply(t, `\"someday\" is not a due date`)
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 due today 23:59")
		w.waitReply(t, "(for agents only; add `public` to show the customer)")
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 severity critical")
		w.waitReply(t, "*ACME-1* is now severity critical.")
		w.eventually(t, "the card shows the severity", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(string(m.Blocks), "severity critical")
		})
		if m, _ := w.emu.Message(ch, ts); strings.Contains(string(m.Blocks), ":calendar: Due") {
			t.Errorf("the customer sees an agents-only due date: %s", m.Blocks)
		}
		w.slash(t, agentID, triageChan, "/ticket", "ACME-1 due today 23:59 public")
		w.waitReply(t, "the customer sees it")
		w.eventually(t, "the customer's card shows the due date", func() bool {
			m, _ := w.emu.Message(ch, ts)
			return strings.Contains(string(m.Blocks), ":calendar: Due")
		})
		w.slash(t, agentID, triageChan, "/ticket", "list as:calendar")
		w.waitReply(t, "_due date_")
		w.slash(t, customerID, acmeChan, "/ticket", "ACME-1 severity minor")
		w.waitReply(t, "Only support agents can set severities.")
	})
}

// The card's Edit form sets severity and the due date; a bad date is
// refused on its field.
func TestEditFormSetsSeverityAndDue(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.slash(t, agentID, triageChan, "/ticket", "Exports are slow #acme")
	ch, ts := w.cardTS(t, "ACME-1")
	if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "edit", "ACME-1")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
		t.Fatalf("no edit modal: %v", err)
	}
	view := openView(t, w, "edit_ticket")
	values := map[string]map[string]any{
		"type":       {"type": slackemu.StaticSelect("question")},
		"severity":   {"severity": slackemu.StaticSelect("major")},
		"due":        {"due": slackemu.TextInput("next blue moon")},
		"due_public": {"due_public": slackemu.StaticSelect("public")},
	}
	ack, _ := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
	if !strings.Contains(string(ack.Payload), `"due"`) || !strings.Contains(string(ack.Payload), "is not a due date") {
		t.Fatalf("want the due error inline, got %s", ack.Payload)
	}
	values["due"] = map[string]any{"due": slackemu.TextInput("2030-01-15 10:00")}
	if ack, _ = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values)); strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("valid edit refused: %s", ack.Payload)
	}
	tk := w.ticket(t, "ACME-1")
	paris, _ := time.LoadLocation("Europe/Paris") // the agent's zone
	if tk.Severity != "major" || tk.DueAt == nil || !tk.DueAt.Equal(time.Date(2030, 1, 15, 10, 0, 0, 0, paris)) || !tk.DuePublic {
		t.Errorf("after the edit: severity %q due %v public %v", tk.Severity, tk.DueAt, tk.DuePublic)
	}
}

// An input is marked done after its work, apart from the acks: the inbox's
// backlog drains, so nothing is taken again after a restart.
func TestInboxInputsMarkedDone(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := start(t, d)
			ctx := waitCtx(t)
			for _, title := range []string{"Done one", "Done two"} {
				cmd := slackemu.SlashCommand{Command: "/ticket", Text: title + " #acme", UserID: agentID, ChannelID: triageChan}
				if _, err := w.emu.SlashCommand(ctx, cmd); err != nil {
					t.Fatal(err)
				}
			}
			w.waitCard(t, acmeChan, "Done two")
			w.eventually(t, "inputs marked done", func() bool {
				s, err := w.db.Cluster(ctx, time.Minute)
				return err == nil && s.InboxBacklog == 0
			})
		})
	}
}

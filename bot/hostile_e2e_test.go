package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain"
)

// Slack's JSON carries \u0000 and the bidirectional overrides; the bot
// cleans them at the edge, so a NUL anywhere ends in a stored, cleaned
// value and the normal answer on both databases — never "Internal error",
// never a control character posted back into Slack.
func TestNULInputIsCleanedEndToEnd(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		agent := domain.Actor{Role: domain.RoleAgent}

		// A title.
		w.slash(t, agentID, triageChan, "/ticket", "Printer\x00 on fire\x07 #acme")
		w.waitReply(t, "Created *ACME-1*")
		card := w.waitCard(t, acmeChan, "Printer on fire")
		if strings.Contains(card.Params["blocks"], `\u0000`) || strings.Contains(card.Params["text"], "\x00") {
			t.Errorf("a NUL reached Slack: %s", card.Params["blocks"])
		}
		if tk := w.ticket(t, "ACME-1"); tk.Title != "Printer on fire" {
			t.Errorf("title stored as %q", tk.Title)
		}

		// A create form's description.
		w.slash(t, agentID, acmeChan, "/ticket", "")
		if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatalf("no modal: %v", err)
		}
		view := openView(t, w, "create_ticket")
		ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{
			"title":       {"title": slackemu.TextInput("Login\x00 loops")},
			"description": {"description": slackemu.TextInput("Steps:\x00\n1. log in\r\n2. \x1b[31mloop")},
			"customer":    {"customer": slackemu.StaticSelect("ACME")},
			"type":        {"type": slackemu.StaticSelect("question")},
			"priority":    {"priority": slackemu.StaticSelect("normal")},
		}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(ack.Payload), "errors") {
			t.Fatalf("the form was refused: %s", ack.Payload)
		}
		w.waitCard(t, acmeChan, "Login loops")
		if tk := w.ticket(t, "ACME-2"); tk.Title != "Login loops" || tk.Description != "Steps:\n1. log in\n2. [31mloop" {
			t.Errorf("form stored as title %q, description %q", tk.Title, tk.Description)
		}

		// A thread reply.
		_, ts := w.cardTS(t, "ACME-1")
		if _, err := w.emu.Event(ctx, slackemu.MessageEvent(acmeChan, agentID, "Looking\x00 into it", ts)); err != nil {
			t.Fatal(err)
		}
		w.eventually(t, "the reply stored", func() bool {
			cs, _, _ := w.svc.History(ctx, agent, "ACME-1")
			return len(cs) == 1 && cs[0].Body == "Looking into it"
		})

		// A time note.
		w.slash(t, agentID, triageChan, "/time", "log ACME-1 1h toner\x00 swap")
		w.waitReply(t, "Logged 1h on *ACME-1*")
		tk := w.ticket(t, "ACME-1")
		entries, err := w.svc.TimeEntries(ctx, domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}, domain.TimeFilter{TicketID: tk.ID})
		if err != nil || len(entries) != 1 || entries[0].Note != "toner swap" {
			t.Errorf("time entries %+v, %v", entries, err)
		}

		// A right-to-left override in a title is shown, not obeyed.
		w.slash(t, agentID, triageChan, "/ticket", "invoice\u202efdp.exe #acme")
		w.waitReply(t, "Created *ACME-3*")
		if tk := w.ticket(t, "ACME-3"); tk.Title != "invoice[U+202E]fdp.exe" {
			t.Errorf("title stored as %q", tk.Title)
		}

		for _, c := range w.emu.Calls("") {
			body := string(c.Body)
			if raw, _ := json.Marshal(c.Params); len(raw) > 0 {
				body += string(raw)
			}
			if strings.Contains(body, "Internal error") {
				t.Errorf("%s answered Internal error: %s", c.Method, body)
			}
			if strings.Contains(body, `\u0000`) || strings.Contains(body, "\u202e") || strings.Contains(body, `\u202e`) {
				t.Errorf("%s carried a control character to Slack: %s", c.Method, body)
			}
		}
	})
}

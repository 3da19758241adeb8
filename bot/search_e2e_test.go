package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// `/ticket search` finds a closed ticket by a phrase from its thread, best
// match first, with the matching line; a customer searching from their
// channel never matches nor reads an internal note.
func TestTicketSearchE2E(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		mk := func(title string) string {
			tk, err := w.svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: title, Source: domain.SourceSlash})
			if err != nil {
				t.Fatal(err)
			}
			return tk.Key()
		}
		say := func(key, body string, public bool) {
			if _, err := w.svc.Comment(ctx, agent, key, commands.CommentInput{Body: body, Public: public}); err != nil {
				t.Fatal(err)
			}
		}
		old := mk("Export hangs")
		say(old, "We restarted the worker.\nThe <b>nightly export</b> & the bank transfer file now arrive on time.", true)
		say(old, "Internal: the customer's firewall is misconfigured, tell nobody.", false)
		if _, err := w.svc.ChangeStatus(ctx, agent, old, "resolved"); err != nil {
			t.Fatal(err)
		}
		other := mk("Bank holiday schedule")
		mk("Unrelated printer")
		w.settle(t)

		call := w.answer(t, "/ticket", `search "bank transfer"`)
		body := plainJSON(string(call.Body))
		if !call.OK() || !strings.Contains(body, old) || strings.Contains(body, other) {
			t.Fatalf("phrase search: %s\n%s", call.Response, body)
		}
		// PostgreSQL's headline drops what looks like a tag and bolds each
		// word of a phrase; FTS5 keeps the text and bolds the phrase.
		if !strings.Contains(body, "*bank* *transfer*") && !strings.Contains(body, "&lt;b&gt;nightly export&lt;/b&gt; &amp; the *bank transfer*") ||
			!strings.Contains(body, "nightly export") || !strings.Contains(body, "&amp;") || strings.Contains(body, "<b>") {
			t.Errorf("the matching line, escaped, the match in bold: %s", body)
		}
		call = w.answer(t, "/ticket", "search bank")
		body = plainJSON(string(call.Body))
		if i, j := strings.Index(body, other), strings.Index(body, old); i < 0 || j < 0 || i > j {
			t.Errorf("the title match first (%d, %d): %s", i, j, body)
		}
		call = w.answer(t, "/ticket", "search firewa*")
		if body = plainJSON(string(call.Body)); !strings.Contains(body, old) || !strings.Contains(body, "*firewall*") {
			t.Errorf("agent prefix search in a note: %s", body)
		}

		// The customer, in their shared channel.
		for q, want := range map[string]bool{"firewall": false, "misconfigured nobody": false, "nightly": true} {
			before := len(w.emu.Calls("response_url"))
			w.slash(t, customerID, acmeChan, "/ticket", "search "+q)
			w.eventually(t, "an answer to "+q, func() bool { return len(w.emu.Calls("response_url")) > before })
			body := plainJSON(string(w.emu.Calls("response_url")[before].Body))
			if strings.Contains(body, old) != want || strings.Contains(body, "Internal") {
				t.Errorf("customer search %q: want the ticket %v: %s", q, want, body)
			}
		}
	})
}

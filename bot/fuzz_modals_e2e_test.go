package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail/mailtest"
)

// fuzzModals are the modals FuzzSlackInput fills, beside the create form.
var fuzzModals = []string{"edit_ticket", "log_time", "reply_customer", "internal_note", "edit_time", "stop_at", "add_customer", "link_channel"}

// modal opens one of fuzzModals as the agent would (a card's button, the
// timesheet's menu, the forgotten-timer DM's button, the Home's steps),
// submits it with text in one of its text inputs — field picks which; the
// others keep what the form offered, or a valid value — and checks the
// answer: refused with a message on a field, or accepted and stored.
func (w *fuzzWorld) modal(t *testing.T, which int, text string, field uint8) {
	t.Helper()
	ctx := fuzzCtx(t)
	callback := fuzzModals[which]
	w.n++
	key := ""
	if callback != "add_customer" && callback != "link_channel" {
		key = w.fuzzTicket(t, callback == "reply_customer")
	}
	action, value := map[string]string{"edit_ticket": "edit", "log_time": "log_time", "reply_customer": "reply_customer",
		"internal_note": "note", "add_customer": "onboard_customer", "link_channel": "onboard_link"}[callback], key
	var selected string
	switch callback {
	case "edit_time":
		e, err := w.svc.LogTime(ctx, fuzzAgent, commands.LogTimeInput{Key: key, Duration: "1h", Note: "fuzz"})
		if err != nil {
			t.Fatal(err)
		}
		action, selected = "entry_edit_menu", "entry_edit|"+strconv.FormatInt(e.ID, 10)
	case "stop_at":
		// Started a minute after midnight in the agent's zone, so any time
		// typed since is a valid end.
		paris, _ := time.LoadLocation("Europe/Paris")
		y, m, d := time.Now().In(paris).Date()
		w.clock.Set(time.Date(y, m, d, 0, 1, 0, 0, paris))
		r, err := w.svc.StartTimer(ctx, fuzzAgent, key)
		w.clock.Set(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		action, value = "entry_stop_at", strconv.FormatInt(r.Started.ID, 10)
	}
	stored := w.storedCheck(t, callback, key)
	p := slackemu.BlockAction(agentID, triageChan, "", action, value)
	if selected != "" {
		p["actions"] = []any{map[string]any{"action_id": action, "block_id": "", "type": "overflow",
			"selected_option": map[string]any{"value": selected, "text": map[string]any{"type": "plain_text", "text": "Edit"}}}}
	}
	trigger := w.emu.Trigger(agentID)
	p["trigger_id"] = trigger
	if _, err := w.emu.Interactive(ctx, p); err != nil {
		t.Fatal(err)
	}
	view := w.openedView(t, ctx, trigger, callback)
	values := fillForm(t, view, text, field, map[string]string{"name": "Fuzz Corp", "key": fmt.Sprintf("FZ%d", w.n), "body": "fuzz",
		"duration": "1h", "end": "00:01", "domains": "", "note": ""})
	if callback == "link_channel" {
		values["channel"] = map[string]any{"channel": map[string]any{"type": "conversations_select", "selected_conversation": acmeChan}}
		values["customer"] = map[string]any{"customer": slackemu.StaticSelect(text)}
	}
	ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(ack.Payload, &resp)
	if resp.Action == "errors" {
		for f, msg := range resp.Errors {
			if msg == "" || strings.Contains(msg, "Internal error") {
				t.Fatalf("%s %q refused on %s with %q", callback, text, f, msg)
			}
		}
		return
	}
	for stored != nil && !stored() {
		if ctx.Err() != nil {
			t.Fatalf("%s %q accepted (%s) but not stored", callback, text, ack.Payload)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fuzzTicket is a fresh ticket (a modal changes it); a mail ticket, made
// once, for the reply, whose requester is reachable only by mail.
func (w *fuzzWorld) fuzzTicket(t *testing.T, byMail bool) string {
	t.Helper()
	ctx := fuzzCtx(t)
	if byMail {
		if w.mailKey == "" {
			raw := mailtest.Mail{From: "Cy <cy@acme.com>", To: "support@vendor.com", Subject: "Fuzz by mail",
				MessageID: "fuzz@acme.com", Body: "Hello"}.Bytes()
			r, err := w.svc.IngestEmail(ctx, raw, "smtp", "support@vendor.com")
			if err != nil {
				t.Fatal(err)
			}
			w.mailKey = r.TicketKey
		}
		return w.mailKey
	}
	tk, err := w.svc.CreateTicket(ctx, fuzzAgent, commands.TicketInput{CustomerKey: "ACME", Title: "fuzz form", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	return tk.Key()
}

// storedCheck is what an accepted submission must have stored; nil when
// acceptance alone says enough (edits that may change nothing).
func (w *fuzzWorld) storedCheck(t *testing.T, callback, key string) func() bool {
	t.Helper()
	ctx := fuzzCtx(t)
	comments := func() int {
		cs, _, err := w.svc.History(ctx, fuzzAgent, key)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	switch callback {
	case "reply_customer", "internal_note":
		before := comments()
		return func() bool { return comments() > before }
	case "log_time", "stop_at":
		return func() bool {
			tk := w.ticket(t, key)
			v, err := w.svc.CardFor(ctx, fuzzAgent, tk.ID)
			return err == nil && v.Logged > 0 && len(v.Running) == 0
		}
	case "add_customer":
		ps, _ := w.svc.Customers(ctx, fuzzAgent)
		return func() bool { now, _ := w.svc.Customers(ctx, fuzzAgent); return len(now) > len(ps) }
	}
	return nil
}

// openedView waits for the modal opened with trigger.
func (w *fuzzWorld) openedView(t *testing.T, ctx context.Context, trigger, callback string) slackemu.View {
	t.Helper()
	call, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.Params["trigger_id"] == trigger })
	if err != nil || !call.OK() {
		t.Fatalf("no %s modal: %v %s", callback, err, call.Response)
	}
	var opened struct {
		View struct {
			ID string `json:"id"`
		} `json:"view"`
	}
	_ = json.Unmarshal(call.Response, &opened)
	for _, v := range w.emu.Views() {
		if v.ID == opened.View.ID {
			if v.CallbackID != callback {
				t.Fatalf("opened %s, want %s", v.CallbackID, callback)
			}
			return v
		}
	}
	t.Fatalf("modal %s not found", opened.View.ID)
	return slackemu.View{}
}

// fillForm is a view's state as Slack would send it: every text input
// keeps its initial value (else defaults[its id], else "x"), the one field
// picks gets text; selects keep their initial option, date pickers today.
func fillForm(t *testing.T, view slackemu.View, text string, field uint8, defaults map[string]string) map[string]map[string]any {
	t.Helper()
	var v struct {
		Blocks []struct {
			Type    string `json:"type"`
			BlockID string `json:"block_id"`
			Element struct {
				Type          string `json:"type"`
				ActionID      string `json:"action_id"`
				InitialValue  string `json:"initial_value"`
				InitialOption *struct {
					Value string `json:"value"`
				} `json:"initial_option"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(view.JSON, &v); err != nil {
		t.Fatal(err)
	}
	values := map[string]map[string]any{}
	var texts []string
	for _, b := range v.Blocks {
		e := b.Element
		if b.Type != "input" {
			continue
		}
		switch e.Type {
		case "plain_text_input":
			val, ok := e.InitialValue, true
			if val == "" {
				if val, ok = defaults[e.ActionID]; !ok {
					val = "x"
				}
			}
			values[b.BlockID] = map[string]any{e.ActionID: slackemu.TextInput(val)}
			texts = append(texts, b.BlockID)
		case "static_select":
			if e.InitialOption != nil {
				values[b.BlockID] = map[string]any{e.ActionID: slackemu.StaticSelect(e.InitialOption.Value)}
			}
		case "datepicker":
			values[b.BlockID] = map[string]any{e.ActionID: map[string]any{"type": "datepicker", "selected_date": time.Now().Format("2006-01-02")}}
		}
	}
	if len(texts) > 0 {
		id := texts[int(field)%len(texts)]
		for action := range values[id] {
			values[id][action] = slackemu.TextInput(text)
		}
	}
	return values
}

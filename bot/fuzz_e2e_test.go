package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// FuzzSlackInput drives the real bot, through the emulator, on both
// databases, with arbitrary bytes as a slash command's text (/ticket,
// /time, /desk), a reply in a ticket's thread, and in every modal the bot
// opens (create, edit, log time, reply to customer, internal note, edit a
// timesheet entry, stop a timer at, add a customer, link a channel): the
// text goes into one of the form's text inputs (field picks which), the
// others keep what the form offered. It fails when an answer says
// "Internal error", when a command gets no answer at all (a panic in a
// handler ends that way: the worker recovers and says nothing), when a
// form is accepted but nothing stored, or when a thread reply is not
// stored as its cleaned text. A panic outside a worker crashes the run.
//
// go test runs the seeds below. To search for more:
//
//	go test ./bot -run '^$' -fuzz FuzzSlackInput -fuzztime 10m
//
// (-parallel 1 keeps one pair of databases; each fuzz worker starts its own.)
func FuzzSlackInput(f *testing.F) {
	seeds := []struct {
		kind  uint8
		text  string
		field uint8
	}{
		{0, "Printer\x00 on fire #acme", 0},
		{0, "invoice\u202efdp.exe !high #acme", 0},
		{0, "\xff\xfe broken UTF-8 #acme", 0},
		{0, "\x00", 0},
		{0, "list \x00mine", 0},
		{0, "ACME-1\x00", 0},
		{1, "log ACME-1 1h toner\x00 swap", 0},
		{1, "log ACME-\x001 1h", 0},
		{1, "start ACME-1\x1b", 0},
		{2, "view save \"a\x00b\" status:open", 0},
		{2, "sla ACME-1\u2066", 0},
		{3, "Looking\x00 into it \u202e", 0},
		{3, "\x00\x01\x02", 0},
		{3, "line\r\nbreak\x85", 0},
		{4, "Login\x00 loops", 0},
		{4, strings.Repeat("é", 201), 0},
		{4, "\u2067\x00\t", 1},
		{5, "Renewal\x00 date", 0}, {5, "fri\x00 17:00", 1}, {5, "\xff", 2},
		{6, "toner\x00 swap \u202e", 1}, {6, "1h\x00", 0}, {6, "\u202e", 2},
		{7, "Fixed\x00 in 4.2.2 \u202e", 0}, {7, "\xc3\x28", 0},
		{8, "db\x00 password rotated", 0},
		{9, "call\x00 with them", 0}, {9, "ACME-\x001", 1}, {9, "2h\u2066", 2},
		{10, "17:\x0030", 0}, {10, "00:05", 0}, {10, "\u202e00:05", 0},
		{11, "Initech\x00 \u202eCorp", 0}, {11, "IN\x00T", 1}, {11, "initech.example\x00", 2},
		{12, "ACME\x00", 0},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.text, s.field)
	}
	worlds := map[string]*fuzzWorld{}
	for _, d := range storagetest.Dialects {
		clock := storagetest.NewClock(time.Now())
		worlds[d] = &fuzzWorld{world: startMailAt(f, d, clock, true).world, clock: clock}
	}
	f.Fuzz(func(t *testing.T, kind uint8, text string, field uint8) {
		for _, d := range storagetest.Dialects {
			w := worlds[d]
			w.clock.Set(time.Now())
			switch kind % 13 {
			case 0:
				w.command(t, "/ticket", text)
			case 1:
				w.command(t, "/time", text)
			case 2:
				w.command(t, "/desk", text)
			case 3:
				w.threadReply(t, text)
			case 4:
				w.createForm(t, text, field)
			default:
				w.modal(t, int(kind%13)-5, text, field)
			}
			w.noInternalError(t, d)
		}
	})
}

type fuzzWorld struct {
	*world
	seen    int    // calls checked by noInternalError
	mailKey string // the mail ticket the reply modal answers
	n       int
	// clock is the database's: real time, but for timers a test starts
	// in the past (Stop at… needs one started before the time typed).
	clock *storagetest.Clock
}

var fuzzAgent = domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}

func fuzzCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// command runs a slash command and waits for its answer: a reply to its
// response URL or a modal opened with its trigger.
func (w *fuzzWorld) command(t *testing.T, command, text string) {
	t.Helper()
	ctx := fuzzCtx(t)
	url, trigger := w.emu.ResponseURL(triageChan, agentID), w.emu.Trigger(agentID)
	if _, err := w.emu.SlashCommand(ctx, slackemu.SlashCommand{Command: command, Text: text, UserID: agentID,
		ChannelID: triageChan, ResponseURL: url, TriggerID: trigger}); err != nil {
		t.Fatal(err)
	}
	for {
		for _, c := range w.emu.Calls("") {
			switch {
			case c.Method == "response_url" && c.URL == url:
				return
			case c.Method == "views.open" && c.Params["trigger_id"] == trigger:
				if !c.OK() {
					t.Fatalf("%s %q: the modal was refused: %s", command, text, c.Response)
				}
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("%s %q: no answer", command, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// threadReply replies in a fresh ticket's thread and waits for the
// comment, stored as the cleaned text.
func (w *fuzzWorld) threadReply(t *testing.T, text string) {
	t.Helper()
	ctx := fuzzCtx(t)
	tk, err := w.svc.CreateTicket(ctx, fuzzAgent, commands.TicketInput{CustomerKey: "ACME", Title: "fuzz reply", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	ch, thread := w.cardTS(t, tk.Key())
	w.n++
	ts := fmt.Sprintf("%d.%06d", time.Now().Unix()+1e6, w.n)
	ev := slackemu.MessageEvent(ch, agentID, text, thread)
	ev["ts"] = ts
	if _, err := w.emu.Event(ctx, ev); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(textclean.Visible(strings.ToValidUTF8(text, "\uFFFD")))
	if want == "" {
		return // nothing to store: Slack would not send an empty message
	}
	for {
		cs, _, err := w.svc.History(ctx, fuzzAgent, tk.Key())
		if ctx.Err() != nil {
			t.Fatalf("reply %q acknowledged but never stored", text)
		} else if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.SourceRef == ts {
				if c.Body != want {
					t.Fatalf("reply %q stored as %q, want %q", text, c.Body, want)
				}
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("reply %q acknowledged but never stored", text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// createForm submits the create form with text as title and description:
// refused with a message on a field, or a ticket is stored.
func (w *fuzzWorld) createForm(t *testing.T, text string, field uint8) {
	t.Helper()
	ctx := fuzzCtx(t)
	trigger := w.emu.Trigger(agentID)
	if _, err := w.emu.SlashCommand(ctx, slackemu.SlashCommand{Command: "/ticket", UserID: agentID, ChannelID: acmeChan, TriggerID: trigger}); err != nil {
		t.Fatal(err)
	}
	call, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.Params["trigger_id"] == trigger })
	if err != nil || !call.OK() {
		t.Fatalf("no create form: %v %s", err, call.Response)
	}
	var opened struct {
		View struct {
			ID string `json:"id"`
		} `json:"view"`
	}
	_ = json.Unmarshal(call.Response, &opened)
	var view slackemu.View
	for _, v := range w.emu.Views() {
		if v.ID == opened.View.ID {
			view = v
		}
	}
	_, before, _ := w.svc.ListTickets(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TicketFilter{})
	ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, map[string]map[string]any{
		"title":       {"title": slackemu.TextInput(map[bool]string{true: text, false: "fuzzed description"}[field%2 == 0])},
		"description": {"description": slackemu.TextInput(text)},
		"customer":    {"customer": slackemu.StaticSelect("ACME")}, "type": {"type": slackemu.StaticSelect("question")},
		"priority": {"priority": slackemu.StaticSelect("normal")},
	}))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(ack.Payload, &resp)
	if resp.Action == "errors" {
		for field, msg := range resp.Errors {
			if msg == "" || strings.Contains(msg, "Internal error") {
				t.Fatalf("form %q refused on %s with %q", text, field, msg)
			}
		}
		return
	}
	for {
		_, after, _ := w.svc.ListTickets(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TicketFilter{})
		if after > before {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("form %q accepted (%s) but no ticket stored", text, ack.Payload)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// noInternalError reads every call to Slack since the last check: none
// may say "Internal error" or carry a NUL or a bidirectional override.
func (w *fuzzWorld) noInternalError(t *testing.T, dialect string) {
	t.Helper()
	calls := w.emu.Calls("")
	for _, c := range calls[w.seen:] {
		raw, _ := json.Marshal(c.Params)
		for _, s := range []string{string(c.Body), string(raw)} {
			if strings.Contains(s, "Internal error") {
				t.Fatalf("%s: %s answered Internal error: %s", dialect, c.Method, s)
			}
			if strings.Contains(s, `\u0000`) || strings.ContainsFunc(s, textclean.IsBidiControl) || strings.Contains(s, `\u202e`) {
				t.Fatalf("%s: %s carried a control character to Slack: %s", dialect, c.Method, s)
			}
		}
	}
	w.seen = len(calls)
}

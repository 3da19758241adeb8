package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain"
)

func TestTimeReportUploadsCSV(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, triageChan, "/ticket", "Migrate reports #acme")
		w.waitCard(t, acmeChan, "Migrate reports")
		w.slash(t, agentID, triageChan, "/time", "log ACME-1 2h15 migration dry run")
		w.waitReply(t, "Logged 2h15 on *ACME-1*")
		w.slash(t, agentID, triageChan, "/time", "report acme this-month")
		w.waitReply(t, "Time report for Acme Corp")
		if _, err := w.emu.WaitCall(ctx, "files.completeUploadExternal", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatalf("no CSV uploaded: %v %v", err, methods(w.emu.Calls("")))
		}
		files := w.emu.Files()
		if len(files) != 1 || !strings.HasSuffix(files[0].Name, ".csv") {
			t.Fatalf("files %+v", files)
		}
		csv := string(files[0].Content)
		if !strings.Contains(csv, "ACME-1") || !strings.Contains(csv, "2.2500") || !strings.Contains(csv, "migration dry run") {
			t.Errorf("CSV:\n%s", csv)
		}
		if !strings.HasPrefix(files[0].Channel, "D") {
			t.Errorf("billing CSV posted in %s, want the requester's DM", files[0].Channel)
		}
		// Customers see no billing.
		w.slash(t, customerID, acmeChan, "/time", "report acme this-month")
		w.waitReply(t, "Only support agents")
	})
}

func TestTimesheetWeekAndEdit(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.slash(t, agentID, triageChan, "/ticket", "Audit logs #acme")
	w.waitCard(t, acmeChan, "Audit logs")
	w.slash(t, agentID, triageChan, "/time", "log ACME-1 45m review")
	w.waitReply(t, "Logged 45m")
	w.slash(t, agentID, triageChan, "/time", "week")
	reply := w.waitReply(t, "Timesheet, week of")
	if !strings.Contains(string(reply.Body), "ACME-1") || !strings.Contains(string(reply.Body), "entry_edit_menu") {
		t.Errorf("timesheet: %s", reply.Body)
	}
	entries, _ := w.svc.TimeEntries(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TimeFilter{UserID: agentID})
	if len(entries) != 1 {
		t.Fatalf("entries %d", len(entries))
	}
	id := itoa(entries[0].ID)
	p := slackemu.BlockAction(agentID, triageChan, "", "entry_edit_menu", "")
	p["actions"] = []any{map[string]any{"action_id": "entry_edit_menu", "block_id": "x", "type": "overflow",
		"selected_option": map[string]any{"value": "entry_edit|" + id}}}
	if _, err := w.emu.Interactive(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
		t.Fatal(err)
	}
	view := openView(t, w, "edit_time")
	values := map[string]map[string]any{
		"key": {"key": slackemu.TextInput("ACME-1")}, "duration": {"duration": slackemu.TextInput("30h")},
		"date": {"date": map[string]any{"type": "datepicker", "selected_date": entries[0].StartedAt.Format("2006-01-02")}},
	}
	ack, _ := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
	if !strings.Contains(string(ack.Payload), "more than a day") {
		t.Fatalf("want an inline error on the duration, got %s", ack.Payload)
	}
	values["duration"] = map[string]any{"duration": slackemu.TextInput("1h")}
	ack, _ = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
	if strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("edit refused: %s", ack.Payload)
	}
	e, _, err := w.svc.TimeEntry(context.Background(), domain.Actor{UserID: agentID, Role: domain.RoleAgent}, entries[0].ID)
	if err != nil || e.Seconds != 3600 {
		t.Errorf("after edit: %+v %v", e, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Time away from any card is logged from the App Home: the form asks for
// the ticket, and an unknown one is refused on that field.
func TestLogTimeFromHome(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.slash(t, agentID, triageChan, "/ticket", "Quarterly review #acme")
	w.waitCard(t, acmeChan, "Quarterly review")
	w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": agentID, "tab": "home"})
	w.eventually(t, "home published", func() bool { _, ok := w.emu.HomeView(agentID); return ok })
	home, _ := w.emu.HomeView(agentID)
	if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, home, "log_time", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
		t.Fatal(err)
	}
	view := openView(t, w, "log_time")
	values := map[string]map[string]any{"ticket": {"ticket": slackemu.TextInput("ACME-9")}, "duration": {"duration": slackemu.TextInput("1h")}}
	ack, _ := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
	if !strings.Contains(string(ack.Payload), `"ticket":"Ticket ACME-9 not found."`) {
		t.Fatalf("want the error on the ticket field, got %s", ack.Payload)
	}
	values["ticket"] = map[string]any{"ticket": slackemu.TextInput("ACME-1")}
	ack, _ = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view, values))
	if strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("refused: %s", ack.Payload)
	}
	entries, _ := w.svc.TimeEntries(ctx, domain.Actor{Role: domain.RoleAgent}, domain.TimeFilter{UserID: agentID})
	if len(entries) != 1 || entries[0].Seconds != 3600 {
		t.Errorf("entries %+v", entries)
	}
}

// Billing terms set from Slack apply to the report: two 10-minute entries
// rounded up to 15 minutes each, then the 30-minute minimum is already
// met; a second ticket's 5 minutes rounds to 15 and is billed 30.
func TestBillingTermsSetInSlack(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, triageChan, "/desk", "customer edit acme rounding=5h")
		w.waitReply(t, "rounding: at most 4h")
		w.slash(t, agentID, triageChan, "/desk", "customer edit acme rounding=15m minimum=30m")
		w.waitReply(t, "rounding 15m · minimum 30m per ticket")
		w.slash(t, agentID, triageChan, "/desk", "customer show acme")
		w.waitReply(t, "rounding 15m · minimum 30m per ticket")
		w.slash(t, agentID, triageChan, "/ticket", "Slow login #acme")
		w.waitReply(t, "Created *ACME-1*")
		w.slash(t, agentID, triageChan, "/ticket", "Slow search #acme")
		w.waitReply(t, "Created *ACME-2*")
		for _, log := range []string{"log ACME-1 10m first look", "log ACME-1 10m second look", "log ACME-2 5m triage"} {
			w.as(t, agentID, triageChan, "/time", log)
		}
		w.slash(t, agentID, triageChan, "/time", "report acme this-month")
		report := plainJSON(string(w.waitReply(t, "Billed (rounded)").Body))
		// Worked 25m; billed 30m (ACME-1: 15m+15m) + 30m (ACME-2: 15m, minimum 30m) = 1h.
		if !strings.Contains(report, `*Worked*\n25m`) || !strings.Contains(report, `*Billed (rounded)*\n1h`) {
			t.Errorf("report: %s", report)
		}
	})
}

// Clicks on the App Home in quick succession: the debounced redraw is
// followed by a trailing one, so the Home ends with the latest state —
// not "Timer running" after Stop — and keeps being redrawn after.
func TestHomeEndsWithLatestState(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.slash(t, agentID, triageChan, "/ticket", "Nightly sync #acme <@"+agentID+">")
	w.waitCard(t, acmeChan, "Nightly sync")
	w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": agentID, "tab": "home"})
	w.eventually(t, "home published", func() bool { _, ok := w.emu.HomeView(agentID); return ok })
	homeHas := func(s string) bool { h, _ := w.emu.HomeView(agentID); return strings.Contains(string(h.Blocks), s) }
	click := func(action, value string) {
		t.Helper()
		home, _ := w.emu.HomeView(agentID)
		if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, home, action, value)); err != nil {
			t.Fatal(err)
		}
	}
	click("timer_start", "ACME-1")
	w.eventually(t, "the Home shows the timer", func() bool { return homeHas("Timer running on") })
	click("timer_stop", "ACME-1") // within the 3 s window of the last redraw
	w.eventually(t, "the Home shows the timer stopped", func() bool { return homeHas("No timer running") })
	click("timer_start", "ACME-1")
	w.eventually(t, "the Home is still redrawn", func() bool { return homeHas("Timer running on") })
}

package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

func TestHistoryLines(t *testing.T) {
	cfg := domain.DefaultConfig()
	now := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := time.Date(2026, 12, 3, 13, 2, 0, 0, time.UTC)
	ev := func(kind, field, old, new, actor, channel string) *domain.Event {
		return &domain.Event{Kind: kind, Field: field, OldValue: old, NewValue: new, Actor: actor, Channel: channel, At: at}
	}
	for _, c := range []struct {
		name     string
		e        *domain.Event
		loc      *time.Location
		customer bool
		want     string
	}{
		{"priority in Paris", ev(domain.EventPriority, "priority", "normal", "urgent", "UANA", "slack"), paris, false, "• Priority normal → urgent by <@UANA>, 14:02 via Slack"},
		{"the next day in Tokyo", ev(domain.EventPriority, "priority", "normal", "urgent", "UANA", "slack"), tokyo, false, "• Priority normal → urgent by <@UANA>, Thu 3 Dec 22:02 via Slack"},
		{"last year", &domain.Event{Kind: domain.EventCreated, Actor: "UANA", Channel: "slack", At: at.AddDate(-1, 0, 0)}, time.UTC, false, "• Created by <@UANA>, 3 Dec 2025 13:02 via Slack"},
		{"status labels", ev(domain.EventStatus, "status", "new", "in_progress", "UANA", "slack"), time.UTC, false, "• Status New → In progress by <@UANA>, 13:02 via Slack"},
		{"status in the customer's words", ev(domain.EventStatus, "status", "new", "in_progress", "UANA", "slack"), time.UTC, true, "• Status Received → We're on it by <@UANA>, 13:02 via Slack"},
		{"by mail", ev(domain.EventComment, "", "", "public", "cy@acme.com", "email"), time.UTC, false, "• Reply by cy@acme.com, 13:02 via email"},
		{"automation", ev(domain.EventAutomation, "escalate", "", "priority → urgent", "deskbot", "automation"), time.UTC, false, "• Automation “escalate”: priority → urgent by deskbot, 13:02 via an automation"},
		{"API", ev(domain.EventAssigned, "assignee", "", "UBO", "api:crm", "api"), time.UTC, false, "• Assigned to <@UBO> by `api:crm`, 13:02 via the API"},
		{"unassigned", ev(domain.EventAssigned, "assignee", "UBO", "", "UANA", "slack"), time.UTC, false, "• Unassigned (was <@UBO>) by <@UANA>, 13:02 via Slack"},
		{"merged into", ev(domain.EventMerged, "merged_into", "open", "ACME-3", "UANA", "slack"), time.UTC, false, "• Merged into ACME-3 (was Open) by <@UANA>, 13:02 via Slack"},
		{"merged here", ev(domain.EventMerged, "merged_from", "", "ACME-7", "UANA", "slack"), time.UTC, false, "• ACME-7 merged into this ticket by <@UANA>, 13:02 via Slack"},
		{"unmerged", ev(domain.EventUnmerged, "merged_into", "ACME-3", "open", "UANA", "slack"), time.UTC, false, "• Unmerged from ACME-3, back to Open by <@UANA>, 13:02 via Slack"},
		{"due date", ev(domain.EventField, "due", "", "2026-12-05T17:00:00Z", "UANA", "slack"), time.UTC, false, "• Due date set to 2026-12-05T17:00:00Z by <@UANA>, 13:02 via Slack"},
		{"a field", ev(domain.EventField, "environment", "staging", "production", "UANA", "slack"), time.UTC, false, "• Environment staging → production by <@UANA>, 13:02 via Slack"},
		{"escaped", ev(domain.EventTitle, "title", "<!channel>", "fine", "UANA", "slack"), time.UTC, false, "• Title &lt;!channel&gt; → fine by <@UANA>, 13:02 via Slack"},
		{"blocked by", ev(domain.EventLinked, "blocks_by", "", "ACME-1", "UANA", "slack"), time.UTC, false, "• Blocked by ACME-1 by <@UANA>, 13:02 via Slack"},
		{"no channel recorded", ev(domain.EventTag, "tag", "", "billing", "UANA", ""), time.UTC, false, "• Tag +billing by <@UANA>, 13:02"},
		{"unknown kind", ev("frobbed", "x", "a", "b", "UANA", "cli"), time.UTC, false, "• Frobbed x: a → b by <@UANA>, 13:02 via the command line"},
	} {
		if got := historyLines(cfg, []*domain.Event{c.e}, c.loc, now, c.customer); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestHistoryBlocksPages(t *testing.T) {
	cfg := domain.DefaultConfig()
	tk := &domain.Ticket{CustomerKey: "ACME", Number: 7, Title: "Login <fails>"}
	now := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	var es []*domain.Event
	for i := 40; i > 0; i-- { // newest first
		es = append(es, &domain.Event{ID: int64(i), Kind: domain.EventTitle, OldValue: strings.Repeat("x", 500), NewValue: fmt.Sprint("title ", i), Actor: "UANA", Channel: "slack", At: now})
	}
	for _, c := range []struct {
		page             int
		first, last      string
		prev, next       bool
		wantPageOf, want string
	}{
		{0, "title 40", "title 26", false, true, "page 1 of 3", ""},
		{1, "title 25", "title 11", true, true, "page 2 of 3", ""},
		{2, "title 10", "title 1", true, false, "page 3 of 3", ""},
		{9, "title 10", "title 1", true, false, "page 3 of 3", ""}, // past the end: the last page
	} {
		blocks := historyBlocks(cfg, tk, es, c.page, time.UTC, now, false)
		raw, _ := json.Marshal(blocks)
		s := string(raw)
		if len(blocks) > 50 || !strings.Contains(s, c.first+" by") || !strings.Contains(s, c.last+" by") ||
			strings.Contains(s, "history_page_prev") != c.prev || strings.Contains(s, "history_page_next") != c.next || !strings.Contains(s, c.wantPageOf) {
			t.Errorf("page %d: %s", c.page, s)
		}
		if !strings.Contains(s, "Login \\u0026lt;fails\\u0026gt;") {
			t.Errorf("title not escaped: %s", s)
		}
		for _, b := range blocks {
			if b.BlockType() == slack.MBTSection {
				j, _ := json.Marshal(b)
				if len(j) > 3300 {
					t.Errorf("page %d: a section of %d bytes", c.page, len(j))
				}
			}
		}
	}
	if s, _ := json.Marshal(historyBlocks(cfg, tk, nil, 0, time.UTC, now, false)); !strings.Contains(string(s), "Nothing recorded yet") || strings.Contains(string(s), "history_page") {
		t.Errorf("empty history: %s", s)
	}
}

func TestCustomerVisible(t *testing.T) {
	for _, c := range []struct {
		e    domain.Event
		want bool
	}{
		{domain.Event{Kind: domain.EventStatus}, true},
		{domain.Event{Kind: domain.EventPriority}, true},
		{domain.Event{Kind: domain.EventComment, NewValue: "public"}, true},
		{domain.Event{Kind: domain.EventComment, NewValue: "internal"}, false},
		{domain.Event{Kind: domain.EventTimeLogged}, false},
		{domain.Event{Kind: domain.EventTimerStarted}, false},
		{domain.Event{Kind: domain.EventAutomation}, false},
		{domain.Event{Kind: domain.EventTag}, false},
		{domain.Event{Kind: domain.EventField, Field: "due"}, false},
		{domain.Event{Kind: domain.EventMerged, Field: "merged_into", NewValue: "ACME-3"}, true},
		{domain.Event{Kind: "something new"}, false},
	} {
		if got := commands.CustomerVisible(&c.e); got != c.want {
			t.Errorf("%+v: %v, want %v", c.e, got, c.want)
		}
	}
}

func TestEventsBefore(t *testing.T) {
	var es []*domain.Event
	for i := int64(9); i >= 1; i-- {
		es = append(es, &domain.Event{ID: i})
	}
	ids := func(es []*domain.Event) (out []int64) {
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, c := range []struct {
		before int64
		size   int
		want   string
		more   bool
	}{
		{0, 4, "[9 8 7 6]", true},
		{6, 4, "[5 4 3 2]", true},
		{2, 4, "[1]", false},
		{1, 4, "[]", false},
		{100, 2, "[9 8]", true},
		{0, 9, "[9 8 7 6 5 4 3 2 1]", false},
	} {
		page, more := commands.EventsBefore(es, c.before, c.size)
		if got := fmt.Sprint(ids(page)); got != c.want || more != c.more {
			t.Errorf("before %d size %d: %s %v, want %s %v", c.before, c.size, got, more, c.want, c.more)
		}
	}
}

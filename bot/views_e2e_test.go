package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// seedTickets brings ACME to n tickets in one transaction: mixed
// statuses, priorities, assignees, SLA due times this week, parent and
// blocks links, and titles that need escaping.
func (w *world) seedTickets(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	statuses := []string{"new", "open", "in_progress", "waiting", "resolved"}
	prios := []string{"low", "normal", "high", "urgent"}
	err := w.db.Update(ctx, func(tx domain.Tx) error {
		have, err := tx.CountTickets(ctx, domain.TicketFilter{CustomerID: w.acme.ID})
		if err != nil {
			return err
		}
		now := tx.Now()
		var prev int64
		for i := have; i < n; i++ {
			due := now.Add(time.Duration(i%9*13-30) * time.Hour)
			tk := &domain.Ticket{CustomerID: w.acme.ID, Title: fmt.Sprintf("Ticket %d <!here> & a long title that goes on %s", i, strings.Repeat("and on ", i%7)),
				Type: "bug", Status: statuses[i%5], Priority: prios[i%4], AssigneeID: []string{"", agentID, agent2ID}[i%3],
				Version: fmt.Sprintf("4.%d.0", i%12), Source: domain.SourceSlash, CreatedBy: agentID, SLAPolicy: "standard", SLADueAt: &due}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			if prev != 0 && i%4 == 1 {
				kind := domain.LinkParent
				if i%8 == 1 {
					kind = domain.LinkBlocks
				}
				if err := tx.AddLink(ctx, &domain.Link{FromID: prev, ToID: tk.ID, Kind: kind}); err != nil {
					return err
				}
			}
			prev = tk.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lastReply runs a slash command and returns its (one) response_url post.
func (w *world) answer(t *testing.T, command, text string) slackemu.Call {
	t.Helper()
	before := len(w.emu.Calls("response_url"))
	w.slash(t, agentID, triageChan, command, text)
	w.eventually(t, "an answer to "+text, func() bool { return len(w.emu.Calls("response_url")) > before })
	return w.emu.Calls("response_url")[before]
}

// Every layout, for 0, 1, 10 and 500 tickets, is accepted by the
// emulator, which rejects what Slack rejects (50 blocks, text lengths).
func TestLayoutsWithinSlackLimits(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		for _, n := range []int{0, 1, 10, 500} {
			w.seedTickets(t, n)
			for _, layout := range []string{"list", "cards", "tree", "calendar", "list group:assignee", "calendar due:this-month"} {
				q := "all as:" + layout
				call := w.answer(t, "/ticket", "list "+q)
				if !call.OK() {
					t.Fatalf("%d tickets, %s: Slack would refuse: %s\n%s", n, q, call.Response, call.Body)
				}
				var msg struct {
					Blocks []json.RawMessage `json:"blocks"`
				}
				_ = json.Unmarshal(call.Body, &msg)
				if len(msg.Blocks) == 0 || len(msg.Blocks) > 50 {
					t.Errorf("%d tickets, %s: %d blocks", n, q, len(msg.Blocks))
				}
				if strings.Contains(string(call.Body), "<!here>") {
					t.Errorf("%s: a title pings", q)
				}
				if n == 500 && layout == "list" && !strings.Contains(string(call.Body), "list_page_next") {
					t.Errorf("no Next button with 500 tickets: %s", call.Body)
				}
			}
			w.checkTimeline(t, n)
		}
	})
}

// checkTimeline: the picture decodes, has the size of its rows and went
// through the files upload v2 calls.
func (w *world) checkTimeline(t *testing.T, n int) {
	t.Helper()
	files := len(w.emu.Files())
	call := w.answer(t, "/ticket", "list all as:timeline")
	if n == 0 {
		if !strings.Contains(string(call.Body), "no timeline") {
			t.Errorf("empty timeline: %s", call.Body)
		}
		return
	}
	w.eventually(t, "timeline uploaded", func() bool {
		fs := w.emu.Files()
		return len(fs) > files && fs[len(fs)-1].Completed
	})
	f := w.emu.Files()[files]
	img, err := png.Decode(bytes.NewReader(f.Content))
	if err != nil {
		t.Fatalf("timeline is not a PNG: %v", err)
	}
	rows := min(n, 60) // the timeline's page
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 40+rows*22+20 {
		t.Errorf("timeline of %d tickets is %v", n, b)
	}
	for _, m := range []string{"files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"} {
		if cs := w.emu.Calls(m); len(cs) == 0 || !cs[len(cs)-1].OK() && m != "file_upload" {
			t.Errorf("no successful %s", m)
		}
	}
	if f.Channel == "" || f.Length != len(f.Content) {
		t.Errorf("file %s shared in %q, %d of %d bytes", f.Name, f.Channel, len(f.Content), f.Length)
	}
}

func TestListPagesAndOldWords(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.seedTickets(t, 60)
	call := w.answer(t, "/ticket", "list mine !high")
	if !call.OK() || !strings.Contains(string(call.Body), "assignee:me") {
		t.Fatalf("old words: %s", call.Body)
	}
	w.answer(t, "/ticket", "list all")
	msgs := w.emu.Messages(triageChan)
	last := msgs[len(msgs)-1]
	value := buttonValue(t, last.Blocks, "list_page_next")
	if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, triageChan, last.TS, "list_page_next", value)); err != nil {
		t.Fatal(err)
	}
	w.eventually(t, "page 2", func() bool {
		m, _ := w.emu.Message(triageChan, last.TS)
		return m.Edited && strings.Contains(string(m.Blocks), "showing 26–50")
	})
	// The emulator records the call once it has answered it: wait for that
	// too, or the next answer could be taken for this one.
	w.eventually(t, "page 2's call recorded", func() bool {
		cs := w.emu.Calls("response_url")
		return strings.Contains(string(cs[len(cs)-1].Body), "showing 26–50")
	})
	call = w.answer(t, "/ticket", "list status:opne")
	if !strings.Contains(plainJSON(string(call.Body)), "did you mean `open`") || !strings.Contains(string(call.Body), "^^^^") {
		t.Errorf("error does not point at the word: %s", call.Body)
	}
}

func buttonValue(t *testing.T, blocks json.RawMessage, action string) string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	_ = json.Unmarshal(blocks, &bs)
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == action {
				return e.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", action, blocks)
	return ""
}

// With 200 open tickets and 20 pinned views the Home tab still fits its
// 100 blocks.
func TestAppHomeDashboardWithTwentyPinnedViews(t *testing.T) {
	w := start(t, "sqlite")
	ctx := waitCtx(t)
	w.seedTickets(t, 250)
	ana := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	for i := range 20 {
		name := fmt.Sprintf("View %02d", i)
		if _, err := w.svc.SaveView(ctx, ana, name, []string{"all", "mine group:priority", "#acme group:version", "sla:breached,at-risk"}[i%4], false); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.PinView(ctx, ana, name, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.StartTimer(ctx, ana, "ACME-2"); err != nil {
		t.Fatal(err)
	}
	w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": agentID, "tab": "home"})
	call, err := w.emu.WaitCall(ctx, "views.publish", func(c slackemu.Call) bool { return true })
	if err != nil || !call.OK() {
		t.Fatalf("publish refused: %v %s", err, call.Response)
	}
	home, _ := w.emu.HomeView(agentID)
	var blocks []json.RawMessage
	_ = json.Unmarshal(home.Blocks, &blocks)
	text := string(home.Blocks)
	if len(blocks) >= 100 || !strings.Contains(text, "Timer running on *ACME-2*") || !strings.Contains(text, "View 19") || !strings.Contains(text, "█") {
		t.Errorf("%d blocks: %s", len(blocks), text)
	}
	_ = commands.MaxPinned
}

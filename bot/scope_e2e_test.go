package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A customer of the two-customer helpdesk below: their people, channel
// and every string that is theirs alone.
type tenant struct {
	key, name, user, userName, email, channel, version string
	// secrets: what only this customer (and our agents) may read.
	secrets []string
	// internal: this customer's own data that is ours, not theirs.
	internal []string
}

var (
	wayne = tenant{key: "WAYNE", name: "Wayne Enterprises", user: "UWAYNE", userName: "Bruce Wayneperson",
		email: "bruce@wayne.example", channel: "CWAYNE", version: "4.31.7"}
	stark = tenant{key: "STARK", name: "Stark Industries", user: "USTARK", userName: "Pepper Starkperson",
		email: "pepper@stark.example", channel: "CSTARK", version: "7.13.5"}
)

// twoTenants fills the helpdesk with two customers that have every kind
// of data: tickets (open, started, resolved; some due), links within and
// across customers, public comments, internal notes, time with notes,
// agents' shared views about them, the customer's own view, versions.
func twoTenants(t *testing.T, w *world) []tenant {
	t.Helper()
	ctx := context.Background()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	ts := []tenant{wayne, stark}
	for i := range ts {
		c := &ts[i]
		low := strings.ToLower(c.key)
		w.emu.AddUser(slackemu.User{ID: c.user, Name: low, RealName: c.userName, Email: c.email, TeamID: "T" + c.key, IsStranger: true})
		w.emu.AddChannel(slackemu.Channel{ID: c.channel, Name: low + "-support", IsExtShared: true})
		if _, err := w.svc.CreateProject(ctx, agent, commands.ProjectInput{Key: c.key, Name: c.name, ChannelID: c.channel,
			EmailDomains: low + ".example", CurrentVersion: c.version, SLAPolicy: "standard"}); err != nil {
			t.Fatal(err)
		}
		titles := []string{low + "-title-quartz", low + "-title-basalt", low + "-title-cobalt"}
		for _, title := range titles {
			if _, err := w.svc.CreateTicket(ctx, agent, commands.TicketInput{ProjectKey: c.key, Title: title, Description: low + "-description-dune",
				Priority: "high", RequesterID: c.user, RequesterName: c.userName, Source: domain.SourceSlash}); err != nil {
				t.Fatal(err)
			}
		}
		k := func(n string) string { return c.key + "-" + n }
		if _, err := w.svc.Assign(ctx, agent, k("2"), agentID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ChangeStatus(ctx, agent, k("2"), "in_progress"); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Link(ctx, agent, k("2"), domain.LinkParent, k("1")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Comment(ctx, agent, k("1"), commands.CommentInput{Body: low + "-comment-amber", Public: true}); err != nil {
			t.Fatal(err)
		}
		note := low + "-note-obsidian"
		if _, err := w.svc.Comment(ctx, agent, k("1"), commands.CommentInput{Body: note}); err != nil {
			t.Fatal(err)
		}
		timeNote := low + "-timenote-jade"
		if _, err := w.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: k("1"), Duration: "1h30", Note: timeNote}); err != nil {
			t.Fatal(err)
		}
		view := low + "-sharedview-onyx"
		if _, err := w.svc.SaveView(ctx, agent, view, "customer:"+c.key+" all", true); err != nil {
			t.Fatal(err)
		}
		own := low + "-ownview-topaz"
		customer := domain.Actor{UserID: c.user, Role: domain.RoleCustomer, Channel: domain.ChannelSlack}
		if _, err := w.svc.SaveView(ctx, customer, own, "all", false); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.PinView(ctx, customer, own, true); err != nil {
			t.Fatal(err)
		}
		c.secrets = append(c.secrets, c.key+"-", c.name, c.user, c.userName, c.email, c.version, titles[0], titles[1], titles[2],
			low+"-description-dune", low+"-comment-amber", note, timeNote, view, own)
		c.internal = []string{note, timeNote, view}
	}
	// Across customers: WAYNE-1 is blocked by STARK-1, STARK-3 is the
	// parent of WAYNE-3. Only an agent may link them.
	if err := w.svc.Link(ctx, agent, "STARK-1", domain.LinkBlocks, "WAYNE-1"); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Link(ctx, agent, "STARK-3", domain.LinkParent, "WAYNE-3"); err != nil {
		t.Fatal(err)
	}
	customer := domain.Actor{UserID: wayne.user, Role: domain.RoleCustomer, Channel: domain.ChannelSlack, ProjectID: 1}
	if err := w.svc.Link(ctx, customer, "WAYNE-2", domain.LinkBlocks, "WAYNE-3"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a customer linked tickets: %v", err)
	}
	w.settle(t)
	return ts
}

// settle waits until the outbox has delivered everything queued so far.
func (w *world) settle(t *testing.T) {
	t.Helper()
	w.eventually(t, "the outbox delivered", func() bool {
		n, err := w.db.OutboxPending(context.Background())
		return err == nil && n == 0
	})
}

// as runs a slash command as user in channel and waits for its answer:
// a response_url post, a message in the ack, a modal or a file.
func (w *world) as(t *testing.T, user, channel, command, text string) {
	t.Helper()
	count := func() int {
		return len(w.emu.Calls("response_url")) + len(w.emu.Calls("views.open")) + len(w.emu.Calls("chat.postEphemeral"))
	}
	before := count()
	ack := w.slash(t, user, channel, command, text)
	if len(ack.Payload) > 0 && string(ack.Payload) != "{}" && string(ack.Payload) != "null" {
		return
	}
	w.eventually(t, "an answer to "+command+" "+text, func() bool { return count() > before })
}

// seenBy is everything the emulator holds that user can read: every
// message posted, updated or answered in their channel and their DM
// (ephemerals to them alone), their Home, the modals opened for them,
// files shared where they read.
func (w *world) seenBy(user, channel string) string {
	var b strings.Builder
	dm := "D" + strings.TrimLeft(user, "UW")
	for _, ch := range []string{channel, dm} {
		for _, m := range w.emu.Messages(ch) {
			if m.Ephemeral && m.User != user {
				continue
			}
			b.WriteString(m.Text + "\n" + string(m.Blocks) + "\n")
		}
	}
	for _, c := range w.emu.Calls("") {
		switch {
		case c.Method == "chat.postMessage" || c.Method == "chat.update":
			if c.Params["channel"] == channel || c.Params["channel"] == dm || c.Params["channel"] == user {
				b.WriteString(c.Params["text"] + "\n" + c.Params["blocks"] + "\n")
			}
		case c.Method == "chat.postEphemeral":
			if c.Params["user"] == user {
				b.WriteString(c.Params["text"] + "\n" + c.Params["blocks"] + "\n")
			}
		case c.Method == "views.publish":
			if c.Params["user_id"] == user {
				b.WriteString(c.Params["view"] + "\n")
			}
		}
	}
	if home, ok := w.emu.HomeView(user); ok {
		b.Write(home.Blocks)
	}
	for _, v := range w.emu.Views() {
		if v.UserID == user {
			raw, _ := json.Marshal(v)
			b.Write(raw)
		}
	}
	for _, f := range w.emu.Files() {
		if f.Channel == channel || f.Channel == dm {
			b.WriteString(f.Name + "\n" + f.Title + "\n" + f.InitialComment + "\n")
			if !strings.HasSuffix(f.Name, ".png") {
				b.Write(f.Content)
			}
		}
	}
	return plainJSON(b.String())
}

// surfaces drives every command and surface a customer can reach, from
// their shared channel and from a DM with the bot, naming the other
// customer's keys, views and customer record on purpose.
func (w *world) surfaces(t *testing.T, me, other tenant) {
	t.Helper()
	ctx := waitCtx(t)
	dm := "D" + strings.TrimLeft(me.user, "UW")
	w.emu.Event(ctx, slackemu.MessageEvent(me.channel, me.user, strings.ToLower(me.key)+" writes in: the export hangs", ""))
	for _, ch := range []string{me.channel, dm} {
		for _, cmd := range [][2]string{
			{"/ticket", "list"}, {"/ticket", "list all"}, {"/ticket", "list all as:tree"}, {"/ticket", "list all as:cards"},
			{"/ticket", "list all as:calendar due:this-month"}, {"/ticket", "list all as:timeline"},
			{"/ticket", "list all group:customer"}, {"/ticket", "list customer:" + other.key},
			{"/ticket", "list text:" + strings.ToLower(other.key)}, {"/ticket", "list key:" + other.key + "-1"},
			{"/ticket", "list all blocked:yes"}, {"/ticket", "list all sort:due"},
			{"/ticket", other.key + "-1"}, {"/ticket", me.key + "-1"}, {"/ticket", me.key + "-3"},
			{"/desk", "sla " + me.key + "-1"}, {"/desk", "sla " + other.key + "-1"}, {"/desk", "sla report"},
			{"/desk", "sla report " + strings.ToLower(other.key)},
			{"/time", ""}, {"/time", "week"}, {"/time", "report " + strings.ToLower(other.key) + " this-month"},
			{"/desk", "view list"}, {"/desk", "view run " + strings.ToLower(other.key) + "-sharedview-onyx"},
			{"/desk", "view run " + strings.ToLower(me.key) + "-ownview-topaz"},
			{"/desk", "customers"}, {"/desk", "customer show " + strings.ToLower(other.key)},
			{"/desk", "customer show " + strings.ToLower(me.key)}, {"/desk", "versions"},
			{"/desk", "automations test " + other.key + "-1"}, {"/desk", "link " + me.key + "-1 blocks " + other.key + "-2"},
		} {
			w.as(t, me.user, ch, cmd[0], cmd[1])
		}
	}
	w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": me.user, "tab": "home"})
	if _, err := w.emu.WaitCall(ctx, "views.publish", func(c slackemu.Call) bool { return c.OK() && c.Params["user_id"] == me.user }); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
}

// TestCustomersSeeOnlyTheirOwn is the two-customer property: whatever a
// customer runs, wherever they read (their shared channel, its cards and
// threads, their DMs, ephemerals, modals, Home, files), no key, title,
// name or text of the other customer appears, nor our internal notes,
// time notes or agents' views about them.
func TestCustomersSeeOnlyTheirOwn(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ts := twoTenants(t, w)
		for i, me := range ts {
			other := ts[1-i]
			w.surfaces(t, me, other)
		}
		for i, me := range ts {
			other := ts[1-i]
			seen := w.seenBy(me.user, me.channel)
			// What they typed, answered back to them, tells them nothing.
			for _, echo := range []string{"`key:" + other.key + "-1`", "Ticket " + other.key + "-1 not found",
				"Ticket " + other.key + "-2 not found", `no view "` + strings.ToLower(other.key) + `-sharedview-onyx"`,
				"I read `" + other.key + "-1` as a ticket key", "(`/ticket " + other.key + "-1 fails to load`)"} {
				seen = strings.ReplaceAll(seen, echo, "")
			}
			for _, s := range other.secrets {
				if strings.Contains(seen, s) {
					t.Errorf("%s sees %q of %s:\n%s", me.key, s, other.key, around(seen, s))
				}
			}
			for _, s := range me.internal {
				if strings.Contains(seen, s) {
					t.Errorf("%s sees our internal %q:\n%s", me.key, s, around(seen, s))
				}
			}
			// Not blind either: their own tickets, and the link to the
			// other customer's as an internal task.
			for _, s := range []string{me.key + "-1", strings.ToLower(me.key) + "-title-quartz", "an internal task", "Your company's open tickets", "promised by"} {
				if !strings.Contains(seen, s) {
					t.Errorf("%s does not see %q", me.key, s)
				}
			}
		}
	})
}

// around is the text near the first s, for a readable failure.
func around(text, s string) string {
	i := strings.Index(text, s)
	return text[max(i-300, 0):min(i+len(s)+300, len(text))]
}

package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/storage/storagetest"
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
		if _, err := w.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: c.key, Name: c.name, ChannelID: c.channel,
			EmailDomains: low + ".example", CurrentVersion: c.version, SLAPolicy: "standard"}); err != nil {
			t.Fatal(err)
		}
		titles := []string{low + "-title-quartz", low + "-title-basalt", low + "-title-cobalt"}
		for _, title := range titles {
			if _, err := w.svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: c.key, Title: title, Description: low + "-description-dune",
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
	customer := domain.Actor{UserID: wayne.user, Role: domain.RoleCustomer, Channel: domain.ChannelSlack, CustomerID: 1}
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
	low, otherLow := strings.ToLower(me.key), strings.ToLower(other.key)
	w.emu.Event(ctx, slackemu.MessageEvent(me.channel, me.user, low+" writes in: the export hangs", ""))
	for _, ch := range []string{me.channel, dm} {
		for _, cmd := range [][2]string{
			{"/ticket", "list"}, {"/ticket", "list all"}, {"/ticket", "list all as:tree"}, {"/ticket", "list all as:cards"},
			{"/ticket", "list all as:calendar due:this-month"}, {"/ticket", "list all as:timeline"},
			{"/ticket", "list all group:customer"}, {"/ticket", "list customer:" + other.key},
			{"/ticket", "list text:" + strings.ToLower(other.key)}, {"/ticket", "list key:" + other.key + "-1"},
			{"/ticket", "list all blocked:yes"}, {"/ticket", "list all sort:due"},
			{"/ticket", "search obsidian"}, {"/ticket", "search amber"}, {"/ticket", "search dune*"}, {"/ticket", "search jade"},
			{"/ticket", other.key + "-1"}, {"/ticket", me.key + "-1"}, {"/ticket", me.key + "-3"},
			{"/desk", "sla " + me.key + "-1"}, {"/desk", "sla " + other.key + "-1"}, {"/desk", "sla report"},
			{"/desk", "sla report " + strings.ToLower(other.key)},
			{"/time", ""}, {"/time", "week"}, {"/time", "report " + strings.ToLower(other.key) + " this-month"},
			{"/desk", "view list"}, {"/desk", "view run " + strings.ToLower(other.key) + "-sharedview-onyx"},
			{"/desk", "view run " + strings.ToLower(me.key) + "-ownview-topaz"},
			{"/desk", "customers"}, {"/desk", "customer show " + strings.ToLower(other.key)},
			{"/desk", "customer show " + strings.ToLower(me.key)}, {"/desk", "versions"},
			{"/desk", "automations test " + other.key + "-1"}, {"/desk", "link " + me.key + "-1 blocks " + other.key + "-2"},
			// Forms, help, every layout and grouping, the mail tickets.
			{"/ticket", ""}, {"/ticket", "help"}, {"/desk", "help"}, {"/time", "help"},
			{"/ticket", "list all group:assignee"}, {"/ticket", "list all group:status as:cards"}, {"/ticket", "list requester:me"},
			{"/ticket", "list all sla:at-risk,breached"}, {"/ticket", "list all as:tree customer:" + me.key},
			{"/ticket", "list text:" + otherLow + "-mailsubject"}, {"/ticket", other.key + "-4"}, {"/ticket", me.key + "-4"},
			{"/desk", "sla " + other.key + "-4"}, {"/desk", "sla " + me.key + "-4"},
			// Changes to the other customer's tickets, refused without a word about them.
			{"/ticket", other.key + "-1 due fri 17:00 public"}, {"/ticket", other.key + "-1 severity critical"},
			{"/ticket", other.key + "-1 customer " + low}, {"/ticket", me.key + "-1 customer " + otherLow},
			{"/time", "log " + other.key + "-1 1h spying"}, {"/time", "start " + other.key + "-1"}, {"/time", "stop"},
			{"/desk", "release 1.0 fixes " + other.key + "-1"}, {"/desk", "customer edit " + otherLow + " rounding=15m"},
			{"/desk", "automations"}, {"/desk", "view digest " + otherLow + "-digestview-ruby daily 09:00 UTC"},
			// Their own views, naming the other customer.
			{"/desk", "view save spy customer:" + other.key + " all"}, {"/desk", "view run spy"}, {"/desk", "view pin spy"},
		} {
			w.as(t, me.user, ch, cmd[0], cmd[1])
		}
	}
	// The buttons of cards and lists, clicked on their own card with the
	// other customer's keys, and their own.
	ch, ts := w.cardTS(t, me.key+"-1")
	for _, c := range [][2]string{
		{"work", other.key + "-1"}, {"assign_me", other.key + "-1"}, {"timer_start", other.key + "-1"}, {"timer_stop", other.key + "-1"},
		{"log_time", other.key + "-1"}, {"edit", other.key + "-1"}, {"note", other.key + "-1"}, {"reply_customer", other.key + "-4"},
		{"status", other.key + "-1|in_progress"}, {"close", other.key + "-1|closed"}, {"not_ticket", other.key + "-1"},
		{"list_page_next", "0|all customer:" + other.key}, {"list_page_next", "1|all"}, {"work", me.key + "-1"},
	} {
		w.click(t, me.user, slackemu.BlockAction(me.user, ch, ts, c[0], c[1]))
	}
	// A reply in their card's thread, and the Create ticket shortcut on
	// the message they wrote.
	w.emu.Event(ctx, slackemu.MessageEvent(ch, me.user, "and what about "+other.key+"-1?", ts))
	for _, m := range w.emu.Messages(me.channel) {
		if strings.HasPrefix(m.Text, low+" writes in") {
			w.click(t, me.user, slackemu.MessageShortcut(me.user, me.channel, m.TS, "create_ticket"))
		}
	}
	w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": me.user, "tab": "home"})
	if _, err := w.emu.WaitCall(ctx, "views.publish", func(c slackemu.Call) bool { return c.OK() && c.Params["user_id"] == me.user }); err != nil {
		t.Fatal(err)
	}
	// The Home's Open button of their pinned view.
	w.eventually(t, "the pinned view on the Home", func() bool {
		h, ok := w.emu.HomeView(me.user)
		return ok && strings.Contains(string(h.Blocks), "spy")
	})
	home, _ := w.emu.HomeView(me.user)
	w.click(t, me.user, slackemu.ViewAction(me.user, home, "list_page_next", "0|\x1eview:spy"))
	w.settle(t)
}

// click sends an interaction as user and waits a little for an answer to
// them (a refusal, a modal, a DM); what comes later is read at the end.
func (w *world) click(t *testing.T, user string, p slackemu.Payload) {
	t.Helper()
	count := func() int {
		n := len(w.emu.Calls("response_url")) + len(w.emu.Calls("views.open")) + len(w.emu.Calls("chat.postEphemeral"))
		for _, c := range w.emu.Calls("chat.postMessage") {
			if c.Params["channel"] == "D"+strings.TrimLeft(user, "UW") {
				n++
			}
		}
		return n
	}
	before := count()
	if _, err := w.emu.Interactive(waitCtx(t), p); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for count() == before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// mailTenants gives each customer an email ticket (their KEY-4): their
// mail, its acknowledgement, an internal note, our reply by mail, their
// answer by mail; then links the two mail tickets across customers and
// ships a release fixing both, which tells each customer.
func (w *mailWorld) mailTenants(t *testing.T, ts []tenant) {
	t.Helper()
	ctx := waitCtx(t)
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack, Name: "Ana Agent"}
	for i := range ts {
		c := &ts[i]
		low, key := strings.ToLower(c.key), c.key+"-4"
		subject, body := low+"-mailsubject-garnet", low+"-mailbody-opal"
		m := gomail.NewMsg()
		_ = m.FromFormat(c.userName, c.email)
		_ = m.To("support@vendor.com")
		m.Subject(subject)
		m.SetMessageIDWithValue(low + "-first@" + low + ".example")
		m.SetBodyString(gomail.TypeTextPlain, body)
		w.send(t, m)
		w.eventually(t, key+" from mail", func() bool {
			tk, err := w.svc.Ticket(ctx, agent, key)
			return err == nil && tk.Title == subject
		})
		note, reply, answer := low+"-mailnote-flint", low+"-reply-pearl", low+"-mailanswer-coral"
		if _, err := w.svc.Comment(ctx, agent, key, commands.CommentInput{Body: note}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ReplyToCustomer(ctx, agent, key, reply); err != nil {
			t.Fatal(err)
		}
		r := gomail.NewMsg()
		_ = r.FromFormat(c.userName, c.email)
		_ = r.To("support+" + key + "@vendor.com")
		r.Subject("Re: [" + key + "] " + subject)
		r.SetMessageIDWithValue(low + "-second@" + low + ".example")
		r.SetGenHeader(gomail.HeaderInReplyTo, "<"+low+"-first@"+low+".example>")
		r.SetBodyString(gomail.TypeTextPlain, answer)
		w.send(t, r)
		w.eventually(t, "their answer on "+key, func() bool {
			cs, _, _ := w.svc.History(ctx, agent, key)
			for _, c := range cs {
				if strings.Contains(c.Body, answer) {
					return true
				}
			}
			return false
		})
		c.secrets = append(c.secrets, subject, body, reply, answer, note)
		c.internal = append(c.internal, note)
	}
	if err := w.svc.Link(ctx, agent, ts[1].key+"-4", domain.LinkBlocks, ts[0].key+"-4"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ReleaseFixes(ctx, agent, "9.9.9", []string{ts[0].key + "-4", ts[1].key + "-4"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
}

// mailsTo is every mail the relay took for address: headers, body as
// sent and as decoded.
func (w *mailWorld) mailsTo(address string) (string, int) {
	var b strings.Builder
	n := 0
	for _, m := range w.sink.Messages() {
		to, text := strings.Join(m.To, " "), ""
		if parsed, err := mail.Parse(m.Data); err == nil {
			for _, a := range append(parsed.To, parsed.Cc...) {
				to += " " + a.Email
			}
			text = parsed.Subject + "\n" + parsed.Text + "\n"
		}
		if !strings.Contains(strings.ToLower(to), address) {
			continue
		}
		n++
		b.WriteString(text)
		b.Write(m.Data)
	}
	return b.String(), n
}

// digests schedules, for each customer, an agent's digest of every
// ticket (query "all") into the customer's channel, and delivers its slot
// through the outbox: each channel must read only its own customer's.
func (w *world) digests(t *testing.T, clock *storagetest.Clock, ts []tenant) {
	t.Helper()
	ctx := waitCtx(t)
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	slot := clock.Now().Truncate(time.Hour).Add(2 * time.Hour)
	for i := range ts {
		c := &ts[i]
		name := strings.ToLower(c.key) + "-digestview-ruby"
		if _, err := w.svc.SaveView(ctx, agent, name, "all group:assignee", true); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SetDigest(ctx, agent, name, fmt.Sprintf("daily %02d:00 UTC", slot.Hour()), c.channel); err != nil {
			t.Fatal(err)
		}
		c.secrets = append(c.secrets, name)
	}
	clock.Set(slot.Add(time.Minute))
	if n, err := w.svc.DueDigests(ctx); err != nil || n != len(ts) {
		t.Fatalf("%d digests queued (%v), want %d", n, err, len(ts))
	}
	w.settle(t)
}

// TestCustomersSeeOnlyTheirOwn is the two-customer property: whatever a
// customer runs, wherever they read (their shared channel, its cards and
// threads, their DMs, ephemerals, modals, Home, files), no key, title,
// name or text of the other customer appears, nor our internal notes,
// time notes or agents' views about them.
//
// It also holds the customer's face: whatever a customer reads names
// agents by name, never by mention, and shows what we promised, never our
// alert levels, timers or time.
func TestCustomersSeeOnlyTheirOwn(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(time.Now().UTC().Truncate(time.Second))
			mw := startMailAt(t, d, clock, true)
			customersSeeOnlyTheirOwn(t, mw, clock)
		})
	}
}

func customersSeeOnlyTheirOwn(t *testing.T, mw *mailWorld, clock *storagetest.Clock) {
	w := mw.world
	ts := twoTenants(t, w)
	mw.mailTenants(t, ts)
	w.digests(t, clock, ts)
	for i, me := range ts {
		w.surfaces(t, me, ts[1-i])
	}
	{
		for i, me := range ts {
			other := ts[1-i]
			mails, n := mw.mailsTo(me.email)
			if n < 2 {
				t.Errorf("%s got %d mails, want at least the acknowledgement and our reply", me.key, n)
			}
			seen := w.seenBy(me.user, me.channel) + mails
			// What they typed, answered back to them, tells them nothing.
			seen = strings.ReplaceAll(seen, `no view "`+strings.ToLower(other.key)+`-sharedview-onyx"`, "")
			seen = strings.ReplaceAll(seen, "and what about "+other.key+"-1?", "")
			k := other.key + `-\d+`
			seen = regexp.MustCompile("`key:"+k+"`|Ticket "+k+" not found|I read `"+k+"` as a ticket key|`/ticket "+k+
				" fails to load`|"+k+" is not one of your company's tickets").ReplaceAllString(seen, "")
			for _, s := range other.secrets {
				if strings.Contains(seen, s) {
					t.Errorf("%s sees %q of %s:\n%s", me.key, s, other.key, around(seen, s))
				}
			}
			// A search's matching line bolds the match inside a word.
			unbold := strings.ReplaceAll(seen, "*", "")
			for _, s := range me.internal {
				if strings.Contains(unbold, s) {
					t.Errorf("%s sees our internal %q:\n%s", me.key, s, around(seen, s))
				}
			}
			// Not blind either: their own tickets, and the link to the
			// other customer's as an internal task.
			low := strings.ToLower(me.key)
			for _, s := range []string{me.key + "-1", low + "-title-quartz", "an internal task", "Your company's open tickets", "promised by",
				"Ana Agent", "Digest: " + low + "-digestview-ruby", low + "-reply-pearl", "[" + me.key + "-4]", "9.9.9"} {
				if !strings.Contains(seen, s) {
					t.Errorf("%s does not see %q", me.key, s)
				}
			}
			// The customer's face, wherever they read.
			for _, s := range []string{"<@" + agentID, ":stopwatch:", "SLA breached", "SLA due", "on track", "at risk",
				"has a timer running", "Time logged", "Alert sent"} {
				if strings.Contains(seen, s) {
					t.Errorf("%s reads our internal %q:\n%s", me.key, s, around(seen, s))
				}
			}
		}
	}
}

// around is the text near the first s, for a readable failure.
func around(text, s string) string {
	i := strings.Index(text, s)
	return text[max(i-300, 0):min(i+len(s)+300, len(text))]
}

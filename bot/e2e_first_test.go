package bot_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// The first hour of a fresh install: an empty database, a workspace with
// a channel nobody linked, an agent, and a person of an organisation the
// helpdesk has never seen (Slack Connect).
const (
	helpdeskChan = "CHELPDESK" // a channel no customer owns
	globexUser   = "UGLOBEX"
	globexTeam   = "TGLOBEX"
)

// startEmpty runs the real bot against the emulator and an empty database.
func startEmpty(t *testing.T, dialect string) *world {
	t.Helper()
	emu := slackemu.New(slackemu.Options{})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TZ: "Europe/Paris"})
	emu.AddUser(slackemu.User{ID: globexUser, Name: "gil", RealName: "Gil Globex", TeamID: globexTeam, IsStranger: true})
	emu.AddTeam(slackemu.Team{ID: globexTeam, Name: "Globex Corporation", Domain: "globex"})
	emu.AddChannel(slackemu.Channel{ID: helpdeskChan, Name: "helpdesk"})
	emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
	db := storagetest.Open(t, dialect)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan, Logger: quiet})
	svc.UseStandardHooks()
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: quiet, OutboxPoll: 20 * time.Millisecond})
	serveBot(t, emu, b)
	return &world{emu: emu, svc: svc, db: db}
}

// homeWith waits for the person's Home to show text.
func (w *world) homeWith(t *testing.T, text string) slackemu.View {
	t.Helper()
	var home slackemu.View
	w.eventually(t, "home with "+text, func() bool {
		home, _ = w.emu.HomeView(agentID)
		return strings.Contains(string(home.Blocks), text)
	})
	return home
}

func forEachEmptyDB(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, startEmpty(t, d)) })
	}
}

// The very first /ticket, in a channel no customer owns, on an empty
// database, makes a ticket: TRIAGE, its card where it was asked for.
func TestFirstTicketInAFreshWorkspace(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, helpdeskChan, "/ticket", "Login page times out")
		reply := w.waitReply(t, "Created *TRIAGE-1*")
		if body := plainJSON(string(reply.Body)); !strings.Contains(body, "<#"+helpdeskChan+">") || !strings.Contains(body, "/ticket TRIAGE-1 customer acme") {
			t.Errorf("the confirmation does not say where the card went or how to file it: %s", body)
		}
		w.waitCard(t, helpdeskChan, "Login page times out")
		// Naming the triage customer works too.
		w.slash(t, agentID, helpdeskChan, "/ticket", "Export hangs #triage")
		w.waitReply(t, "Created *TRIAGE-2*")
		// A title that starts with a subcommand word is a title.
		w.slash(t, agentID, helpdeskChan, "/ticket", "Help with the invoice export")
		w.waitReply(t, "Created *TRIAGE-3* Help with the invoice export")
		if tk := w.ticket(t, "TRIAGE-3"); tk.Title != "Help with the invoice export" {
			t.Errorf("title %q", tk.Title)
		}
		w.slash(t, agentID, helpdeskChan, "/ticket", "help")
		w.waitReply(t, "only `/ticket help` alone is this help")
	})
}

// Someone of an organisation nobody filed opens a ticket: their
// organisation becomes a customer under its own name, announced once.
func TestFirstTicketFromAnUnknownOrganisation(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, globexUser, helpdeskChan, "/ticket", "Invoices show the wrong VAT")
		w.waitReply(t, "Created *GLOBEX-1*")
		w.waitCard(t, helpdeskChan, "Invoices show the wrong VAT")
		announced, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && c.Params["channel"] == triageChan && strings.Contains(c.Params["text"], "Globex Corporation")
		})
		if err != nil {
			t.Fatalf("the new customer was not announced: %v", err)
		}
		if !strings.Contains(announced.Params["text"], "*GLOBEX*") {
			t.Errorf("announcement %q", announced.Params["text"])
		}
		// Their second ticket, written elsewhere, is still Globex's; no second announcement.
		w.slash(t, globexUser, triageChan, "/ticket", "And the PDF is blank")
		w.waitReply(t, "Created *GLOBEX-2*")
		w.eventually(t, "outbox delivered", func() bool { n, _ := w.db.OutboxPending(ctx); return n == 0 })
		n := 0
		for _, c := range w.emu.Calls("chat.postMessage") {
			if strings.Contains(c.Params["text"], "an organisation new to deskbot") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d announcements of one new customer", n)
		}
		// A customer cannot file their ticket under someone else.
		w.slash(t, globexUser, helpdeskChan, "/ticket", "Not ours #triage")
		w.waitReply(t, "You can only open tickets for Globex Corporation")
	})
}

// A ticket filed under triage moves to its customer and keeps its key.
func TestMovedTicketKeepsItsKey(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, w *world) {
		w.slash(t, agentID, helpdeskChan, "/ticket", "Login page times out")
		w.waitReply(t, "Created *TRIAGE-1*")
		w.slash(t, agentID, helpdeskChan, "/desk", "customer add ACME Acme Corp")
		w.waitReply(t, "Customer *ACME*")
		w.slash(t, agentID, helpdeskChan, "/ticket", "TRIAGE-1 customer acme")
		w.waitReply(t, "*TRIAGE-1* is now ACME's; it keeps its key")
		tk := w.ticket(t, "TRIAGE-1")
		if tk.Key() != "TRIAGE-1" {
			t.Errorf("key %s", tk.Key())
		}
		w.slash(t, agentID, helpdeskChan, "/ticket", "list #acme")
		w.waitReply(t, "TRIAGE-1")
		w.slash(t, agentID, helpdeskChan, "/ticket", "Second login issue #acme")
		w.waitReply(t, "Created *ACME-1*")
		w.slash(t, agentID, helpdeskChan, "/ticket", "TRIAGE-1 customer acmee")
		w.waitReply(t, "did you mean `#acme`?")
	})
}

// `/time report this-week` without a customer reports on all of them and
// sends the CSV.
func TestTimeReportOfEveryCustomer(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, agentID, helpdeskChan, "/ticket", "Login page times out")
		w.waitReply(t, "Created *TRIAGE-1*")
		w.slash(t, globexUser, helpdeskChan, "/ticket", "Invoices show the wrong VAT")
		w.waitReply(t, "Created *GLOBEX-1*")
		w.slash(t, agentID, helpdeskChan, "/time", "log TRIAGE-1 1h30 looked into it")
		w.waitReply(t, "Logged 1h30 on *TRIAGE-1*")
		w.slash(t, agentID, helpdeskChan, "/time", "log GLOBEX-1 45m VAT tables")
		w.waitReply(t, "Logged 45m on *GLOBEX-1*")
		w.slash(t, agentID, helpdeskChan, "/time", "report this-week")
		reply := w.waitReply(t, "Time report for every customer")
		if body := string(reply.Body); !strings.Contains(body, "GLOBEX") || !strings.Contains(body, "TRIAGE") {
			t.Errorf("report: %s", body)
		}
		if _, err := w.emu.WaitCall(ctx, "files.completeUploadExternal", func(c slackemu.Call) bool { return c.OK() }); err != nil {
			t.Fatalf("no CSV uploaded: %v", err)
		}
		files := w.emu.Files()
		if len(files) != 1 || !strings.HasPrefix(files[0].Name, "all-customers-time-") {
			t.Fatalf("files %+v", files)
		}
		csv := string(files[0].Content)
		if strings.Count(csv, "date,ticket") != 1 || !strings.Contains(csv, "TRIAGE-1") || !strings.Contains(csv, "GLOBEX-1") || !strings.Contains(csv, "VAT tables") {
			t.Errorf("CSV:\n%s", csv)
		}
		w.slash(t, agentID, helpdeskChan, "/time", "report globex lastmonth")
		w.waitReply(t, "I read `globex` as the customer and `lastmonth` as the period")
		w.slash(t, agentID, helpdeskChan, "/time", "report nobody")
		w.waitReply(t, "I read `nobody` as the customer")
	})
}

// An admin's Home on a fresh workspace shows the three steps, each a
// button opening the modal that does it; done steps go away. Agents get
// one DM saying what deskbot can do.
func TestOnboardingHome(t *testing.T) {
	w := startEmpty(t, storagetest.Dialects[0])
	ctx := waitCtx(t)
	openHome := func() slackemu.View {
		t.Helper()
		before := len(w.emu.Calls("views.publish"))
		w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": agentID, "tab": "home"})
		w.eventually(t, "home published", func() bool { return len(w.emu.Calls("views.publish")) > before })

		home, _ := w.emu.HomeView(agentID)
		return home
	}
	home := openHome()
	for _, step := range []string{"onboard_customer", "onboard_link", "onboard_ticket"} {
		if !strings.Contains(string(home.Blocks), step) {
			t.Errorf("no %s step: %s", step, home.Blocks)
		}
	}
	if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, home, "onboard_customer", "onboard_customer")); err != nil {
		t.Fatal(err)
	}
	w.eventually(t, "add customer modal", func() bool {
		for _, v := range w.emu.Views() {
			if v.Open && v.CallbackID == "add_customer" {
				return true
			}
		}
		return false
	})
	ack, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, openView(t, w, "add_customer"), map[string]map[string]any{
		"name": {"name": slackemu.TextInput("Acme Corp")}, "key": {"key": slackemu.TextInput("acme")}, "domains": {"domains": slackemu.TextInput("acme.com")},
	}))
	if err != nil || strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("add customer: %s %v", ack.Payload, err)
	}
	if _, err := w.svc.Customer(ctx, domain.Actor{Role: domain.RoleAgent}, "ACME"); err != nil {
		t.Fatalf("customer not added: %v", err)
	}
	// The Home is redrawn after the step.
	home = w.homeWith(t, "~1. Add a customer")
	if !strings.Contains(string(home.Blocks), "~1. Add a customer") || !strings.Contains(string(home.Blocks), "onboard_link") {
		t.Errorf("step 1 not done, or step 2 gone: %s", home.Blocks)
	}
	if _, err := w.emu.Interactive(ctx, slackemu.ViewAction(agentID, home, "onboard_link", "onboard_link")); err != nil {
		t.Fatal(err)
	}
	w.eventually(t, "link modal", func() bool {
		for _, v := range w.emu.Views() {
			if v.Open && v.CallbackID == "link_channel" {
				return true
			}
		}
		return false
	})
	ack, err = w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, openView(t, w, "link_channel"), map[string]map[string]any{
		"customer": {"customer": slackemu.StaticSelect("ACME")},
		"channel":  {"channel": map[string]any{"type": "conversations_select", "selected_conversation": helpdeskChan}},
	}))
	if err != nil || strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("link: %s %v", ack.Payload, err)
	}
	w.homeWith(t, "~2. Link their channel")
	w.slash(t, agentID, helpdeskChan, "/ticket", "Login page times out")
	w.waitReply(t, "Created *ACME-1*")
	// Back on the Home (redraws are at most one per 3 s), the steps are gone.
	w.eventually(t, "the steps gone", func() bool {
		w.emu.Event(ctx, map[string]any{"type": "app_home_opened", "user": agentID, "tab": "home"})
		home, _ := w.emu.HomeView(agentID)
		return !strings.Contains(string(home.Blocks), "onboard_")
	})
	// One DM of what deskbot can do, however often the agent comes back.
	w.eventually(t, "outbox delivered", func() bool { n, _ := w.db.OutboxPending(ctx); return n == 0 })
	intros := 0
	for _, c := range w.emu.Calls("chat.postMessage") {
		if strings.Contains(c.Params["text"], "Five things to start with") {
			intros++
			if lines := strings.Count(c.Params["text"], "\n• "); lines != 5 {
				t.Errorf("intro has %d lines: %s", lines, c.Params["text"])
			}
		}
	}
	if intros != 1 {
		t.Errorf("%d intro DMs", intros)
	}
}

// A customer acts as themselves: in a channel shared with more than one
// organisation, someone of another organisation cannot act on a ticket
// that is not their company's, whatever card they click.
func TestCustomerCannotActOnAnotherOrganisationsTicket(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, w *world) {
		ctx := waitCtx(t)
		w.slash(t, globexUser, helpdeskChan, "/ticket", "Invoices show the wrong VAT")
		w.waitReply(t, "Created *GLOBEX-1*")
		w.slash(t, agentID, helpdeskChan, "/desk", "customer add ACME Acme Corp channel=<#"+helpdeskChan+"|helpdesk>")
		w.waitReply(t, "Customer *ACME*")
		w.slash(t, agentID, helpdeskChan, "/ticket", "Login page times out #acme")
		w.waitReply(t, "Created *ACME-1*")
		ch, ts := w.cardTS(t, "ACME-1")
		for _, click := range [][2]string{{"close", "ACME-1|closed"}, {"status", "ACME-1|resolved"}, {"not_ticket", "ACME-1"}, {"timer_start", "ACME-1"}} {
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(globexUser, ch, ts, click[0], click[1])); err != nil {
				t.Fatal(err)
			}
			w.waitReply(t, "ACME-1 is not one of your company")
		}
		w.settle(t)
		if tk := w.ticket(t, "ACME-1"); tk.Status != "new" {
			t.Errorf("ACME-1 is %s after another organisation's clicks", tk.Status)
		}
		// Their own ticket's card still answers them.
		ch, ts = w.cardTS(t, "GLOBEX-1")
		if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(globexUser, ch, ts, "not_ticket", "GLOBEX-1")); err != nil {
			t.Fatal(err)
		}
		w.waitReply(t, "Closed *GLOBEX-1*")
	})
}

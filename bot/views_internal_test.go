package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestHomeRefreshDebounce(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	h := &homeRefresh{now: func() time.Time { return now }}
	step := func(d time.Duration, user string, wantNow bool, wantWait time.Duration) {
		t.Helper()
		now = now.Add(d)
		got, wait := h.ask(user)
		if got != wantNow || wait != wantWait {
			t.Errorf("+%v %s: now=%v wait=%v, want %v %v", d, user, got, wait, wantNow, wantWait)
		}
	}
	step(0, "U1", true, 0)                        // first: at once
	step(time.Second, "U1", false, 2*time.Second) // inside the window: one trailing publish
	step(time.Second, "U1", false, 0)             // already pending: nothing more
	step(0, "U2", true, 0)                        // others are not held back
	now = now.Add(time.Second)
	h.fire("U1") // the trailing publish runs
	step(time.Second, "U1", false, 2*time.Second)
	step(0, "U1", false, 0)
	now = now.Add(2 * time.Second)
	h.fire("U1")
	step(homeEvery, "U1", true, 0)
	if !h.seen("U1") || h.seen("U3") {
		t.Error("seen")
	}
}

// testBot is a bot against the emulator, not connected to Socket Mode:
// tests call its methods directly.
type testBot struct {
	b       *Bot
	emu     *slackemu.Server
	svc     *commands.Service
	replies *replies
}

type replies struct {
	mu     sync.Mutex
	bodies []string
	srv    *httptest.Server
}

func (r *replies) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		return ""
	}
	return r.bodies[len(r.bodies)-1]
}

func newTestBot(tb testing.TB) *testBot {
	tb.Helper()
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(tb)})
	tb.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: "UANA", Name: "ana", RealName: "Ana", TeamID: "T0EMU", TZ: "Europe/Paris"})
	emu.AddChannel(slackemu.Channel{ID: "COPS", Name: "ops"})
	db := storagetest.Open(tb, storage.SQLite)
	quiet := slog.New(slog.DiscardHandler)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet})
	if _, err := svc.CreateCustomer(context.Background(), domain.Actor{UserID: "UANA", Role: domain.RoleAgent}, commands.CustomerInput{Key: "ACME", Name: "Acme"}); err != nil {
		tb.Fatal(err)
	}
	b := New(Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc, Outbox: db, Logger: quiet})
	b.teamID, b.people.teamID = "T0EMU", "T0EMU"
	r := &replies{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(body))
		r.mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	}))
	tb.Cleanup(r.srv.Close)
	return &testBot{b: b, emu: emu, svc: svc, replies: r}
}

func (tb *testBot) desk(t *testing.T, args string) string {
	t.Helper()
	a := domain.Actor{UserID: "UANA", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	tb.b.viewCommand(context.Background(), a, slack.SlashCommand{ResponseURL: tb.replies.srv.URL, ChannelID: "COPS", UserID: "UANA"}, args)
	return strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(tb.replies.last())
}

func TestViewCommands(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent}
	for i := range 3 {
		if _, err := tb.svc.CreateTicket(ctx, ana, commands.TicketInput{CustomerKey: "ACME", Title: fmt.Sprintf("T%d", i), Priority: "urgent", Source: domain.SourceSlash}); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct{ args, want string }{
		{`save "Acme urgent" #acme !urgent`, "Saved *Acme urgent* for you"},
		{`save "Acme urgent" all`, "You already have a view named"},
		{`save shared Everything all`, "shared with the team"},
		{`list`, "*2 saved views*"},
		{`run "acme urgent"`, "*Acme urgent* · *3 tickets*"},
		{`run "acme urgnt"`, `Did you mean \"Acme urgent\"?`},
		{`pin "Acme urgent"`, "is on your App Home"},
		{`digest "Acme urgent" mon 09:00 Europe/Paris <#COPS|ops>`, "will be posted mon 09:00 Europe/Paris to <#COPS>"},
		{`digest "Acme urgent" mun 09:00`, `\"mun\" is not a day`},
		{`delete Everything`, "Deleted *Everything*"},
		{`frobnicate`, "I don't know `/desk view frobnicate`"},
	} {
		if got := tb.desk(t, step.args); !strings.Contains(got, step.want) {
			t.Errorf("/desk view %s:\n%s\nwant %q", step.args, got, step.want)
		}
	}
	// The digest the scheduler would queue, delivered into its channel.
	views, _ := tb.svc.ListViews(ctx, ana)
	job, _ := json.Marshal(commands.DigestJob{ViewID: views[0].ID, Slot: time.Now(), Channel: "COPS"})
	if err := tb.b.DeliverDigest(ctx, string(job)); err != nil {
		t.Fatal(err)
	}
	msgs := tb.emu.Messages("COPS")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), "Acme urgent") || !strings.Contains(string(msgs[0].Blocks), "ACME-3") {
		t.Errorf("digest %+v", msgs)
	}
	// A digest of a deleted view is dropped, not retried.
	job, _ = json.Marshal(commands.DigestJob{ViewID: 999, Slot: time.Now(), Channel: "COPS"})
	if err := tb.b.DeliverDigest(ctx, string(job)); err != nil {
		t.Errorf("deleted view: %v", err)
	}
}

// App Home render and publish for an agent with 200 open tickets and 20
// pinned views, against the emulator; the baseline is a views.publish of
// a one-section Home through the same client and emulator.
func BenchmarkHome(b *testing.B) {
	tb := newTestBot(b)
	ctx := context.Background()
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent}
	for i := range 200 {
		if _, err := tb.svc.CreateTicket(ctx, ana, commands.TicketInput{CustomerKey: "ACME", Title: fmt.Sprintf("Ticket %d", i),
			Priority: []string{"low", "normal", "high", "urgent"}[i%4], AssigneeID: "UANA", Source: domain.SourceSlash}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 20 {
		name := fmt.Sprintf("View %d", i)
		if _, err := tb.svc.SaveView(ctx, ana, name, []string{"mine", "mine group:priority", "all group:customer", "sla:at-risk"}[i%4], false); err != nil {
			b.Fatal(err)
		}
		if _, err := tb.svc.PinView(ctx, ana, name, true); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("baseline-publish", func(b *testing.B) {
		view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn("hello"), nil, nil)}}}
		for b.Loop() {
			if _, err := tb.b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "UANA", View: view}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("home-200-tickets-20-pinned", func(b *testing.B) {
		for b.Loop() {
			tb.b.publishHomeNow(ctx, "UANA")
		}
		b.StopTimer()
		if c := tb.emu.Calls("views.publish"); !c[len(c)-1].OK() {
			b.Fatalf("publish refused: %s", c[len(c)-1].Response)
		}
	})
}

// The calendar puts a ticket on the day it is due — its due date, else its
// next SLA deadline, never the warning before it — and says which.
func TestCalendarUsesDueDateElseDeadline(t *testing.T) {
	mon := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	at := func(day, hour int) *time.Time {
		v := mon.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour)
		return &v
	}
	dated := &domain.Ticket{CustomerKey: "ACME", Number: 1, Title: "Dated", Priority: "low", DueAt: at(3, 17), SLADeadline: at(1, 9), SLADueAt: at(0, 15)}
	byDeadline := &domain.Ticket{CustomerKey: "ACME", Number: 2, Title: "By SLA", Priority: "high", SLADeadline: at(2, 12), SLADueAt: at(1, 10)}
	r := &commands.ViewResult{Layout: "calendar", Tickets: []*domain.Ticket{dated, byDeadline}, Now: mon.Add(8 * time.Hour),
		Loc: time.UTC, From: mon, To: mon.AddDate(0, 0, 7)}
	lines := strings.Join(calendarLines(domain.DefaultConfig(), r, face{}), "\n")
	want := "*Wed 2 Dec*\n      12:00 `ACME-2` By SLA · high · _unassigned_ · _SLA deadline_\n*Thu 3 Dec*\n      17:00 `ACME-1` Dated · low · _unassigned_ · _due date_"
	if !strings.Contains(lines, want) {
		t.Errorf("calendar:\n%s\nwant within it:\n%s", lines, want)
	}
	if strings.Count(lines, "ACME-") != 2 {
		t.Errorf("each ticket once, on its due day:\n%s", lines)
	}
}

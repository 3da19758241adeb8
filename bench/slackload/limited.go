package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bench/benchdb"
	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The limited mode (issue 24): the emulator enforces Slack's documented
// rate limits (slackemu/ratelimit.go) and the bot paces itself to them.
// A burst of -burst `/ticket … #acme` lands in one channel, then one
// ticket for another customer; measured: the burst's drain time against
// the floor the limits allow (the channel's burst at once, then one post a
// second), the calls per card, the 429s answered and the calls made inside
// a Retry-After window, and the other channel's card latency against its
// latency before the burst, all in the same run. The other runs keep the
// emulator unthrottled: they measure the bot's own overhead.

// targetDrain: the burst drains within 1.2× the floor.
const targetDrain = 1.2

const globexChan = "CGLOBEX"

type limitedResult struct {
	dialect           string
	n                 int
	scale             float64
	drain, floor      time.Duration
	unloaded, loaded  time.Duration // the other channel's card latency
	cards, inverted   int
	posts, calls      int // chat.postMessage into the busy channel; all Web API calls
	limited, inWindow int
}

var cardKey = regexp.MustCompile(`^ACME-(\d+) `)

func runLimited(parent context.Context, dialect string, n int, scale float64, poll time.Duration) (*limitedResult, error) {
	ctx, cancel := context.WithTimeout(parent, 10*time.Minute)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	db, closeDB, err := benchdb.OpenMigrated(ctx, dialect, "slackload")
	if err != nil {
		return nil, err
	}
	defer closeDB()
	emu := slackemu.New(slackemu.Options{RateScale: scale})
	defer emu.Close()
	const agentID = "U0AGENT"
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU"})
	for _, ch := range []string{acmeChan, globexChan, triageChan} {
		emu.AddChannel(slackemu.Channel{ID: ch, Name: strings.ToLower(ch[1:])})
	}
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan, Logger: quiet})
	svc.UseStandardHooks()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	for _, p := range [][2]string{{"ACME", acmeChan}, {"GLOBEX", globexChan}} {
		if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: p[0], Name: p[0], CurrentVersion: "1.0"}); err != nil {
			return nil, err
		}
		if _, err := svc.LinkChannel(ctx, agent, p[0], p[1]); err != nil {
			return nil, err
		}
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Instance: "slackload-limited-" + dialect, Logger: quiet, OutboxPoll: poll, RateScale: scale})
	botCtx, stopBot := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(botCtx) }()
	defer func() { stopBot(); <-done }()
	if err := emu.WaitConnected(ctx); err != nil {
		return nil, err
	}
	slash := func(text string) error {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := emu.SlashCommand(cctx, slackemu.SlashCommand{Command: "/ticket", Text: text, UserID: agentID, ChannelID: triageChan})
		return err
	}
	waitCard := func(prefix string) (time.Time, error) {
		c, err := emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && strings.HasPrefix(c.Params["text"], prefix)
		})
		return c.At, err
	}
	latency := func(text, key string) (time.Duration, error) {
		sent := time.Now()
		if err := slash(text); err != nil {
			return 0, err
		}
		at, err := waitCard(key + " ")
		return at.Sub(sent), err
	}
	r := &limitedResult{dialect: dialect, n: n, scale: scale}
	if r.unloaded, err = latency("Quiet #globex", "GLOBEX-1"); err != nil {
		return nil, fmt.Errorf("unloaded card: %w", err)
	}
	calls0 := len(emu.Calls(""))
	start := time.Now()
	for i := range n {
		if err := slash(fmt.Sprintf("Burst %d #acme", i+1)); err != nil {
			return nil, err
		}
	}
	if r.loaded, err = latency("Meanwhile #globex", "GLOBEX-2"); err != nil {
		return nil, fmt.Errorf("loaded card: %w", err)
	}
	last, err := waitCard(fmt.Sprintf("ACME-%d ", n))
	if err != nil {
		return nil, fmt.Errorf("the burst did not drain: %w", err)
	}
	r.drain = last.Sub(start)
	perMin, burst, _ := slackemu.RateLimitOf("chat.postMessage", true)
	r.floor = time.Duration(max(0, float64(n)-burst) / (perMin / 60 * scale) * float64(time.Second))
	prev := 0
	for _, c := range emu.Calls("chat.postMessage") {
		if c.Params["channel"] != acmeChan {
			continue
		}
		r.posts++
		if m := cardKey.FindStringSubmatch(c.Params["text"]); m != nil && c.OK() && c.Params["thread_ts"] == "" {
			k, _ := strconv.Atoi(m[1])
			r.cards++
			if k < prev {
				r.inverted++
			}
			prev = k
		}
	}
	r.calls = len(emu.Calls("")) - calls0
	st := emu.RateStats()
	r.limited, r.inWindow = st.Limited, st.InWindow
	return r, nil
}

func (r *limitedResult) print(w io.Writer) {
	ratio := r.drain.Seconds() / r.floor.Seconds()
	met := "met"
	if ratio > targetDrain {
		met = "MISSED"
	}
	fmt.Fprintf(w, "== %s, Slack's rate limits on (time scale %g×): %d `/ticket` into one channel\n", r.dialect, r.scale, r.n)
	fmt.Fprintf(w, "  drain %v, floor %v: ×%.2f (target ≤ ×%.1f: %s)\n", r.drain.Round(time.Millisecond), r.floor.Round(time.Millisecond), ratio, targetDrain, met)
	fmt.Fprintf(w, "  cards %d of %d, %d out of order; %.2f chat.postMessage per card, %.2f Web API calls per card\n",
		r.cards, r.n, r.inverted, float64(r.posts)/float64(r.n), float64(r.calls)/float64(r.n))
	fmt.Fprintf(w, "  429s answered %d, calls inside a Retry-After window %d\n", r.limited, r.inWindow)
	fmt.Fprintf(w, "  other channel's card: %v during the burst, %v before it (+%v)\n\n",
		r.loaded.Round(time.Millisecond), r.unloaded.Round(time.Millisecond), (r.loaded - r.unloaded).Round(time.Millisecond))
}

func (r *limitedResult) met() bool {
	return r.drain.Seconds() <= targetDrain*r.floor.Seconds() && r.inWindow == 0 && r.inverted == 0 && r.cards == r.n &&
		r.loaded <= r.unloaded+time.Second
}

// unpaced is the bot's RateScale for the unthrottled runs: its buckets
// never run dry, so what is measured is its own overhead.
const unpaced = 1e6

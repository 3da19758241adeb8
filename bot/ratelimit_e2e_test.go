package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// The tests of Slack's rate limits run the real bot against the emulator
// enforcing them (slackemu/ratelimit.go).
//
// burstScale: a 60-card burst into one channel takes about a minute at
// Slack's real pace (one post a second per channel); the burst tests run
// the emulator's limits and the bot's mirror of them 10 times faster, so
// each takes seconds. It stays faithful: both sides scale the same rates,
// burst sizes are unchanged, Retry-After stays in real whole seconds (so a
// 429 costs the bot 10 times more than at real pace: 429s are no cheaper
// here than on Slack), and at 10 posts a second a delivery (a few
// milliseconds of database work and one call) still takes a small share of
// its turn. The timer test, about one card's updates, runs at real pace.
const burstScale = 10

const globexChan = "CGLOBEX"

// startLimited starts replicas bots (one database, one emulator) with the
// rate limits on at scale; envelopes go to the newest replica, the
// outbox to whichever holds the dispatch lease.
func startLimited(t *testing.T, dialect string, scale float64, replicas int) *world {
	t.Helper()
	w, _ := startReplicas(t, dialect, scale, replicas)
	return w
}

// startReplicas is startLimited that also returns a graceful stop for
// each replica, by instance name ("replica-1" …).
func startReplicas(t *testing.T, dialect string, scale float64, replicas int) (*world, map[string]func()) {
	t.Helper()
	stops := map[string]func(){}
	emu := slackemu.New(slackemu.Options{RateScale: scale})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU"})
	emu.AddUser(slackemu.User{ID: customerID, Name: "cy", RealName: "Cy Customer", TeamID: "TACME", IsStranger: true})
	emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: globexChan, Name: "globex-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
	db := storagetest.Open(t, dialect)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	newSvc := func() *commands.Service {
		svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan, Logger: quiet})
		svc.UseStandardHooks()
		return svc
	}
	svc := newSvc()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	ctx := context.Background()
	var acme *domain.Customer
	for _, p := range []struct{ key, name, ch string }{{"ACME", "Acme Corp", acmeChan}, {"GLOBEX", "Globex", globexChan}} {
		if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: p.key, Name: p.name, CurrentVersion: "4.2.1"}); err != nil {
			t.Fatal(err)
		}
		pr, err := svc.LinkChannel(ctx, agent, p.key, p.ch)
		if err != nil {
			t.Fatal(err)
		}
		if acme == nil {
			acme = pr
		}
	}
	for i := range replicas {
		s := svc
		if i > 0 {
			s = newSvc()
		}
		b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: s,
			Outbox: db, Logger: quiet, OutboxPoll: 20 * time.Millisecond, RateScale: scale, Instance: fmt.Sprintf("replica-%d", i+1)})
		rctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(rctx) }()
		stop := sync.OnceFunc(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("bot stopped with %v", err)
			}
		})
		stops[fmt.Sprintf("replica-%d", i+1)] = stop
		t.Cleanup(stop)
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		if err := emu.WaitConnected(wctx); err != nil {
			t.Fatal(err)
		}
		wcancel()
	}
	return &world{emu: emu, svc: svc, db: db, acme: acme}, stops
}

var cardKey = regexp.MustCompile(`^([A-Z]+)-(\d+) `)

// cards lists the cards posted in channel (top-level posts), in the order
// Slack took them, by ticket number.
func (w *world) cards(channel string) (nums []int, at []time.Time) {
	for _, c := range w.emu.Calls("chat.postMessage") {
		if !c.OK() || c.Params["channel"] != channel || c.Params["thread_ts"] != "" {
			continue
		}
		if m := cardKey.FindStringSubmatch(c.Params["text"]); m != nil {
			n, _ := strconv.Atoi(m[2])
			nums, at = append(nums, n), append(at, c.At)
		}
	}
	return nums, at
}

// cardLatency creates a ticket for GLOBEX and times its card's post from
// the command's ack.
func (w *world) cardLatency(t *testing.T, title string, n int) time.Duration {
	t.Helper()
	sent := time.Now()
	w.slash(t, agentID, triageChan, "/ticket", title+" #globex")
	key := fmt.Sprintf("GLOBEX-%d ", n)
	call, err := w.emu.WaitCall(waitCtx(t), "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["channel"] == globexChan && strings.HasPrefix(c.Params["text"], key)
	})
	if err != nil {
		t.Fatalf("no card for %s: %v", key, err)
	}
	return call.At.Sub(sent)
}

// checkInOrder checks that channel got cards 1..n, each once, in order.
func checkInOrder(t *testing.T, w *world, channel string, n int) {
	t.Helper()
	nums, _ := w.cards(channel)
	if len(nums) != n {
		t.Errorf("%d cards in %s, want %d: %v", len(nums), channel, n, nums)
	}
	for i, num := range nums {
		if num != i+1 {
			t.Errorf("cards in %s in the order %v, want 1..%d", channel, nums, n)
			break
		}
	}
}

// checkLimits checks that no call was made inside a Retry-After window.
func checkLimits(t *testing.T, w *world) slackemu.RateStats {
	t.Helper()
	st := w.emu.RateStats()
	if st.InWindow != 0 {
		t.Errorf("%d calls inside a Retry-After window: %v", st.InWindow, st.InWindowByMethod)
	}
	// The dispatcher's buckets mirror Slack's, a little under: a 429 is
	// a clock's hiccup, not the pacing.
	if st.Limited > 2 {
		t.Errorf("%d calls answered 429: %v", st.Limited, st.LimitedByMethod)
	}
	return st
}

// burst sends 60 /ticket for ACME and, once they are in, one for GLOBEX,
// whose card must not wait for ACME's: within a second of its latency
// before the burst. Then every ACME card must come, once, in order, with
// no call inside a Retry-After window.
// midway, when set, runs once half the burst's cards are posted.
func burst(t *testing.T, w *world, midway func()) {
	unloaded := w.cardLatency(t, "Quiet day", 1)
	start := time.Now()
	for i := range 60 {
		w.slash(t, agentID, triageChan, "/ticket", fmt.Sprintf("Burst %02d #acme", i+1))
	}
	loaded := w.cardLatency(t, "Meanwhile elsewhere", 2)
	if loaded > unloaded+time.Second {
		t.Errorf("the other channel's card took %v during the burst, %v before it", loaded, unloaded)
	}
	if midway != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
			return c.OK() && strings.HasPrefix(c.Params["text"], "ACME-30 ")
		}); err != nil {
			t.Fatalf("half the burst: %v", err)
		}
		midway()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && strings.HasPrefix(c.Params["text"], "ACME-60 ")
	}); err != nil {
		nums, _ := w.cards(acmeChan)
		t.Fatalf("the burst did not drain: %v; cards %v", err, nums)
	}
	drained := time.Since(start)
	checkInOrder(t, w, acmeChan, 60)
	st := checkLimits(t, w)
	// The floor: 60 posts at 1/s per channel (scaled), less the burst.
	perMin, burstSize, _ := slackemu.RateLimitOf("chat.postMessage", true)
	floor := time.Duration((60 - burstSize) / (perMin / 60 * burstScale) * float64(time.Second))
	t.Logf("burst drained in %v (floor %v, ×%.2f); other channel's card %v (unloaded %v); 429s %d",
		drained.Round(time.Millisecond), floor, drained.Seconds()/floor.Seconds(), loaded.Round(time.Millisecond), unloaded.Round(time.Millisecond), st.Limited)
}

func TestBurstPacedPerChannel(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) { burst(t, startLimited(t, d, burstScale, 1), nil) })
	}
}

// Three replicas on one database share one budget: the combined calls
// stay within the limits (no 429 beyond a hiccup, none inside a window),
// and the cards still come in order, even though the dispatching replica
// stops halfway through the burst and another takes over.
func TestBurstPacedAcrossReplicas(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w, stops := startReplicas(t, d, burstScale, 3)
			burst(t, w, func() {
				_, holder, _, err := w.db.Backlog(context.Background())
				if err != nil || stops[holder] == nil {
					t.Fatalf("dispatching replica %q: %v", holder, err)
				}
				stops[holder]()
				t.Logf("%s stopped halfway", holder)
			})
		})
	}
}

// Twelve timer clicks in six seconds on one card, at Slack's real pace:
// at most one chat.update per cardEvery (1 s) beyond the first, and the
// card ends showing the last state.
func TestTimerClicksCoalesce(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startLimited(t, d, 1, 1)
			ctx := waitCtx(t)
			w.slash(t, agentID, triageChan, "/ticket", "Clicky #acme")
			ch, ts := w.cardTS(t, "ACME-1")
			start := time.Now()
			for i := range 12 {
				action := "timer_start"
				if i%2 == 1 {
					action = "timer_stop"
				}
				if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, action, "ACME-1")); err != nil {
					t.Fatal(err)
				}
				time.Sleep(500 * time.Millisecond) // a person clicking twice a second
			}
			w.waitReply(t, "Timer stopped on *ACME-1*")
			clicked := time.Since(start)
			// The last click's update comes within a window of it.
			w.eventually(t, "the card shows the timer stopped", func() bool {
				m, _ := w.emu.Message(ch, ts)
				return m.Edited && !strings.Contains(string(m.Blocks), "timer running") && time.Since(start) > clicked+1500*time.Millisecond
			})
			var updates []time.Time
			for _, c := range w.emu.Calls("chat.update") {
				if c.OK() && c.Params["ts"] == ts {
					updates = append(updates, c.At)
				}
			}
			span := updates[len(updates)-1].Sub(start)
			if max := 1 + int(span/time.Second); len(updates) > max {
				t.Errorf("%d updates in %v for 12 clicks, want at most %d", len(updates), span, max)
			}
			for i := 1; i < len(updates); i++ {
				// Spaced a second apart when sent; arrival jitters on a busy machine.
				if gap := updates[i].Sub(updates[i-1]); gap < 900*time.Millisecond {
					t.Errorf("updates %d and %d %v apart", i, i+1, gap)
				}
			}
			m, _ := w.emu.Message(ch, ts)
			if strings.Contains(string(m.Blocks), "timer running") {
				t.Errorf("the card ends with the timer running: %s", m.Blocks)
			}
			checkLimits(t, w)
			t.Logf("12 clicks in %v: %d updates", clicked.Round(time.Millisecond), len(updates))
		})
	}
}

// A release fixing 40 tickets in two channels: every ticket resolved, each
// customer told once in its thread, and no call inside a Retry-After
// window.
func TestReleaseAcrossTwoChannels(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startLimited(t, d, burstScale, 1)
			var keys []string
			for i := range 20 {
				for _, p := range []string{"acme", "globex"} {
					w.slash(t, agentID, triageChan, "/ticket", fmt.Sprintf("Bug %d #%s type:bug", i+1, p))
					keys = append(keys, fmt.Sprintf("%s-%d", strings.ToUpper(p), i+1))
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for _, k := range []string{"ACME-20", "GLOBEX-20"} {
				if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
					return c.OK() && strings.HasPrefix(c.Params["text"], k+" ")
				}); err != nil {
					t.Fatalf("no card for %s: %v", k, err)
				}
			}
			w.slash(t, agentID, triageChan, "/desk", "release 9.9.9 fixes "+strings.Join(keys, " "))
			w.waitReply(t, "Resolved, customers told")
			told := func() map[string]int {
				n := map[string]int{}
				for _, c := range w.emu.Calls("chat.postMessage") {
					if c.OK() && c.Params["thread_ts"] != "" && strings.Contains(c.Params["text"], "Version *9.9.9* fixes") {
						for _, k := range keys {
							if strings.Contains(c.Params["text"], "*"+k+"*") {
								n[k]++
							}
						}
					}
				}
				return n
			}
			deadline := time.Now().Add(30 * time.Second)
			for len(told()) < len(keys) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			for _, k := range keys {
				if n := told()[k]; n != 1 {
					t.Errorf("%s's customer told %d times", k, n)
				}
				if tk := w.ticket(t, k); tk.Status != "resolved" {
					t.Errorf("%s is %s", k, tk.Status)
				}
			}
			checkInOrder(t, w, acmeChan, 20)
			checkInOrder(t, w, globexChan, 20)
			checkLimits(t, w)
		})
	}
}

package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain"
)

// The pacer tests run in a synctest bubble: time is virtual, so pacing
// at Slack's real pace (a post a second per channel) takes no real time,
// and "when" is exact.

// sent is one call the fake Slack took.
type sent struct {
	key string
	ids []int64
	at  time.Duration // since the test began
}

// fakeSlack records the pacer's sends; fail, when set, answers a send.
type fakeSlack struct {
	mu    sync.Mutex
	start time.Time
	sent  []sent
	fail  func(d *delivery, n int) error // n: sends so far
	marks []int64                        // coalesced messages marked
}

// testRoute routes like routeOf, from the payload: a "channel" posts
// (ordered), "update" updates a posted card.
func testRoute(_ context.Context, m *domain.OutboxMessage) route {
	var p struct {
		TicketID int64  `json:"ticket_id"`
		Channel  string `json:"channel"`
		Update   bool   `json:"update"`
	}
	_ = json.Unmarshal([]byte(m.Payload), &p)
	if p.Update {
		return route{key: "update", buckets: []string{bucketUpdate}, ticket: p.TicketID, update: true}
	}
	r := route{key: "post:" + p.Channel, ordered: true, class: classPost, buckets: []string{"@" + bucketChannelPost, bucketWorkspacePost}}
	if m.Kind == domain.OutboxCard {
		r.ticket = p.TicketID
	}
	return r
}

// inTimeOrder sorts sends by time, then key: keys run side by side.
func inTimeOrder(s []sent) []sent {
	slices.SortStableFunc(s, func(a, b sent) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.key, b.key)) })
	return s
}

func newTestPacer(f *fakeSlack) *pacer {
	p := newPacer(1, NewMetrics(nil))
	f.start = time.Now()
	p.route = testRoute
	p.send = func(_ context.Context, d *delivery) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		var ids []int64
		for _, m := range d.msgs {
			ids = append(ids, m.ID)
		}
		f.sent = append(f.sent, sent{d.route.key, ids, time.Since(f.start)})
		if f.fail != nil {
			return f.fail(d, len(f.sent))
		}
		return nil
	}
	p.failed = func(context.Context, *delivery, error) time.Time { return time.Now().Add(2 * time.Second) }
	p.done = func(_ context.Context, d *delivery) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range d.msgs[1:] {
			f.marks = append(f.marks, m.ID)
		}
	}
	return p
}

func post(id int64, channel string) *domain.OutboxMessage {
	return &domain.OutboxMessage{ID: id, Kind: domain.OutboxSlackPost, Payload: fmt.Sprintf(`{"channel":%q}`, channel)}
}

func card(id, ticket int64, update bool) *domain.OutboxMessage {
	return &domain.OutboxMessage{ID: id, Kind: domain.OutboxCard, Payload: fmt.Sprintf(`{"ticket_id":%d,"channel":"C1","update":%v}`, ticket, update)}
}

// A burst into one channel goes out in order at the channel's pace after
// its burst; another channel's post goes at once.
func TestPacerPacesEachChannelInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		p := newTestPacer(f)
		ctx := context.Background()
		var msgs []*domain.OutboxMessage
		for i := range 10 {
			msgs = append(msgs, post(int64(i+1), "CBUSY"))
		}
		p.add(ctx, msgs)
		p.add(ctx, []*domain.OutboxMessage{post(11, "COTHER")})
		p.wg.Wait()

		burst := slackBuckets[bucketChannelPost].burst - 1
		margin := bucketMargin
		every := time.Duration(float64(time.Second) / margin)
		var busy []sent
		for _, s := range f.sent {
			if s.key == "post:COTHER" && s.at != 0 {
				t.Errorf("the other channel's post went out after %v", s.at)
			}
			if s.key == "post:CBUSY" {
				busy = append(busy, s)
			}
		}
		for i, s := range busy {
			if s.ids[0] != int64(i+1) {
				t.Fatalf("busy channel's posts out of order: %v", busy)
			}
			if i > 0 && i >= int(burst) && s.at-busy[i-1].at < every-time.Millisecond {
				t.Errorf("posts %d and %d %v apart, want at least %v", i, i+1, s.at-busy[i-1].at, every)
			}
		}
		floor := time.Duration(float64(10-burst) * float64(every))
		if last := busy[len(busy)-1].at; last > floor+time.Millisecond {
			t.Errorf("the burst drained by %v, floor %v", last, floor)
		}
	})
}

// A 429 pauses its key alone, for exactly its Retry-After, and the
// refused delivery goes first when it is over.
func TestPacerHonoursRetryAfterPerKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		failed := false
		f.fail = func(d *delivery, n int) error {
			if d.route.key == "post:CA" && !failed {
				failed = true
				return &slack.RateLimitedError{RetryAfter: 3 * time.Second}
			}
			return nil
		}
		p := newTestPacer(f)
		ctx := context.Background()
		p.add(ctx, []*domain.OutboxMessage{post(1, "CA"), post(2, "CA")})
		p.add(ctx, []*domain.OutboxMessage{post(3, "CB")})
		p.wg.Wait()
		got := fmt.Sprint(inTimeOrder(f.sent))
		want := fmt.Sprint([]sent{{"post:CA", []int64{1}, 0}, {"post:CB", []int64{3}, 0},
			{"post:CA", []int64{1}, 3 * time.Second}, {"post:CA", []int64{2}, 3 * time.Second}})
		if got != want {
			t.Errorf("sends\n%s\nwant\n%s", got, want)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(p.met.rateLimited, p.met.outboxWait)
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got = ""
		for _, f := range fams {
			for _, m := range f.GetMetric() {
				got += fmt.Sprintf("%s{%s} %v %v\n", f.GetName(), m.GetLabel()[0].GetValue(), m.GetCounter().GetValue(), m.GetHistogram().GetSampleCount())
			}
		}
		want = "deskbot_outbox_wait_seconds{post:CA} 0 3\ndeskbot_outbox_wait_seconds{post:CB} 0 1\ndeskbot_slack_rate_limited_total{post:CA} 1 0\n"
		if got != want {
			t.Errorf("metrics per key:\n%swant\n%s", got, want)
		}
	})
}

// Changes to one card coalesce while they wait: one update per cardEvery
// at most, the last one delivering the newest change, every message
// marked.
func TestPacerCoalescesCardUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		p := newTestPacer(f)
		ctx := context.Background()
		// Twelve changes, one every 250 ms.
		for i := range 12 {
			p.add(ctx, []*domain.OutboxMessage{card(int64(i+1), 7, true)})
			time.Sleep(250 * time.Millisecond)
		}
		p.wg.Wait()
		for i := 1; i < len(f.sent); i++ {
			if gap := f.sent[i].at - f.sent[i-1].at; gap < cardEvery {
				t.Errorf("updates %v apart: %v", gap, f.sent)
			}
		}
		total := time.Duration(12) * 250 * time.Millisecond
		if max := 1 + int(total/cardEvery); len(f.sent) > max {
			t.Errorf("%d updates for 12 changes in %v, want at most %d", len(f.sent), total, max)
		}
		var seen []int64
		for _, s := range f.sent {
			seen = append(seen, s.ids...)
		}
		if len(seen) != 12 || f.sent[len(f.sent)-1].ids[len(f.sent[len(f.sent)-1].ids)-1] != 12 {
			t.Errorf("messages delivered or coalesced %v, want all 12, the last in the last update", seen)
		}
		if len(f.marks) != 12-len(f.sent) {
			t.Errorf("marked %v coalesced, want %d", f.marks, 12-len(f.sent))
		}
	})
}

// A change to a card while its first post is in flight is delivered after
// it, routed again (as an update).
func TestPacerFollowsACardInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		release := make(chan struct{})
		var once sync.Once
		f.fail = func(d *delivery, n int) error {
			if n == 1 {
				f.mu.Unlock()
				<-release
				f.mu.Lock()
			}
			return nil
		}
		p := newTestPacer(f)
		posted := false
		p.route = func(ctx context.Context, m *domain.OutboxMessage) route {
			r := testRoute(ctx, m)
			if posted {
				r = route{key: "update", buckets: []string{bucketUpdate}, ticket: 7, update: true}
			}
			return r
		}
		ctx := context.Background()
		p.add(ctx, []*domain.OutboxMessage{card(1, 7, false)})
		synctest.Wait() // the post is in flight
		p.add(ctx, []*domain.OutboxMessage{card(2, 7, false)})
		p.add(ctx, []*domain.OutboxMessage{card(3, 7, false)})
		once.Do(func() { posted = true; close(release) })
		p.wg.Wait()
		want := fmt.Sprint([]sent{{"post:C1", []int64{1}, 0}, {"update", []int64{2, 3}, 0}})
		if got := fmt.Sprint(f.sent); got != want {
			t.Errorf("sends %s, want %s", got, want)
		}
	})
}

// A failed post keeps its place at the head of its channel until its
// retry: the channel's later posts wait; another channel does not.
func TestPacerKeepsAFailedPostsPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		failed := false
		f.fail = func(d *delivery, n int) error {
			if d.route.key == "post:CA" && !failed {
				failed = true
				return errors.New("boom")
			}
			return nil
		}
		p := newTestPacer(f)
		ctx := context.Background()
		p.add(ctx, []*domain.OutboxMessage{post(1, "CA"), post(2, "CA"), post(3, "CB")})
		p.wg.Wait()
		want := fmt.Sprint([]sent{{"post:CA", []int64{1}, 0}, {"post:CB", []int64{3}, 0},
			{"post:CA", []int64{1}, 2 * time.Second}, {"post:CA", []int64{2}, 2 * time.Second}})
		if got := fmt.Sprint(inTimeOrder(f.sent)); got != want {
			t.Errorf("sends\n%s\nwant\n%s", got, want)
		}
	})
}

// The dispatcher's buckets are Slack's documented limits, as the
// emulator enforces them, never above.
func TestBucketsMirrorSlacksLimits(t *testing.T) {
	for name, b := range slackBuckets {
		method, perChannel := name, false
		if name == bucketChannelPost {
			method, perChannel = bucketWorkspacePost, true
		}
		perMin, burst, ok := slackemu.RateLimitOf(method, perChannel)
		if !ok || perMin != b.perMinute || burst != b.burst {
			t.Errorf("%s: dispatcher %v/min burst %v, emulator %v/min burst %v (%v)", name, b.perMinute, b.burst, perMin, burst, ok)
		}
	}
}

// claims is a fake outbox handing out prepared batches, one per claim.
type claims struct {
	mu      sync.Mutex
	batches [][]*domain.OutboxMessage
}

var _ domain.Outbox = (*claims)(nil)

func (c *claims) ClaimOutbox(context.Context, string, []string, int, time.Duration) ([]*domain.OutboxMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.batches) == 0 {
		return nil, nil
	}
	b := c.batches[0]
	c.batches = c.batches[1:]
	return b, nil
}
func (c *claims) OutboxDelivered(context.Context, int64) error                 { return nil }
func (c *claims) OutboxFailed(context.Context, int64, string, time.Time) error { return nil }

// A claim queues its messages in ID order, whatever order the claim
// returned them in (by due time): a retry goes before newer posts.
func TestDispatcherQueuesByID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		p := newTestPacer(f)
		out := &claims{batches: [][]*domain.OutboxMessage{{post(5, "CA"), post(2, "CA"), post(9, "CA")}}}
		d := newDispatcher(out, p, slog.New(slog.NewTextHandler(io.Discard, nil)))
		d.claim(context.Background())
		p.wg.Wait()
		var ids []int64
		for _, s := range f.sent {
			ids = append(ids, s.ids...)
		}
		if fmt.Sprint(ids) != "[2 5 9]" {
			t.Errorf("sent %v, want [2 5 9]", ids)
		}
	})
}

// A message whose payload does not parse goes alone on a key of its own:
// read as ticket 0, it would join every other unreadable card's queue.
func TestRouteOfUnreadable(t *testing.T) {
	b := &Bot{log: slog.New(slog.DiscardHandler)}
	for _, kind := range []string{domain.OutboxCard, domain.OutboxSlackPost, domain.OutboxSlackFile} {
		m := &domain.OutboxMessage{ID: 7, Kind: kind, Payload: "{not json"}
		if r := b.routeOf(context.Background(), m); r.key != "unreadable:7" || r.ticket != 0 || r.ordered {
			t.Errorf("%s: route %+v", kind, r)
		}
	}
	if id, err := ticketOf(&domain.OutboxMessage{Payload: `{"ticket_id":42}`}); id != 42 || err != nil {
		t.Errorf("ticketOf: %d %v", id, err)
	}
}

// While Slack is down (500s), one delivery a second asks whether it is
// back, whatever its channel, rather than every channel's first post on
// its own back-off; and when Slack answers again, every channel's posts
// go at once, not each after a back-off grown during the outage.
func TestPacerProbesASlackOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const outage = 10 * time.Second
		f := &fakeSlack{}
		f.fail = func(*delivery, int) error {
			if time.Since(f.start) < outage {
				return slack.StatusCodeError{Code: 500, Status: "500 Internal Server Error"}
			}
			return nil
		}
		p := newTestPacer(f)
		// The dispatcher's own back-off: exponential from a second.
		p.failed = func(_ context.Context, d *delivery, _ error) time.Time {
			return time.Now().Add(domain.Backoff(d.failures+1, time.Second, 30*time.Minute))
		}
		ctx := context.Background()
		var msgs []*domain.OutboxMessage
		channels := []string{"CA", "CB", "CC", "CD"}
		for i := range 12 {
			msgs = append(msgs, post(int64(i+1), channels[i%len(channels)]))
		}
		p.add(ctx, msgs)
		p.wg.Wait()

		during, delivered := 0, map[int64]time.Duration{}
		for _, s := range f.sent {
			if s.at < outage {
				during++
			} else if _, ok := delivered[s.ids[0]]; !ok {
				delivered[s.ids[0]] = s.at
			}
		}
		// Each channel's first post at once, then a probe a second.
		if most := len(channels) + int(outage/probeEvery) + 1; during > most {
			t.Errorf("%d calls to a Slack that was down for %v, want at most %d", during, outage, most)
		}
		for id, at := range delivered {
			// A channel's posts go a second apart after its burst of 2.
			if at > outage+probeEvery+3*time.Second {
				t.Errorf("post %d went %v after Slack was back", id, at-outage)
			}
		}
		var first time.Duration
		for _, at := range delivered {
			if first == 0 || at < first {
				first = at
			}
		}
		if first > outage+probeEvery {
			t.Errorf("the first post after the outage went %v after it", first-outage)
		}
	})
}

// A post refused because the dispatch lease ran out is no failure: it is
// not recorded as one (that would free the new dispatcher's claim) and
// goes again once the lease is renewed.
func TestPacerRequeuesAPostRefusedForTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSlack{}
		f.fail = func(_ *delivery, n int) error {
			if n == 1 {
				return errLeaseLost
			}
			return nil
		}
		p := newTestPacer(f)
		failed := 0
		p.failed = func(context.Context, *delivery, error) time.Time { failed++; return time.Now() }
		p.add(context.Background(), []*domain.OutboxMessage{post(1, "CA")})
		p.wg.Wait()
		want := fmt.Sprint([]sent{{"post:CA", []int64{1}, 0}, {"post:CA", []int64{1}, leaderPoll}})
		if got := fmt.Sprint(f.sent); got != want || failed != 0 {
			t.Errorf("sends %s, %d failures recorded; want %s and none", got, failed, want)
		}
	})
}

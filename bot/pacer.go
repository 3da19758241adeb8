package bot

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// Slack's rate limits as the dispatcher spends them (slackemu/ratelimit.go
// holds the documented numbers and their sources; a test keeps the two
// tables in step). The dispatcher's buckets run a little under Slack's, a
// call's clock and Slack's being apart by a round trip: 429s stay rare
// instead of being the pacing.
var slackBuckets = map[string]slackBucket{
	bucketChannelPost:   {perMinute: 60, burst: 3}, // chat.postMessage, per channel
	bucketWorkspacePost: {perMinute: 300, burst: 30},
	bucketUpdate:        {perMinute: 50, burst: 10}, // chat.update, Tier 3
	bucketFiles:         {perMinute: 100, burst: 20},
	bucketOpen:          {perMinute: 50, burst: 10},  // conversations.open, Tier 3
	methodUsersInfo:     {perMinute: 100, burst: 20}, // Tier 4; people.go spends it
}

const (
	bucketChannelPost   = "chat.postMessage/channel"
	bucketWorkspacePost = "chat.postMessage"
	bucketUpdate        = "chat.update"
	bucketFiles         = "files.getUploadURLExternal"
	// bucketMargin is the share of Slack's rate the dispatcher spends.
	bucketMargin = 0.95
	// cardEvery is the least time between two updates of one card: the
	// changes to a card within it go out as one update, its newest state.
	cardEvery = time.Second
	// stepAside: after this many failed attempts in a row, a message stops
	// holding back the rest of its channel and retries on its own.
	stepAside = 3
	// probeEvery: while Slack is down (5xx, timeouts), one delivery a
	// probeEvery asks whether it is back, whatever its key.
	probeEvery = time.Second
)

type slackBucket struct{ perMinute, burst float64 }

// tokenBucket is a token bucket.
type tokenBucket struct {
	perSec, burst, n float64
	at               time.Time
}

func (t *tokenBucket) refill(now time.Time) {
	t.n = math.Min(t.burst, t.n+now.Sub(t.at).Seconds()*t.perSec)
	t.at = now
}

// wait is how long until a token is there (0: now).
func (t *tokenBucket) wait(now time.Time) time.Duration {
	t.refill(now)
	if t.n >= 1 {
		return 0
	}
	return time.Duration((1 - t.n) / t.perSec * float64(time.Second))
}

// route is where an outbox message goes and what it spends.
type route struct {
	key string // rate key: its deliveries go one at a time
	// ordered: the key's deliveries go strictly in queue order (a
	// channel's posts); otherwise a delivery waiting for its card's turn
	// lets the next one by (updates).
	ordered bool
	class   int      // lower goes first: alerts, then posts, then digests
	buckets []string // bucket names; "@" + name is the key's own bucket
	ticket  int64    // the card's ticket, for cards; 0 otherwise
	update  bool     // the card is posted already: this updates it
}

// Delivery classes, the order a key's queue is served in.
const (
	classAlert = iota
	classPost
	classDigest
)

// delivery is one call's worth of work: its first message is delivered,
// the others coalesced into it (a card's newer states) are marked with it.
type delivery struct {
	msgs      []*domain.OutboxMessage
	route     route
	queued    time.Time
	notBefore time.Time
	started   bool
	next      *delivery // a card's change queued while this delivery runs
	failures  int
	downFail  bool // its last attempt found Slack down
	// reclaimed holds attempt counts a new claim brought while the
	// delivery ran: its messages are the deliverer's until it finishes.
	reclaimed map[int64]int
}

func (d *delivery) id() int64 { return d.msgs[0].ID }

// noteAttempts raises a message's attempt count to a new claim's, at
// once when idle, else when the running attempt finishes. Under p.mu.
func (d *delivery) noteAttempts(m *domain.OutboxMessage) {
	if d.started {
		if d.reclaimed == nil {
			d.reclaimed = map[int64]int{}
		}
		d.reclaimed[m.ID] = max(d.reclaimed[m.ID], m.Attempts)
		return
	}
	for _, h := range d.msgs {
		if h.ID == m.ID {
			h.Attempts = max(h.Attempts, m.Attempts)
		}
	}
}

// settleAttempts applies what noteAttempts kept aside. Under p.mu.
func (d *delivery) settleAttempts() {
	for _, h := range d.msgs {
		if n, ok := d.reclaimed[h.ID]; ok {
			h.Attempts = max(h.Attempts, n)
		}
	}
	d.reclaimed = nil
}

type keyQueue struct {
	q       []*delivery
	paused  time.Time // no call on the key before (Retry-After)
	running bool
	own     *tokenBucket // the key's own bucket (a channel's posts)
	wake    chan struct{}
}

// pacer delivers outbox messages paced per rate key: a queue per key, one
// delivery in flight per key, token buckets mirroring Slack's limits, a
// 429 pausing its key alone for exactly its Retry-After. Card changes
// waiting for their turn coalesce into one delivery of the newest state.
type pacer struct {
	send  func(context.Context, *delivery) error
	route func(context.Context, *domain.OutboxMessage) route
	// failed records a failure other than a 429 and returns when to retry.
	failed func(context.Context, *delivery, error) time.Time
	done   func(context.Context, *delivery) // marks the coalesced messages
	// fresh, when set, is told of a card change about to be routed after
	// its card's delivery: anything read ahead for it is out of date.
	fresh func(*domain.OutboxMessage)
	scale float64
	now   func() time.Time
	met   *Metrics

	mu       sync.Mutex
	keys     map[string]*keyQueue
	shared   map[string]*tokenBucket
	held     map[int64]*delivery // by message ID: every message held
	cards    map[int64]*delivery // by ticket: its card delivery queued or in flight
	lastCard map[int64]time.Time // by ticket: last update started
	down     slackOutage
	wg       sync.WaitGroup
}

// slackOutage is what the pacer knows of a Slack outage. Each key's
// deliveries backing off on their own would, after a 10 s outage, each
// come back up to as long again after Slack does, the later ones behind
// their channel's first; and every key would keep calling a Slack that
// is down. Instead, while Slack is down a single delivery every
// probeEvery asks; the first answer wakes every key at once.
type slackOutage struct {
	since     time.Time // zero: Slack answers
	nextProbe time.Time
}

// slackIsDown reports an error that says Slack did not answer: a 5xx, or
// the call not getting through (a timeout, a refused or reset connection).
// A Slack error (channel_not_found) or a 429 is an answer; a database
// error says nothing about Slack.
func slackIsDown(err error) bool {
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// slackAnswered reports a call Slack answered: done, or refused in words.
func slackAnswered(err error) bool {
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	return err == nil || errors.As(err, &rl) || errors.As(err, &se)
}

// noteSlackLocked records what a delivery learnt of Slack; Slack answering
// again ends the outage: every delivery that met it goes now, and every
// key wakes.
func (p *pacer) noteSlackLocked(d *delivery, err error) {
	now := p.now()
	switch {
	case slackIsDown(err):
		if p.down.since.IsZero() {
			p.down.since = now
		}
		p.down.nextProbe = now.Add(probeEvery)
		d.downFail = true
	case slackAnswered(err):
		d.downFail = false
		if p.down.since.IsZero() {
			return
		}
		p.down = slackOutage{}
		for _, k := range p.keys {
			for _, q := range k.q {
				if q.downFail {
					q.notBefore = time.Time{}
				}
			}
			select {
			case k.wake <- struct{}{}:
			default:
			}
		}
	}
}

func newPacer(scale float64, met *Metrics) *pacer {
	if scale <= 0 {
		scale = 1
	}
	return &pacer{scale: scale, now: time.Now, met: met, keys: map[string]*keyQueue{}, shared: map[string]*tokenBucket{},
		held: map[int64]*delivery{}, cards: map[int64]*delivery{}, lastCard: map[int64]time.Time{}}
}

func (p *pacer) bucket(name string, now time.Time) *tokenBucket {
	l := slackBuckets[name]
	per := l.perMinute / 60 * bucketMargin * p.scale
	return &tokenBucket{perSec: per, burst: math.Max(1, l.burst-1), n: math.Max(1, l.burst-1), at: now}
}

// add queues claimed messages. A message already held (claimed again
// after a failure was recorded) stays where it is; a card change joins
// its ticket's queued delivery, or follows the one in flight.
func (p *pacer) add(ctx context.Context, msgs []*domain.OutboxMessage) {
	for _, m := range msgs {
		p.mu.Lock()
		if d, ok := p.held[m.ID]; ok {
			d.noteAttempts(m)
			p.mu.Unlock()
			continue
		}
		if t := cardTicket(m); t != 0 {
			if d := p.cards[t]; d != nil {
				for d.started && d.next != nil {
					d = d.next
				}
				if !d.started {
					d.msgs = append(d.msgs, m)
					p.held[m.ID] = d
					p.mu.Unlock()
					continue
				}
				nd := &delivery{msgs: []*domain.OutboxMessage{m}}
				d.next, p.held[m.ID] = nd, nd
				p.mu.Unlock()
				continue
			}
		}
		p.mu.Unlock()
		d := &delivery{msgs: []*domain.OutboxMessage{m}}
		d.route = p.route(ctx, m) // reads the database: not under the lock
		p.mu.Lock()
		if t := d.route.ticket; t != 0 && p.cards[t] != nil {
			// A change to the card got in meanwhile (a follow-up queued).
			p.mu.Unlock()
			p.add(ctx, []*domain.OutboxMessage{m})
			continue
		}
		p.held[m.ID] = d
		if t := d.route.ticket; t != 0 {
			p.cards[t] = d
		}
		p.enqueueLocked(ctx, d)
		p.mu.Unlock()
	}
}

// enqueueLocked puts d in its key's queue, in order, and starts the key.
func (p *pacer) enqueueLocked(ctx context.Context, d *delivery) {
	now := p.now()
	if d.queued.IsZero() {
		d.queued = now
	}
	if d.route.update {
		if last, ok := p.lastCard[d.route.ticket]; ok {
			d.notBefore = sla.Later(d.notBefore, last.Add(time.Duration(float64(cardEvery)/p.scale)))
		}
	}
	k := p.keys[d.route.key]
	if k == nil {
		k = &keyQueue{wake: make(chan struct{}, 1)}
		p.keys[d.route.key] = k
	}
	// A channel's queue may first see a file (no post bucket of its own),
	// then a post: the bucket comes with the first delivery that spends it.
	// It outlives the queue, which ends whenever it drains: a fresh, full
	// bucket for the next post would let a burst through that Slack
	// answers with 429s.
	if k.own == nil && slices.Contains(d.route.buckets, "@"+bucketChannelPost) {
		name := "@" + d.route.key
		if k.own = p.shared[name]; k.own == nil {
			k.own = p.bucket(bucketChannelPost, now)
			p.shared[name] = k.own
		}
	}
	i, _ := slices.BinarySearchFunc(k.q, d, func(a, b *delivery) int {
		return cmp.Or(cmp.Compare(a.route.class, b.route.class), cmp.Compare(a.id(), b.id()))
	})
	k.q = slices.Insert(k.q, i, d)
	p.met.queueDepth.WithLabelValues(d.route.key).Set(float64(len(k.q)))
	select {
	case k.wake <- struct{}{}:
	default:
	}
	if !k.running {
		k.running = true
		p.wg.Add(1)
		go p.run(ctx, d.route.key, k)
	}
}

// run serves one key until its queue is empty.
func (p *pacer) run(ctx context.Context, key string, k *keyQueue) {
	defer p.wg.Done()
	for {
		if ctx.Err() != nil {
			p.stop(key, k)
			return
		}
		d, wait := p.next(key, k)
		if d == nil && wait == 0 {
			return
		}
		if d == nil {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				p.stop(key, k)
				return
			case <-t.C:
			case <-k.wake:
				t.Stop()
			}
			continue
		}
		p.met.outboxWait.WithLabelValues(key).Observe(p.now().Sub(d.queued).Seconds())
		err := p.send(ctx, d)
		p.finish(ctx, key, k, d, err)
	}
}

// stop leaves a key at shutdown; its messages' claims lapse or are
// released, and another run takes them.
func (p *pacer) stop(key string, k *keyQueue) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k.running = false
}

// next takes the key's next delivery when its time, its tokens and the
// key's Retry-After allow; otherwise it says how long to wait (0: the
// queue is empty, and the key stopped).
func (p *pacer) next(key string, k *keyQueue) (*delivery, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.keys[key] != k {
		k.running = false // dropped
		return nil, 0
	}
	if len(k.q) == 0 {
		k.running = false
		delete(p.keys, key)
		p.met.queueDepth.DeleteLabelValues(key)
		return nil, 0
	}
	if now.Before(k.paused) {
		return nil, k.paused.Sub(now)
	}
	pick, wait := -1, time.Duration(math.MaxInt64)
	for i, d := range k.q {
		if w := d.notBefore.Sub(now); w > 0 {
			wait = min(wait, w)
			if k.q[i].route.ordered {
				break
			}
			continue
		}
		pick = i
		break
	}
	if pick < 0 {
		return nil, wait
	}
	if !p.down.since.IsZero() {
		if w := p.down.nextProbe.Sub(now); w > 0 {
			return nil, w
		}
	}
	d := k.q[pick]
	var bs []*tokenBucket
	for _, name := range d.route.buckets {
		var t *tokenBucket
		if name == "@"+bucketChannelPost {
			t = k.own
		} else {
			if t = p.shared[name]; t == nil {
				t = p.bucket(name, now)
				p.shared[name] = t
			}
		}
		if w := t.wait(now); w > 0 {
			return nil, w
		}
		bs = append(bs, t)
	}
	for _, t := range bs {
		t.n--
	}
	if !p.down.since.IsZero() {
		p.down.nextProbe = now.Add(probeEvery) // this delivery probes
	}
	k.q = slices.Delete(k.q, pick, pick+1)
	p.met.queueDepth.WithLabelValues(key).Set(float64(len(k.q)))
	d.started = true
	if d.route.update {
		p.lastCard[d.route.ticket] = now
		if len(p.lastCard) > 10000 {
			// Only the last second's matter.
			for t, at := range p.lastCard {
				if now.Sub(at) > cardEvery {
					delete(p.lastCard, t)
				}
			}
		}
	}
	return d, 0
}

// finish settles a delivery: done, paused by a 429 (it goes first again
// once the Retry-After is over), or failed (it keeps its place in an
// ordered key until its retry, stepAside attempts at most).
func (p *pacer) finish(ctx context.Context, key string, k *keyQueue, d *delivery, err error) {
	p.mu.Lock()
	d.settleAttempts()
	p.noteSlackLocked(d, err)
	p.mu.Unlock()
	if errors.Is(err, errLeaseLost) {
		// Nothing was posted. Either the lease is renewed in a moment
		// (the dispatcher was slow to), or this queue is dropped and the
		// new dispatcher frees the claim: no failure either way.
		p.mu.Lock()
		d.started, d.notBefore = false, p.now().Add(leaderPoll)
		p.requeueLocked(k, d)
		p.mu.Unlock()
		return
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		p.met.rateLimited.WithLabelValues(key).Inc()
		p.mu.Lock()
		k.paused = p.now().Add(rl.RetryAfter)
		d.started = false
		p.requeueLocked(k, d)
		p.mu.Unlock()
		return
	}
	if err != nil {
		retry := p.failed(ctx, d, err)
		p.mu.Lock()
		d.failures++
		for _, m := range d.msgs {
			m.Attempts++ // a retry looks for what this attempt may have posted
			if m.FirstClaimed == nil {
				now := p.now()
				m.FirstClaimed = &now
			}
		}
		if d.route.ordered && d.failures < stepAside {
			d.started, d.notBefore = false, retry
			p.requeueLocked(k, d)
			p.mu.Unlock()
			return
		}
		// Its retry is the database's now (OutboxFailed): let it go.
		p.releaseLocked(ctx, d)
		p.mu.Unlock()
		return
	}
	p.done(ctx, d)
	p.mu.Lock()
	p.releaseLocked(ctx, d)
	p.mu.Unlock()
}

func (p *pacer) requeueLocked(k *keyQueue, d *delivery) {
	k.q = slices.Insert(k.q, 0, d)
	p.met.queueDepth.WithLabelValues(d.route.key).Set(float64(len(k.q)))
}

// releaseLocked forgets a finished delivery; a card change that came in
// while it ran is queued now, routed afresh (the card may now be posted).
func (p *pacer) releaseLocked(ctx context.Context, d *delivery) {
	for _, m := range d.msgs {
		delete(p.held, m.ID)
	}
	t := d.route.ticket
	if t == 0 || p.cards[t] != d {
		return
	}
	delete(p.cards, t)
	if d.next == nil {
		return
	}
	nd := d.next
	p.cards[t] = nd
	// add may join more changes to nd meanwhile: the goroutine reads a copy.
	msgs := slices.Clone(nd.msgs)
	p.wg.Add(1)
	go func() {
		// Routing reads the database: not under the lock.
		defer p.wg.Done()
		if p.fresh != nil {
			for _, m := range msgs {
				p.fresh(m)
			}
		}
		r := p.route(ctx, msgs[0])
		p.mu.Lock()
		defer p.mu.Unlock()
		nd.route = r
		nd.route.ticket = t
		if p.cards[t] == nd && !nd.started {
			p.enqueueLocked(ctx, nd)
		}
	}()
}

// backlog is what waits: messages held, and the oldest one's queue time.
func (p *pacer) backlog() (n int, oldest time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.keys {
		for _, d := range k.q {
			n += len(d.msgs)
			if oldest.IsZero() || d.queued.Before(oldest) {
				oldest = d.queued
			}
		}
	}
	return n, oldest
}

// drop forgets everything queued (dispatching moves to another replica,
// which takes the claims back); deliveries in flight finish.
func (p *pacer) drop(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.held) == 0 && len(p.keys) == 0 {
		return
	}
	for key, k := range p.keys {
		k.q = nil
		select {
		case k.wake <- struct{}{}:
		default:
		}
		p.met.queueDepth.DeleteLabelValues(key)
	}
	p.keys, p.held, p.cards = map[string]*keyQueue{}, map[int64]*delivery{}, map[int64]*delivery{}
}

// cardTicket is the ticket of a card message, 0 for other kinds and for
// an unreadable one (routeOf logs it and gives it a key of its own).
func cardTicket(m *domain.OutboxMessage) int64 {
	if m.Kind != domain.OutboxCard {
		return 0
	}
	id, _ := ticketOf(m)
	return id
}

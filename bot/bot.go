// Package bot is deskbot's Slack transport: it receives Socket Mode
// envelopes, stores each in the inbox and acknowledges it once stored,
// turns it into calls on the use cases (package commands) on a bounded
// pool of workers, and delivers the outbox (cards, thread replies, DMs)
// through the Web API.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Options configure a Bot.
type Options struct {
	BotToken string
	AppToken string
	// APIURL points the bot at another Web API (the emulator); "" is Slack's.
	APIURL  string
	Service *commands.Service
	Outbox  domain.Outbox
	Logger  *slog.Logger
	Metrics *Metrics
	// Workers bounds how many inputs are handled at once after their ack.
	Workers int
	// OutboxPoll is how often the outbox is polled when nothing kicks it.
	OutboxPoll time.Duration
	// Inbox stores envelopes before their ack; nil takes Outbox when it
	// is one too (storage.DB is).
	Inbox domain.Inbox
	// Instance names this process in the leases it holds (inbox inputs,
	// outbox claims): unique among the live replicas, and the same after a
	// restart, so the new run releases what the old one held.
	Instance string
	// Failpoint, when set, is called at each named failpoint (FailAfterAck
	// …); tests and the fault harness kill the process there.
	Failpoint func(name string)
	// AckFirst acknowledges envelopes before storing them, and keeps them
	// in memory only, as deskbot did before the inbox: a crash after the
	// ack loses them. For bench/slackload's baseline only.
	AckFirst bool
	// RateScale runs the dispatcher's mirror of Slack's rate limits this
	// many times faster (0 or 1: Slack's real limits). Only for a test
	// against an emulator scaled the same (slackemu.Options.RateScale), or
	// a benchmark of the bot's own overhead (a huge scale: no pacing).
	RateScale float64
}

// Bot is the running Slack app.
type Bot struct {
	api     *slack.Client // the outbox's: a 429 comes back for the pacer to pause its key
	ui      *slack.Client // interactive calls (views, DMs, uploads): slack-go waits out a 429 itself
	web     *http.Client  // the Web API's, also for response_url posts
	socket  *socketmode.Client
	svc     *commands.Service
	outbox  domain.Outbox
	inbox   domain.Inbox // nil: ack first, nothing stored (Options.AckFirst)
	in      inbox
	gate    socketGate // Socket Mode closed while the database is down (dbgate.go)
	fence   leadFence  // no post outlives the dispatch lease (leader.go)
	log     *slog.Logger
	metrics *Metrics
	poll    time.Duration

	workers workers // the worker pool (workers.go)
	wg      sync.WaitGroup
	kick    chan struct{} // wakes the outbox dispatcher
	people  *people
	// cardLocks serialises card posts per ticket in this process, so a
	// card is posted once before it is updated.
	cardLocks  keyedMutex
	cardsAhead cardsAhead // cards read ahead for the outbox: cardsahead.go
	// threads serialises message events per thread, so an edit never
	// overtakes the message it edits.
	threads keyedMutex

	teamID, botUserID string
	instance          string
	failAt            func(string)

	home homeRefresh // App Home publish debounce, home.go
	conn connState   // Socket Mode health, health.go
	// shared remembers which channels are shared with customers (faces.go).
	shared sharedChannels
	pacer  *pacer // the outbox's queues per rate key, pacer.go
}

// webClient is the HTTP client for Slack's Web API and response URLs.
// Go's default keeps two idle connections per host, and the workers and
// the outbox post to Slack side by side: most calls would dial (and
// handshake TLS with) slack.com anew. At most 32 calls are in flight per
// host; more wait for a connection, so the outbox may keep many
// deliveries going (most of them waiting on the database) without more
// calls to Slack at once. The timeout bounds a hung call; it leaves room
// for file uploads.
func webClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	t.MaxConnsPerHost = 32
	return &http.Client{Transport: newRetryAfterGate(echoTrimmer{t}), Timeout: 2 * time.Minute}
}

// New returns a bot; Run connects it.
func New(o Options) *Bot {
	web := webClient()
	// api has no slack.OptionRetry: slack-go would then retry 429s on its
	// own, behind the pacer's back, spending the key's budget inside its
	// Retry-After window. A 429 comes back as slack.RateLimitedError.
	// Someone waits on an interactive call, and nothing paces it: ui
	// retries a 429 after its Retry-After, a few times.
	apiOpts := []slack.Option{slack.OptionAppLevelToken(o.AppToken), slack.OptionHTTPClient(web)}
	if o.APIURL != "" {
		apiOpts = append(apiOpts, slack.OptionAPIURL(o.APIURL))
	}
	api := slack.New(o.BotToken, apiOpts...)
	ui := slack.New(o.BotToken, append(apiOpts, slack.OptionRetry(3))...) // after OptionHTTPClient: it wraps that client
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = defaultWorkers(o.Service)
	}
	if o.OutboxPoll <= 0 {
		o.OutboxPoll = time.Second
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	b := &Bot{
		api: api, ui: ui, web: web, socket: socketmode.New(api), svc: o.Service, outbox: o.Outbox, log: o.Logger,
		metrics: o.Metrics, poll: o.OutboxPoll, workers: workers{size: o.Workers},
		kick: make(chan struct{}, 1),
	}
	if o.Inbox == nil {
		o.Inbox, _ = o.Outbox.(domain.Inbox)
	}
	if !o.AckFirst {
		b.inbox = o.Inbox
	}
	b.in.wake, b.in.doneWake = make(chan struct{}, 1), make(chan struct{}, 1)
	b.instance, b.failAt = o.Instance, o.Failpoint
	if b.instance == "" {
		b.instance = DefaultInstance()
	}
	b.people = newPeople(api, o.Service)
	b.people.slots, _ = o.Outbox.(rateSlots)
	if o.RateScale > 0 {
		b.people.every = time.Duration(float64(usersInfoEvery) / o.RateScale)
	}
	b.pacer = newPacer(o.RateScale, o.Metrics)
	return b
}

// fatalSlackErrors cannot be cured by retrying: the token or the app setup is wrong.
var fatalSlackErrors = map[string]string{
	"invalid_auth":           "the token is not valid: check SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
	"not_authed":             "no token was sent: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
	"token_revoked":          "the token was revoked: reinstall the app and update the tokens",
	"account_inactive":       "the app's account is inactive: reinstall the app",
	"missing_scope":          "the app lacks a scope: reinstall it from manifest.yaml",
	"not_allowed_token_type": "a token of the wrong kind: SLACK_BOT_TOKEN is xoxb-…, SLACK_APP_TOKEN is xapp-…",
}

// Run connects, serves until ctx ends, then waits for work in flight.
func (b *Bot) Run(ctx context.Context) error {
	auth, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return explainFatal("auth.test", err)
	}
	b.teamID, b.botUserID = auth.TeamID, auth.UserID
	b.people.teamID = auth.TeamID
	b.log.Info("slack connected", "team", auth.Team, "bot_user", auth.UserID)

	if b.inbox != nil {
		// Before anything is taken or stored: what is held under this
		// name from now on is this run's.
		b.releaseEarlierRun(ctx)
	}

	runCtx, cancel := context.WithCancel(ctx)
	// Cancel before waiting: the outbox dispatcher and the workers end
	// with runCtx, so a Socket Mode failure returns instead of hanging
	// until the process is killed.
	defer func() { cancel(); b.wg.Wait() }()
	b.home.base = runCtx
	errc := make(chan error, 1)
	go func() { errc <- b.runSocket(runCtx) }()
	if b.inbox != nil {
		b.wg.Add(2)
		go func() { defer b.wg.Done(); b.storeInputs(runCtx) }()
		go func() { defer b.wg.Done(); b.retakeInputs(runCtx) }()
		defer b.handOver() // once the work in flight is done (wg.Wait below)
	}
	b.wg.Add(1)
	go func() { defer b.wg.Done(); b.dispatchOutbox(runCtx) }()

	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			b.conn.down(err)
			return explainAppToken(err) // health.go
		case evt := <-b.socket.Events:
			if err := b.conn.track(evt, b.log); err != nil { // health.go
				return err
			}
			b.handle(runCtx, evt)
		}
	}
}

func explainFatal(what string, err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if why, ok := fatalSlackErrors[se.Err]; ok {
			return fmt.Errorf("slack: %s failed with %s: %s", what, se.Err, why)
		}
	}
	if why, ok := fatalSlackErrors[err.Error()]; ok {
		return fmt.Errorf("slack: %s failed with %s: %s", what, err, why)
	}
	return fmt.Errorf("slack: %s: %w", what, err)
}

// handle runs on the event loop: it must return at once, so the next
// envelope's ack is never delayed. An envelope that may change anything
// is stored (receive), acknowledged once stored, and worked on from the
// stored input; a modal submission, whose errors travel in the ack, is
// handled first and acknowledged once its work committed.
func (b *Bot) handle(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	if b.inbox != nil && evt.Request != nil && evt.Request.EnvelopeID != "" && stored(evt) {
		b.receive(evt, start)
		return
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		b.ack(evt, nil, start)
		if ok {
			envelope := evt.Request.EnvelopeID
			b.work(ctx, "slash", func(ctx context.Context) { b.onSlash(ctx, cmd, envelope) })
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			b.ack(evt, nil, start)
			return
		}
		if cb.Type == slack.InteractionTypeViewSubmission {
			// A modal's errors travel in the ack, so the submission is
			// handled first, within a budget well under Slack's 3 s.
			b.work(ctx, "view_submission", func(ctx context.Context) { b.onViewSubmission(ctx, evt, cb, start) })
			return
		}
		b.ack(evt, nil, start)
		b.work(ctx, "interactive", func(ctx context.Context) { b.onInteractive(ctx, cb) })
	case socketmode.EventTypeEventsAPI:
		b.ack(evt, nil, start)
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			b.work(ctx, "event", func(ctx context.Context) { b.onEventsAPI(ctx, ev, true) })
		}
	case socketmode.EventTypeConnecting:
		b.log.Debug("slack: connecting")
	case socketmode.EventTypeConnected:
		b.metrics.connections.Inc()
		b.log.Info("slack: socket connected")
	case socketmode.EventTypeConnectionError:
		b.log.Warn("slack: connection error, retrying", "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack: invalid auth on connect")
	case socketmode.EventTypeHello, socketmode.EventTypeDisconnect:
		b.log.Debug("slack: " + string(evt.Type))
	default:
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			b.ack(evt, nil, start)
		}
	}
}

// stored tells the envelopes that go through the inbox.
func stored(evt socketmode.Event) bool {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeEventsAPI:
		return true
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		return ok && cb.Type != slack.InteractionTypeViewSubmission
	}
	return false
}

// DefaultInstance names this process when Options.Instance is empty: the
// host's name, which a container keeps across restarts.
func DefaultInstance() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "deskbot"
	}
	return h
}

func (b *Bot) ack(evt socketmode.Event, payload any, start time.Time) {
	if evt.Request == nil {
		return
	}
	var err error
	if payload != nil {
		err = b.socket.Ack(*evt.Request, payload)
	} else {
		err = b.socket.Ack(*evt.Request)
	}
	if err != nil {
		b.log.Warn("slack: ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
		return
	}
	b.metrics.acks.WithLabelValues(string(evt.Type)).Observe(time.Since(start).Seconds())
}

// GCPercent is the GOGC deskbot runs with when the operator sets none
// (main and bench/slackload apply it). The live heap is small and acks are
// latency-bound: while a collection marks, it takes a quarter of the CPUs
// (one of two here), and at Go's default of 100 a burst of commands was
// collected every few tens of milliseconds. At 400 collections are a
// quarter as frequent, for a peak heap of about five times the live one
// (README, Performance).
const GCPercent = 400

// defaultWorkers sizes the worker pool. A worker mostly waits (round
// trips, Slack, its turn in a shared transaction, where it holds no
// connection), and a burst of new tickets for one customer commits in
// fewer, larger transactions the more of them wait together. SQLite works
// in process, on the CPUs the event loop acks with, so it gets fewer
// workers: more raised the ack p99 (README, Performance: Workers).
func defaultWorkers(svc *commands.Service) int {
	if svc != nil && svc.SingleWriter() {
		return 32
	}
	return 96
}

// Kick wakes the outbox dispatcher: call it after queueing work outside
// the bot (the scheduler's jobs), so it goes out now, not at the next poll.
func (b *Bot) Kick() { b.kickOutbox() }

// kickOutbox wakes the dispatcher after a use case queued work.
func (b *Bot) kickOutbox() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// keyedMutex hands out one mutex per key.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) Lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedEntry{}
	}
	e := k.locks[key]
	if e == nil {
		e = &keyedEntry{}
		k.locks[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

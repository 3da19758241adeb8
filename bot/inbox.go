package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Leases: what a process holds (inbox inputs, outbox claims) is free for
// any replica leaseTime after its last renewal, and a live process renews
// every renewEvery. A dead process's work is therefore taken within
// leaseTime+inboxPoll (the inbox) or leaseTime+the outbox poll: under 10 s.
const (
	leaseTime  = 8 * time.Second
	renewEvery = 2 * time.Second
	inboxPoll  = 500 * time.Millisecond
	// inboxBatch bounds the inputs one commit stores, and one claim takes.
	inboxBatch = 200
	// doneGather is how long done marks gather before their commit:
	// nobody waits for them, and fewer commits leave the WAL's flushes to
	// the inbox's writes, which acks wait for.
	doneGather = 50 * time.Millisecond
	// ackFlush is how long FailAfterAck lets the acks reach the socket.
	ackFlush = 200 * time.Millisecond
	// keepInputs is how long finished inputs stay to recognise a Slack
	// redelivery (which comes within minutes).
	keepInputs = time.Hour
)

// Failpoints are the named places a test or the fault harness can have
// the process killed (Options.Failpoint, DESKBOT_FAILPOINT).
const (
	// FailAfterStore: inputs are stored, not acknowledged yet.
	FailAfterStore = "after-store"
	// FailAfterAck: inputs are stored and acknowledged, no work started.
	FailAfterAck = "after-ack"
	// FailAfterWork: an input's work is done, the input not marked done.
	FailAfterWork = "after-work"
	// FailAfterClaim: the outbox claimed a batch, nothing delivered.
	FailAfterClaim = "after-claim"
	// FailAfterPost: Slack took a post, its delivery is not recorded.
	FailAfterPost = "after-post-before-record"
)

func (b *Bot) failpoint(name string) {
	if b.failAt != nil {
		b.failAt(name)
	}
}

// input is an envelope on its way from the socket to a worker.
type input struct {
	row   *domain.InboxInput
	evt   socketmode.Event // as received; zero for an input taken from the table
	start time.Time
}

// inbox stores envelopes before their ack, several to a commit: while one
// commit runs, the envelopes that arrive wait for the next, so a burst
// costs a handful of commits rather than one per envelope. Finished
// inputs are marked done apart, in batches nobody waits for.
type inbox struct {
	mu      sync.Mutex
	pending []*input
	done    []int64
	// finished are the inputs worked here whose done mark is not
	// committed yet: a person's later inputs need not wait for them.
	finished map[int64]bool
	// waiting are the inputs waiting for their turn, by order key (order.go).
	waiting  map[string][]*waiter
	wake     chan struct{} // pending inputs
	doneWake chan struct{} // done marks
}

// dedupKey names an envelope for the inbox: an event by its event id (a
// retried event comes in a new envelope), anything else by its envelope
// id (Slack resends an envelope it saw no ack for with the same id).
func dedupKey(evt socketmode.Event) string {
	if evt.Type == socketmode.EventTypeEventsAPI {
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
				return "event:" + cb.EventID
			}
		}
	}
	return "envelope:" + evt.Request.EnvelopeID
}

// receive queues an envelope to be stored; its ack follows the commit.
func (b *Bot) receive(evt socketmode.Event, start time.Time) {
	person, topic := orderKey(evt.Request.Type, evt.Request.Payload)
	in := &input{evt: evt, start: start, row: &domain.InboxInput{
		DedupKey: dedupKey(evt), Kind: evt.Request.Type, Payload: string(evt.Request.Payload),
		Person: person, Topic: topic,
	}}
	b.in.mu.Lock()
	b.in.pending = append(b.in.pending, in)
	b.in.mu.Unlock()
	b.in.poke()
}

func (q *inbox) poke() { signal(q.wake) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// storeInputs runs the inbox's commits until ctx ends: up to
// domain.InboxWriters side by side on PostgreSQL (its commits share WAL
// flushes), one at a time on SQLite. A commit takes whatever waits when it
// starts.
func (b *Bot) storeInputs(ctx context.Context) {
	writers := domain.InboxWriters
	if b.svc.SingleWriter() {
		writers = 1
	}
	slots := make(chan struct{}, writers)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { b.markInputsDone(ctx) })
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.in.wake:
		}
		for {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			batch := b.in.take()
			if len(batch) == 0 {
				<-slots
				break
			}
			if writers == 1 {
				// One at a time: no goroutine to schedule on the way.
				b.storeAndAck(ctx, batch)
				<-slots
				continue
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done(); b.in.poke() }()
				b.storeAndAck(ctx, batch)
			}()
		}
	}
}

// take takes up to inboxBatch waiting inputs.
func (q *inbox) take() []*input {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.pending), inboxBatch)
	batch := q.pending[:n:n]
	q.pending = q.pending[n:]
	return batch
}

// committed forgets finished inputs whose done marks were written (or
// failed to be: the person's later inputs then wait at most orderWait).
func (q *inbox) committed(ids []int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range ids {
		delete(q.finished, id)
	}
}

// takeDone takes the done marks.
func (q *inbox) takeDone() []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	done := q.done
	q.done = nil
	return done
}

// markInputsDone commits done marks, gathered for doneGather, until ctx
// ends (handOver marks the last ones). Not waited on: an input a crash
// leaves unmarked is done again, and its work is idempotent.
func (b *Bot) markInputsDone(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.in.doneWake:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(doneGather):
		}
		if done := b.in.takeDone(); len(done) > 0 {
			if err := b.inbox.InputsDone(context.WithoutCancel(ctx), done); err != nil {
				b.log.Error("inbox: unable to mark inputs done", "inputs", len(done), "err", err)
			}
			b.in.committed(done)
		}
	}
}

// storeAndAck stores inputs in one commit, acks them once it is done and
// hands them to workers.
func (b *Bot) storeAndAck(ctx context.Context, batch []*input) {
	rows := make([]*domain.InboxInput, len(batch))
	for i, in := range batch {
		rows[i] = in.row
	}
	fresh, err := b.inbox.StoreInputs(context.WithoutCancel(ctx), b.instance, leaseTime, rows)
	if err != nil {
		// Unstored means unacknowledged: Slack sends the event again, and
		// the person who ran the command sees it fail and may retry.
		b.log.Error("inbox: unable to store inputs; not acknowledging them", "inputs", len(batch), "err", err)
		b.metrics.inputs.WithLabelValues("inbox", "unstored").Add(float64(len(batch)))
		b.storeFailed()
		return
	}
	b.failpoint(FailAfterStore)
	for _, in := range batch {
		b.ack(in.evt, nil, in.start)
	}
	if b.failAt != nil {
		// Acks go out through the socket's writer goroutine: give it a
		// moment, so that dying here is dying with the batch acknowledged.
		time.Sleep(ackFlush)
	}
	b.failpoint(FailAfterAck)
	for i, in := range batch {
		if !fresh[i] {
			b.metrics.inputs.WithLabelValues(in.row.Kind, "redelivery").Inc()
			continue
		}
		b.work(ctx, in.row.Kind, func(wctx context.Context) { b.process(ctx, wctx, in) })
	}
}

// inputDone queues an input's done mark for the next commit.
func (b *Bot) inputDone(id int64) {
	b.in.mu.Lock()
	b.in.done = append(b.in.done, id)
	if b.in.finished == nil {
		b.in.finished = map[int64]bool{}
	}
	b.in.finished[id] = true
	b.in.mu.Unlock()
	signal(b.in.doneWake)
}

// process does an input's work (in ctx; run ends at shutdown), then marks
// it done.
func (b *Bot) process(run, ctx context.Context, in *input) {
	if !b.inTurn(run, in) {
		return // queued again
	}
	if !b.processWithRetries(run, ctx, in) {
		return
	}
	b.failpoint(FailAfterWork)
	b.inputDone(in.row.ID)
	b.finishedInTurn(in)
}

func (b *Bot) processInput(ctx context.Context, in *input) error {
	if in.row.Attempts > 1 {
		b.log.Info("inbox: taking up an input an earlier process left", "input", in.row.DedupKey, "attempt", in.row.Attempts,
			"received", in.row.ReceivedAt)
		b.metrics.inputs.WithLabelValues(in.row.Kind, "retaken").Inc()
	}
	ctx = commands.WithInput(ctx, in.row.DedupKey)
	payload := json.RawMessage(in.row.Payload)
	switch in.row.Kind {
	case socketmode.RequestTypeSlashCommands:
		cmd, ok := in.evt.Data.(slack.SlashCommand)
		if !ok {
			if err := json.Unmarshal(payload, &cmd); err != nil {
				return fmt.Errorf("bad slash command: %w", err)
			}
		}
		b.onSlash(ctx, cmd, strings.TrimPrefix(in.row.DedupKey, "envelope:"))
	case socketmode.RequestTypeInteractive:
		cb, ok := in.evt.Data.(slack.InteractionCallback)
		if !ok {
			if err := json.Unmarshal(payload, &cb); err != nil {
				return fmt.Errorf("bad interaction: %w", err)
			}
		}
		b.onInteractive(ctx, cb)
	case socketmode.RequestTypeEventsAPI:
		ev, ok := in.evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			var err error
			if ev, err = slackevents.ParseEvent(payload, slackevents.OptionNoVerifyToken()); err != nil {
				return fmt.Errorf("bad event: %w", err)
			}
		}
		b.onEventsAPI(ctx, ev, false)
	default:
		return fmt.Errorf("unknown input kind %q", in.row.Kind)
	}
	return nil
}

// releaseEarlierRun frees what this instance held before a restart, so
// that it is taken again at once: inputs by the first poll, outbox claims
// by the first claim.
func (b *Bot) releaseEarlierRun(ctx context.Context) {
	if err := b.inbox.ReleaseLeases(ctx, b.instance); err != nil {
		b.log.Error("inbox: unable to release an earlier run's leases", "instance", b.instance, "err", err)
	}
}

// handOver, at shutdown once no work is in flight, records the inputs
// finished last and frees what this run still holds, for another replica
// to take at once rather than when the leases run out.
func (b *Bot) handOver() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := b.in.takeDone()
	if err := b.inbox.InputsDone(ctx, done); err != nil {
		b.log.Error("inbox: unable to mark inputs done", "inputs", len(done), "err", err)
	}
	if err := b.inbox.ReleaseLeases(ctx, b.instance); err != nil {
		b.log.Error("inbox: unable to release leases at shutdown", "err", err)
	}
}

// retakeInputs takes, every inboxPoll, the inputs a dead process left
// (their lease ran out), and renews this process's leases every
// renewEvery.
func (b *Bot) retakeInputs(ctx context.Context) {
	poll := time.NewTicker(inboxPoll)
	defer poll.Stop()
	renew := time.NewTicker(renewEvery)
	defer renew.Stop()
	purged := time.Time{}
	for {
		for b.retakeBatch(ctx) {
		}
		if time.Since(purged) > 10*time.Minute {
			purged = time.Now()
			if _, err := b.inbox.PurgeInputs(ctx, purged.Add(-keepInputs)); err != nil && ctx.Err() == nil {
				b.log.Warn("inbox: unable to purge finished inputs", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-renew.C:
			if err := b.inbox.RenewLeases(ctx, b.instance, leaseTime); err != nil && ctx.Err() == nil {
				b.log.Error("inbox: unable to renew leases", "err", err)
			}
		}
	}
}

func (b *Bot) retakeBatch(ctx context.Context) bool {
	rows, err := b.inbox.ClaimInputs(ctx, b.instance, inboxBatch, leaseTime)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("inbox: unable to take inputs", "err", err)
		}
		return false
	}
	for _, row := range rows {
		in := &input{row: row, start: time.Now()}
		b.work(ctx, row.Kind, func(wctx context.Context) { b.process(ctx, wctx, in) })
	}
	return len(rows) == inboxBatch
}

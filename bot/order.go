package bot

import (
	"context"
	"time"
)

// A person's inputs on one topic are worked in the order Slack delivered
// them (the inbox's ids), whichever replica received or took each: a Stop
// clicked on one replica waits for the Start still held by another (or by
// a dead one, until its lease runs out and a replica takes it). A topic is
// what an input changes and an earlier input of the same person could
// have changed first (orderKey): the person's timer, a ticket, a thread.
// Inputs with no topic (a new ticket, a time log: nothing to overtake)
// wait for nothing, so a burst of /ticket never holds the person's next
// one. A waiting input holds no worker: it is queued again after
// orderPoll. After orderWait it runs anyway, as an input stuck that long
// (retried through a Slack outage) must not hold later ones for longer.
const (
	orderPoll = 200 * time.Millisecond
	orderWait = leaseTime + 2*time.Second
)

// inTurn reports whether in may run now: no earlier input of its person
// on its topic is unfinished. Otherwise it queues in again after orderPoll
// and reports false. A database error lets it run: its work meets the
// same error.
func (b *Bot) inTurn(run context.Context, in *input) bool {
	if b.inbox == nil || in.row.ID == 0 || in.row.Topic == "" || in.row.Person == "" || time.Since(in.start) > orderWait {
		return true
	}
	key := in.row.Person + "\x00" + in.row.Topic
	// Registered before looking, so that a finish in between wakes it.
	wake := b.in.await(key, in.row.ID)
	ctx, cancel := context.WithTimeout(run, 2*time.Second)
	defer cancel()
	earlier, err := b.inbox.EarlierInput(ctx, in.row.ID, in.row.Person, in.row.Topic, b.in.finishedIDs())
	if err != nil || !earlier {
		b.in.unawait(key, wake)
		return true
	}
	b.metrics.inputs.WithLabelValues(in.row.Kind, "waited").Inc()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTimer(orderPoll)
		defer t.Stop()
		select {
		case <-wake.ch: // the earliest waiting input of its key, and one of its key finished here
		case <-t.C: // an input held elsewhere may have finished
			b.in.unawait(key, wake)
		case <-run.Done():
			b.in.unawait(key, wake)
			return
		}
		b.work(run, in.row.Kind, func(wctx context.Context) { b.process(run, wctx, in) })
	}()
	return false
}

// finishedInTurn wakes the next input waiting behind in, if any.
func (b *Bot) finishedInTurn(in *input) {
	if in.row.Topic != "" && in.row.Person != "" {
		b.in.wakeNext(in.row.Person + "\x00" + in.row.Topic)
	}
}

// waiter is an input waiting for its turn.
type waiter struct {
	id int64
	ch chan struct{}
}

// await registers an input waiting for its turn.
func (q *inbox) await(key string, id int64) *waiter {
	w := &waiter{id: id, ch: make(chan struct{})}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.waiting == nil {
		q.waiting = map[string][]*waiter{}
	}
	q.waiting[key] = append(q.waiting[key], w)
	return w
}

func (q *inbox) unawait(key string, w *waiter) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.removeLocked(key, w)
}

func (q *inbox) removeLocked(key string, w *waiter) {
	ws := q.waiting[key]
	for i, x := range ws {
		if x == w {
			q.waiting[key] = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(q.waiting[key]) == 0 {
		delete(q.waiting, key)
	}
}

// wakeNext wakes the key's earliest waiting input, after one of theirs
// finished here: it looks again at once rather than at its next poll, and
// the others stay asleep (only the earliest can go).
func (q *inbox) wakeNext(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var first *waiter
	for _, w := range q.waiting[key] {
		if first == nil || w.id < first.id {
			first = w
		}
	}
	if first != nil {
		q.removeLocked(key, first)
		close(first.ch)
	}
}

// finishedIDs are the inputs worked here whose done mark is not committed
// yet.
func (q *inbox) finishedIDs() []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	ids := make([]int64, 0, len(q.finished))
	for id := range q.finished {
		ids = append(ids, id)
	}
	return ids
}

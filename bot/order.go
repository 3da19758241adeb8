package bot

import (
	"context"
	"encoding/json"
	"time"
)

// A person's inputs are worked in the order Slack delivered them (the
// inbox's ids), whichever replica received or took each: a Stop clicked
// on one replica waits for the Start still held by another (or by a dead
// one, until its lease runs out and a replica takes it). A waiting input
// holds no worker: it is queued again after orderPoll. After orderWait it
// runs anyway, as an input stuck that long (retried through a Slack
// outage) must not hold the person's later ones for longer.
const (
	orderPoll = 200 * time.Millisecond
	orderWait = leaseTime + 2*time.Second
)

// inputPerson reads who sent an input from its payload: a slash
// command's user_id, an interaction's user.id, an event's event.user
// (storage's EarlierInput reads the same fields).
func inputPerson(payload string) string {
	var p struct {
		UserID string          `json:"user_id"`
		User   json.RawMessage `json:"user"`
		Event  struct {
			User json.RawMessage `json:"user"`
		} `json:"event"`
	}
	if json.Unmarshal([]byte(payload), &p) != nil {
		return ""
	}
	if p.UserID != "" {
		return p.UserID
	}
	var u struct {
		ID string `json:"id"`
	}
	if len(p.User) > 0 && p.User[0] == '{' && json.Unmarshal(p.User, &u) == nil && u.ID != "" {
		return u.ID
	}
	var s string
	if len(p.Event.User) > 0 && p.Event.User[0] == '"' && json.Unmarshal(p.Event.User, &s) == nil {
		return s
	}
	return ""
}

// inTurn reports whether in may run now: no earlier input of its person is
// unfinished. Otherwise it queues in again after orderPoll and reports
// false. A database error lets it run: its work meets the same error.
func (b *Bot) inTurn(run context.Context, in *input) bool {
	if b.inbox == nil || in.row.ID == 0 {
		return true
	}
	if in.person == "" {
		if in.person = inputPerson(in.row.Payload); in.person == "" {
			in.person = "-"
		}
	}
	if in.person == "-" || time.Since(in.start) > orderWait {
		return true
	}
	// Registered before looking, so that a finish in between wakes it.
	wake := b.in.await(in.person, in.row.ID)
	ctx, cancel := context.WithTimeout(run, 2*time.Second)
	defer cancel()
	earlier, err := b.inbox.EarlierInput(ctx, in.row.ID, in.person, b.in.finishedIDs())
	if err != nil || !earlier {
		b.in.unawait(in.person, wake)
		return true
	}
	b.metrics.inputs.WithLabelValues(in.row.Kind, "waited").Inc()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTimer(orderPoll)
		defer t.Stop()
		select {
		case <-wake.ch: // the person's earliest waiting input, and one of theirs finished here
		case <-t.C: // an input held elsewhere may have finished
			b.in.unawait(in.person, wake)
		case <-run.Done():
			b.in.unawait(in.person, wake)
			return
		}
		b.work(run, in.row.Kind, func(wctx context.Context) { b.process(run, wctx, in) })
	}()
	return false
}

// waiter is an input waiting for its turn.
type waiter struct {
	id int64
	ch chan struct{}
}

// await registers an input waiting for its turn.
func (q *inbox) await(person string, id int64) *waiter {
	w := &waiter{id: id, ch: make(chan struct{})}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.waiting == nil {
		q.waiting = map[string][]*waiter{}
	}
	q.waiting[person] = append(q.waiting[person], w)
	return w
}

func (q *inbox) unawait(person string, w *waiter) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.removeLocked(person, w)
}

func (q *inbox) removeLocked(person string, w *waiter) {
	ws := q.waiting[person]
	for i, x := range ws {
		if x == w {
			q.waiting[person] = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(q.waiting[person]) == 0 {
		delete(q.waiting, person)
	}
}

// wakeNext wakes the person's earliest waiting input, after one of theirs
// finished here: it looks again at once rather than at its next poll, and
// the others stay asleep (only the earliest can go).
func (q *inbox) wakeNext(person string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var first *waiter
	for _, w := range q.waiting[person] {
		if first == nil || w.id < first.id {
			first = w
		}
	}
	if first != nil {
		q.removeLocked(person, first)
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

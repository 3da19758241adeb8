package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// With -breakdown the bot's store and outbox are wrapped to time every
// transaction, split into
//
//	begin:  Update called → its function runs (connection, BEGIN; on SQLite
//	        the write lock, taken up front by IMMEDIATE transactions)
//	body:   the function (the statements; on PostgreSQL row-lock waits too)
//	commit: the function returned → Update returned (COMMIT, fsync)
//
// grouped by the use case that ran it. It shows where a card's time goes
// when it is not CPU (the CPU profile shows only what runs).
type timings struct {
	mu  sync.Mutex
	ops map[string]*opTimes
	on  bool
}

type opTimes struct {
	begin, body, commit, total []time.Duration
	retries                    int
}

func newTimings() *timings { return &timings{ops: map[string]*opTimes{}} }

func (t *timings) start() { t.mu.Lock(); t.on = true; t.ops = map[string]*opTimes{}; t.mu.Unlock() }
func (t *timings) stop()  { t.mu.Lock(); t.on = false; t.mu.Unlock() }

func (t *timings) add(name string, begin, body, commit, total time.Duration, runs int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.on {
		return
	}
	o := t.ops[name]
	if o == nil {
		o = &opTimes{}
		t.ops[name] = o
	}
	if begin >= 0 {
		o.begin = append(o.begin, begin)
		o.body = append(o.body, body)
		o.commit = append(o.commit, commit)
	}
	o.total = append(o.total, total)
	o.retries += max(0, runs-1)
}

// caller names the use case on the stack: the commands.Service method, or
// the bot function when the bot calls the outbox itself.
func caller() string {
	pc := make([]uintptr, 32)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if name, ok := strings.CutPrefix(f.Function, "github.com/deskbot/deskbot/commands.(*Service)."); ok {
			if i := strings.IndexByte(name, '.'); i >= 0 {
				name = name[:i] // CreateTicket.func1 → CreateTicket
			}
			return name
		}
		if !more {
			return "other"
		}
	}
}

// timedStore wraps the store the commands.Service uses.
type timedStore struct {
	domain.Store
	t *timings
}

func (s timedStore) Update(ctx context.Context, fn func(domain.Tx) error) error {
	name := caller()
	t0 := time.Now()
	var bodyStart, bodyEnd time.Time
	runs := 0
	err := s.Store.Update(ctx, func(tx domain.Tx) error {
		runs++
		bodyStart = time.Now()
		err := fn(tx)
		bodyEnd = time.Now()
		return err
	})
	t1 := time.Now()
	if runs > 0 {
		s.t.add("Update "+name, bodyStart.Sub(t0), bodyEnd.Sub(bodyStart), t1.Sub(bodyEnd), t1.Sub(t0), runs)
	}
	return err
}

func (s timedStore) View(ctx context.Context, fn func(domain.Tx) error) error {
	name := caller()
	t0 := time.Now()
	err := s.Store.View(ctx, fn)
	s.t.add("View "+name, -1, 0, 0, time.Since(t0), 1)
	return err
}

// timedOutbox wraps the outbox the bot's dispatcher uses.
type timedOutbox struct {
	domain.Outbox
	t *timings
}

func (o timedOutbox) ClaimOutbox(ctx context.Context, owner string, kinds []string, limit int, lease time.Duration) ([]*domain.OutboxMessage, error) {
	t0 := time.Now()
	msgs, err := o.Outbox.ClaimOutbox(ctx, owner, kinds, limit, lease)
	name := "outbox ClaimOutbox"
	if len(msgs) == 0 {
		name += " (empty)"
	}
	o.t.add(name, -1, 0, 0, time.Since(t0), 1)
	return msgs, err
}

func (o timedOutbox) OutboxDelivered(ctx context.Context, id int64) error {
	t0 := time.Now()
	err := o.Outbox.OutboxDelivered(ctx, id)
	o.t.add("outbox OutboxDelivered", -1, 0, 0, time.Since(t0), 1)
	return err
}

func (t *timings) print(w io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.ops))
	for n := range t.ops {
		names = append(names, n)
	}
	sum := func(ds []time.Duration) (s time.Duration) {
		for _, d := range ds {
			s += d
		}
		return s
	}
	slices.SortFunc(names, func(a, b string) int { return int(sum(t.ops[b].total) - sum(t.ops[a].total)) })
	fmt.Fprintln(w, "transactions during the load phase (-breakdown): p50 / p99 per call; sum = wall time spent in them")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "call\tn\ttotal p50/p99\tbegin p50/p99\tbody p50/p99\tcommit p50/p99\tsum\tretries\t")
	pp := func(ds []time.Duration) string {
		if len(ds) == 0 {
			return "-"
		}
		s := statsOf(ds)
		return ms(s.p50) + " / " + ms(s.p99)
	}
	for _, n := range names {
		o := t.ops[n]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t\n", n, len(o.total), pp(o.total), pp(o.begin), pp(o.body), pp(o.commit),
			ms(sum(o.total)), o.retries)
	}
	_ = tw.Flush()
}

// timedInbox wraps the bot's inbox: an ack waits for StoreInputs, so its
// time (and its batch sizes) split an ack's latency into the write and
// the rest (the wait for a writer, the socket, the scheduler).
type timedInbox struct {
	domain.Inbox
	t *timings
}

func (i timedInbox) StoreInputs(ctx context.Context, owner string, lease time.Duration, in []*domain.InboxInput) ([]bool, error) {
	t0 := time.Now()
	fresh, err := i.Inbox.StoreInputs(ctx, owner, lease, in)
	i.t.add(fmt.Sprintf("inbox StoreInputs (%s inputs)", batchSize(len(in))), -1, 0, 0, time.Since(t0), 1)
	return fresh, err
}

func (i timedInbox) InputsDone(ctx context.Context, ids []int64) error {
	t0 := time.Now()
	err := i.Inbox.InputsDone(ctx, ids)
	i.t.add("inbox InputsDone", -1, 0, 0, time.Since(t0), 1)
	return err
}

func batchSize(n int) string {
	switch {
	case n == 1:
		return "1"
	case n <= 4:
		return "2-4"
	case n <= 16:
		return "5-16"
	}
	return "17+"
}

package commands

import (
	"context"
	"runtime"
	"sync"

	"github.com/deskbot/deskbot/domain"
)

// groupCommit runs concurrent writes of one use case in shared
// transactions, one lane per key (the customer the write most likely
// concerns). While a lane's transaction is open, the writes that arrive
// for it wait; its next transaction takes all of them (up to max). Under a
// burst, N new tickets for a customer then cost one BEGIN, one lock on its
// ticket counter and one COMMIT (one fsync) instead of N each, and that
// row lock is no longer the queue every creation waits in. Writes for
// other customers run in their own lanes side by side. The key is a guess
// made before any read (mail threads into another customer's ticket now
// and then), so two lanes may meet on a row; a deadlock between them is
// what PostgreSQL detects and the store retries, as between any two
// transactions. A write that finds its lane idle runs at once, as alone.
//
// Each write's function must be safe to run again (the store already
// retries whole transactions on serialization failures). When one write
// fails inside a shared transaction, the transaction is rolled back, that
// write runs alone to get its own error, and the others run again without
// it: one bad input never fails another's.
type groupCommit struct {
	max int
	// oneLane: the database takes one writer at a time (SQLite), so
	// lanes side by side would only wait for each other.
	oneLane bool

	mu    sync.Mutex
	lanes map[string]*gcLane // busy lanes only
}

type gcLane struct {
	waiting []*gcWrite
}

type gcWrite struct {
	ctx  context.Context
	fn   func(domain.Tx) error
	done chan gcResult
}

// gcResult ends a wait: either the write's outcome, or lead when the
// waiter is to run the next shared transaction itself.
type gcResult struct {
	err  error
	lead bool
}

func newGroupCommit(max int, oneLane bool) *groupCommit {
	return &groupCommit{max: max, oneLane: oneLane, lanes: map[string]*gcLane{}}
}

// singleWriter is implemented by stores that take one writer at a time.
type singleWriter interface{ SingleWriter() bool }

func isSingleWriter(store domain.Store) bool {
	sw, ok := store.(singleWriter)
	return ok && sw.SingleWriter()
}

// SingleWriter reports a database that takes one writer at a time
// (SQLite, in process), where work is CPU rather than waiting.
func (s *Service) SingleWriter() bool { return isSingleWriter(s.store) }

// do runs fn in a transaction, shared with concurrent calls of the same
// lane, and returns once that transaction committed or failed.
func (g *groupCommit) do(ctx context.Context, store domain.Store, lane string, fn func(domain.Tx) error) error {
	w := &gcWrite{ctx: ctx, fn: fn, done: make(chan gcResult, 1)}
	if g.oneLane {
		lane = ""
	}
	g.mu.Lock()
	l := g.lanes[lane]
	if l != nil {
		l.waiting = append(l.waiting, w)
		g.mu.Unlock()
		// Once queued, the write is in someone's transaction: waiting on
		// ctx too would report a failure for a write that may commit.
		r := <-w.done
		if !r.lead {
			return r.err
		}
		g.mu.Lock()
	} else {
		l = &gcLane{}
		g.lanes[lane] = l
	}
	n := min(len(l.waiting), g.max-1)
	batch := make([]*gcWrite, 0, n+1)
	batch = append(append(batch, w), l.waiting[:n]...)
	l.waiting = append(l.waiting[:0:0], l.waiting[n:]...)
	g.mu.Unlock()

	errs := make([]error, len(batch))
	finished := false
	defer func() {
		if !finished { // a panic: nobody may wait forever
			for i := range errs {
				errs[i] = errPanicked
			}
		}
		for i, b := range batch[1:] {
			b.done <- gcResult{err: errs[i+1]}
		}
		g.handOver(lane, l)
	}()
	g.run(store, batch, errs)
	finished = true
	return errs[0]
}

var errPanicked = domain.Errorf(domain.EINTERNAL, "A write in the same transaction failed badly; please try again.")

// handOver makes the lane's first waiter its next leader, or retires the
// idle lane.
func (g *groupCommit) handOver(key string, l *gcLane) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(l.waiting) == 0 {
		delete(g.lanes, key)
		return
	}
	next := l.waiting[0]
	l.waiting = l.waiting[1:]
	next.done <- gcResult{lead: true}
}

// run commits batch in one transaction and sets errs[i] for each write.
func (g *groupCommit) run(store domain.Store, batch []*gcWrite, errs []error) {
	if len(batch) == 0 {
		return
	}
	if len(batch) == 1 {
		errs[0] = store.Update(batch[0].ctx, batch[0].fn)
		return
	}
	failed := -1
	err := store.Update(batch[0].ctx, func(tx domain.Tx) error {
		failed = -1
		for i, w := range batch {
			if err := w.fn(tx); err != nil {
				failed = i
				return err
			}
			if g.oneLane {
				// In process, a shared transaction is all CPU: yield
				// between its writes, so the event loop acks now rather
				// than when the scheduler preempts this goroutine, 10 ms
				// on.
				runtime.Gosched()
			}
		}
		return nil
	})
	switch {
	case err == nil:
		clear(errs)
	case failed < 0:
		// The transaction itself failed (commit, connection): each write
		// gets its own chance.
		for i, w := range batch {
			errs[i] = store.Update(w.ctx, w.fn)
		}
	default:
		g.run(store, batch[:failed], errs[:failed])
		errs[failed] = store.Update(batch[failed].ctx, batch[failed].fn)
		g.run(store, batch[failed+1:], errs[failed+1:])
	}
}

package bot

import (
	"context"
	"sync"
	"time"
)

// workers runs handlers on at most size goroutines. Work that finds them
// all busy waits in a queue, not in a goroutine of its own: a burst of
// thousands of envelopes costs a slice, not thousands of parked stacks.
type workers struct {
	size  int
	mu    sync.Mutex
	busy  int    // goroutines running
	queue []task // waiting, oldest first
}

type task struct {
	ctx  context.Context
	kind string
	fn   func(ctx context.Context)
}

// work runs fn on a worker once one is free; the event loop never waits.
// Work whose ctx ends while it waits is dropped.
func (b *Bot) work(ctx context.Context, kind string, fn func(ctx context.Context)) {
	t := task{ctx, kind, fn}
	w := &b.workers
	w.mu.Lock()
	if w.busy >= max(w.size, 1) {
		w.queue = append(w.queue, t)
		w.mu.Unlock()
		return
	}
	w.busy++
	w.mu.Unlock()
	b.wg.Add(1)
	go b.worker(t)
}

// worker runs t, then what waits, until the queue is empty.
func (b *Bot) worker(t task) {
	defer b.wg.Done()
	w := &b.workers
	for {
		if t.ctx.Err() == nil {
			b.runTask(t)
		}
		w.mu.Lock()
		if len(w.queue) == 0 {
			w.busy--
			w.queue = nil // let a burst's backing array go
			w.mu.Unlock()
			return
		}
		t = w.queue[0]
		w.queue[0] = task{}
		w.queue = w.queue[1:]
		w.mu.Unlock()
	}
}

func (b *Bot) runTask(t task) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("bot: handler panicked", "kind", t.kind, "panic", p)
		}
	}()
	// Work started before a shutdown finishes, within its own budget.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), 30*time.Second)
	defer cancel()
	t.fn(ctx)
}

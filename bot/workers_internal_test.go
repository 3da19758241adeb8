package bot

import (
	"context"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
)

// A burst waits in the queue, not in goroutines: at most size run, all run.
func TestWorkersQueueBeyondTheirSize(t *testing.T) {
	b := &Bot{log: slog.New(slog.DiscardHandler), workers: workers{size: 3}}
	release := make(chan struct{})
	var running, peak, done atomic.Int32
	before := runtime.NumGoroutine()
	for range 1000 {
		b.work(context.Background(), "test", func(context.Context) {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-release
			running.Add(-1)
			done.Add(1)
		})
	}
	if n := runtime.NumGoroutine() - before; n > 3 {
		t.Errorf("%d goroutines for 1000 queued handlers, want at most 3", n)
	}
	close(release)
	b.wg.Wait()
	if done.Load() != 1000 || peak.Load() > 3 {
		t.Errorf("%d done, %d at once", done.Load(), peak.Load())
	}
	// Work whose context ended while it waited is dropped.
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	for range 3 {
		b.work(context.Background(), "test", func(context.Context) { <-block })
	}
	ran := false
	b.work(ctx, "test", func(context.Context) { ran = true })
	cancel()
	close(block)
	b.wg.Wait()
	if ran {
		t.Error("work ran after its context ended")
	}
}

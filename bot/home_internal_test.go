package bot

import (
	"context"
	"testing"
	"time"
)

// A publish asked for inside the debounce window runs at its end, even
// though the handler that asked has finished and its context ended.
// Bound to that context it never ran and left the person's Home pending
// for ever: it was not redrawn again.
func TestTrailingHomePublishOutlivesItsHandler(t *testing.T) {
	tb := newTestBot(t)
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	tb.b.home.base = runCtx
	var trailing func()
	tb.b.home.after = func(_ time.Duration, f func()) { trailing = f }

	handler, done := context.WithCancel(context.Background())
	tb.b.publishHome(handler, "UANA") // at once
	tb.b.publishHome(handler, "UANA") // inside the window: one trailing publish
	done()                            // the handler returns
	if trailing == nil {
		t.Fatal("no trailing publish scheduled")
	}
	trailing()
	tb.b.wg.Wait()
	if n := len(tb.emu.Calls("views.publish")); n != 2 {
		t.Fatalf("%d publishes, want 2: the trailing one was dropped", n)
	}
	if tb.b.home.pending["UANA"] {
		t.Error("a publish stays pending: the Home is never redrawn again")
	}
}

package scheduler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"github.com/deskbot/deskbot/scheduler"
)

func newTestScheduler(t *testing.T, locker gocron.Locker) (*scheduler.Scheduler, *clockwork.FakeClock, chan scheduler.Run) {
	t.Helper()
	fc := clockwork.NewFakeClockAt(base.Add(half))
	runs := make(chan scheduler.Run, 16)
	sc, err := scheduler.New(scheduler.Options{Clock: fc, Locker: locker, Logger: quiet, Observe: func(r scheduler.Run) { runs <- r }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sc.Shutdown() })
	return sc, fc, runs
}

func next(t *testing.T, runs chan scheduler.Run) scheduler.Run {
	t.Helper()
	select {
	case r := <-runs:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no tick within 10s")
		return scheduler.Run{}
	}
}

func tick(t *testing.T, fc *clockwork.FakeClock, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fc.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	fc.Advance(d)
}

func TestEveryRunsAtStartThenEachInterval(t *testing.T) {
	sc, fc, runs := newTestScheduler(t, nil)
	var calls atomic.Int32 // the job runs on gocron's goroutines
	boom := errors.New("boom")
	if err := sc.Every("job", time.Minute, func(ctx context.Context) error {
		if calls.Add(1) == 2 {
			return boom
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := sc.Every("job", time.Hour, func(context.Context) error { return nil }); err == nil {
		t.Error("a second job with the same name (its lock key) must be refused")
	}
	if err := sc.Every("other", 0, func(context.Context) error { return nil }); err == nil {
		t.Error("a zero interval must be refused")
	}
	sc.Start()
	if r := next(t, runs); r.Job != "job" || r.Skipped || r.Err != nil {
		t.Fatalf("run at start: %+v", r)
	}
	tick(t, fc, time.Minute)
	if r := next(t, runs); !errors.Is(r.Err, boom) {
		t.Fatalf("second run: %+v", r)
	}
	tick(t, fc, 3*time.Minute+time.Second) // missed ticks do not pile up
	if r := next(t, runs); r.Err != nil || calls.Load() != 3 {
		t.Fatalf("third run: %+v, %d calls", r, calls.Load())
	}
}

func TestSlowRunSkipsTheNextTick(t *testing.T) {
	sc, fc, runs := newTestScheduler(t, nil)
	release := make(chan struct{})
	var calls atomic.Int32
	if err := sc.Every("slow", time.Minute, func(ctx context.Context) error {
		if calls.Add(1) == 1 {
			<-release
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sc.Start()
	tick(t, fc, time.Minute) // the first run is still going
	if r := next(t, runs); !r.Skipped {
		t.Fatalf("overlapping tick ran: %+v", r)
	}
	close(release)
	if r := next(t, runs); r.Skipped || calls.Load() != 1 {
		t.Fatalf("first run: %+v", r)
	}
}

type refuse struct{ held bool }

type heldErr struct{}

func (heldErr) Error() string { return "held" }
func (heldErr) Held() bool    { return true }

func (r refuse) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	if r.held {
		return nil, heldErr{}
	}
	return nil, errors.New("database down")
}

func TestLockedElsewhereSkips(t *testing.T) {
	for _, held := range []bool{true, false} {
		sc, _, runs := newTestScheduler(t, refuse{held})
		ran := false
		if err := sc.Every("job", time.Minute, func(context.Context) error { ran = true; return nil }); err != nil {
			t.Fatal(err)
		}
		sc.Start()
		if r := next(t, runs); !r.Skipped || r.Err == nil || ran {
			t.Errorf("held=%v: %+v, ran %v", held, r, ran)
		}
	}
}

func TestShutdownCancelsRunningJob(t *testing.T) {
	sc, _, runs := newTestScheduler(t, nil)
	started := make(chan struct{})
	if err := sc.Every("job", time.Minute, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	sc.Start()
	<-started
	if err := sc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if r := next(t, runs); !errors.Is(r.Err, context.Canceled) {
		t.Errorf("run %+v", r)
	}
}

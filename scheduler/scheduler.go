// Package scheduler runs deskbot's periodic jobs (the SLA scan, and later
// reminders, outbox retries, polls) on gocron. It only triggers use cases:
// what a job does lives in commands, and the SQL of the cross-replica lock
// lives in storage.
//
// With a Locker (storage.DB.NewLocker on PostgreSQL), each run of a job
// first takes that job's lock without waiting: when several `deskbot
// serve` replicas tick together, one runs and the others skip. Exactly-once
// effects still rest on the use cases (unique keys, one transaction); the
// lock keeps replicas from doing the same work side by side.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// Options configure a Scheduler; the zero value runs single-node on the real clock.
type Options struct {
	// Locker makes each job run in one process at a time across replicas;
	// nil runs every job locally (SQLite is single-node). Its Lock must not
	// wait: an error means "skip this tick".
	Locker gocron.Locker
	// Clock drives the ticks; tests pass a clockwork fake clock.
	Clock  clockwork.Clock
	Logger *slog.Logger
	// Observe, if set, hears about every tick of every job once it is
	// completely over (lock released): for metrics and for tests to wait on.
	Observe func(Run)
}

// Run is what happened at one tick of a job.
type Run struct {
	Job string
	// Skipped: the job did not run, because its previous run was still
	// going here, or another process held its lock (Err says why).
	Skipped  bool
	Err      error
	Duration time.Duration
}

// Scheduler runs jobs every interval.
type Scheduler struct {
	s       gocron.Scheduler
	locker  gocron.Locker
	log     *slog.Logger
	observe func(Run)
	clock   clockwork.Clock

	mu    sync.Mutex
	names map[string]bool
}

// New returns a stopped Scheduler.
func New(opts Options) (*Scheduler, error) {
	sc := &Scheduler{locker: opts.Locker, log: opts.Logger, observe: opts.Observe, clock: opts.Clock, names: map[string]bool{}}
	if sc.log == nil {
		sc.log = slog.Default()
	}
	if sc.clock == nil {
		sc.clock = clockwork.NewRealClock()
	}
	if sc.observe == nil {
		sc.observe = func(Run) {}
	}
	s, err := gocron.NewScheduler(gocron.WithClock(sc.clock), gocron.WithLocation(time.UTC), gocron.WithStopTimeout(30*time.Second))
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	sc.s = s
	return sc, nil
}

// Every runs fn at Start (a restarted process catches up at once) and then
// every interval. The name is the job's lock key across replicas, so it
// must be unique and stable. A tick that finds the previous run still going
// is skipped, so a slow run never piles up behind itself. fn's context ends
// at Shutdown.
//
// The lock is taken here rather than with gocron's WithDistributedLocker so
// that the run is over, lock released, when Observe hears of it: gocron
// unlocks after its own bookkeeping, and a tick arriving in between would
// be dropped without a word.
func (sc *Scheduler) Every(name string, interval time.Duration, fn func(ctx context.Context) error) error {
	if interval <= 0 {
		return fmt.Errorf("scheduler: job %q: interval must be positive", name)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.names[name] {
		return fmt.Errorf("scheduler: job %q is already scheduled", name)
	}
	var running atomic.Bool
	task := func(ctx context.Context) {
		if !running.CompareAndSwap(false, true) {
			sc.observe(Run{Job: name, Skipped: true, Err: errors.New("the previous run is still going")})
			return
		}
		r := sc.run(ctx, name, fn)
		running.Store(false)
		sc.observe(r)
	}
	_, err := sc.s.NewJob(gocron.DurationJob(interval), gocron.NewTask(task),
		gocron.WithName(name), gocron.WithStartAt(gocron.WithStartImmediately()))
	if err != nil {
		return fmt.Errorf("scheduler: job %q: %w", name, err)
	}
	sc.names[name] = true
	return nil
}

// run takes the job's lock, if any, and runs it once.
func (sc *Scheduler) run(ctx context.Context, name string, fn func(context.Context) error) Run {
	if sc.locker != nil {
		lock, err := sc.locker.Lock(ctx, name)
		if err != nil {
			sc.logLockError(name, err)
			return Run{Job: name, Skipped: true, Err: err}
		}
		defer func() {
			if err := lock.Unlock(ctx); err != nil {
				sc.log.Warn("scheduler: unable to release job lock", "job", name, "err", err)
			}
		}()
	}
	start := sc.clock.Now()
	err := fn(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		sc.log.Error("scheduler: job failed", "job", name, "err", err)
	}
	return Run{Job: name, Err: err, Duration: sc.clock.Since(start)}
}

// logLockError is quiet about the lock being held elsewhere, which is the
// normal case with replicas, and loud about failing to ask.
func (sc *Scheduler) logLockError(name string, err error) {
	var held interface{ Held() bool }
	if errors.As(err, &held) && held.Held() {
		sc.log.Debug("scheduler: skipped, running in another process", "job", name)
		return
	}
	sc.log.Warn("scheduler: unable to take job lock; skipped", "job", name, "err", err)
}

// Start begins ticking.
func (sc *Scheduler) Start() { sc.s.Start() }

// Shutdown stops ticking and waits for running jobs, whose context is cancelled.
func (sc *Scheduler) Shutdown() error {
	if err := sc.s.Shutdown(); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/email/emailtest"
)

// Fault kinds, each switchable with -faults.
const (
	faultKill      = "kill"      // SIGKILL a replica, restart it after a pause
	faultTerm      = "term"      // SIGTERM a replica (graceful), restart it
	faultPGRestart = "pgrestart" // PostgreSQL crashes (immediate stop) and restarts
	faultPGDown    = "pgdown"    // PostgreSQL stopped for -outage, then started
	faultSlack500  = "slack500"  // Web API answers 500 for -outage
	faultSlack429  = "slack429"  // Web API answers 429 + Retry-After for -outage
	faultSlackSlow = "slacktime" // Web API calls hang for -outage, then 504
	faultRefresh   = "sockdisc"  // Socket Mode: disconnect refresh_requested to every connection
	faultReset     = "sockreset" // Socket Mode: one connection's TCP reset
	faultRelayDown = "relaydown" // the SMTP relay down for -outage
	noFault        = "none"
)

var allFaults = []string{faultKill, faultTerm, faultPGRestart, faultPGDown, faultSlack500, faultSlack429,
	faultSlackSlow, faultRefresh, faultReset, faultRelayDown}

func parseFaults(s string) ([]string, error) {
	switch s {
	case "", noFault:
		return nil, nil
	case "all":
		return allFaults, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		ok := false
		for _, k := range allFaults {
			ok = ok || k == f
		}
		if !ok {
			return nil, fmt.Errorf("-faults: unknown fault %q (have %s, all, none)", f, strings.Join(allFaults, ","))
		}
		out = append(out, f)
	}
	return out, nil
}

// window is one injected fault, from injection to repair.
type window struct {
	kind       string
	start, end time.Time
	target     string
}

type faultLog struct {
	mu      sync.Mutex
	windows []window
	grace   time.Duration // inputs sent this long after a repair still count for the fault
}

func (f *faultLog) add(w window) {
	f.mu.Lock()
	f.windows = append(f.windows, w)
	f.mu.Unlock()
}

// activeAt names the fault an input sent at t ran into.
func (f *faultLog) activeAt(t time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.windows) - 1; i >= 0; i-- {
		w := f.windows[i]
		end := w.end
		if end.IsZero() {
			end = t
		}
		if !t.Before(w.start) && !t.After(end.Add(f.grace)) {
			return w.kind
		}
	}
	return noFault
}

func (f *faultLog) list() []window {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]window(nil), f.windows...)
}

// injector applies one fault at a time and repairs it before the next.
type injector struct {
	everyKind chan struct{} // closed once each kind was injected
	emu       *slackemu.Server
	pg        *pgCluster
	sink      *emailtest.Sink
	replicas  []*replica
	outage    time.Duration
	pause     time.Duration // a killed replica stays down this long
	log       *faultLog
	logf      func(format string, args ...any)
}

func (j *injector) run(ctx context.Context, kinds []string, every time.Duration) {
	if len(kinds) == 0 {
		close(j.everyKind)
		return
	}
	// Each kind once, in random order, then random ones: a short run still
	// sees every fault.
	order := rand.Perm(len(kinds))
	for i := 0; ; i++ {
		// A random moment in the interval, not its start.
		sleepCtx(ctx, every/2+time.Duration(rand.N(int64(every/2))))
		if ctx.Err() != nil {
			return
		}
		kind := kinds[rand.N(len(kinds))]
		if i < len(order) {
			kind = kinds[order[i]]
		}
		j.inject(ctx, kind)
		if i == len(order)-1 {
			close(j.everyKind)
		}
	}
}

func (j *injector) inject(ctx context.Context, kind string) {
	w := window{kind: kind, start: time.Now()}
	j.log.add(w)
	rctx := context.WithoutCancel(ctx)
	switch kind {
	case faultKill, faultTerm:
		r := j.replicas[rand.N(len(j.replicas))]
		w.target = r.name
		if kind == faultKill {
			r.stop(syscall.SIGKILL, time.Minute)
		} else {
			r.stop(syscall.SIGTERM, 30*time.Second)
		}
		time.Sleep(j.pause)
		if err := r.start(); err != nil {
			j.logf("restart %s: %v", r.name, err)
		}
	case faultPGRestart:
		if err := j.pg.stop(rctx, "immediate"); err != nil {
			j.logf("%v", err)
		}
		if err := j.pg.start(rctx); err != nil {
			j.logf("%v", err)
		}
	case faultPGDown:
		if err := j.pg.stop(rctx, "fast"); err != nil {
			j.logf("%v", err)
		}
		time.Sleep(j.outage)
		if err := j.pg.start(rctx); err != nil {
			j.logf("%v", err)
		}
	case faultSlack500, faultSlack429, faultSlackSlow:
		k := map[string]string{faultSlack500: slackemu.OutageServerError, faultSlack429: slackemu.OutageRateLimited,
			faultSlackSlow: slackemu.OutageTimeout}[kind]
		j.emu.WebAPIOutage(k, j.outage)
		time.Sleep(j.outage)
	case faultRefresh:
		j.emu.Disconnect("refresh_requested")
	case faultReset:
		j.emu.DropOneConnection()
	case faultRelayDown:
		j.sink.Stop()
		time.Sleep(j.outage)
		if err := j.sink.Start(); err != nil {
			j.logf("relay: %v", err)
		}
	}
	w.end = time.Now()
	j.log.mu.Lock()
	for i := range j.log.windows {
		if j.log.windows[i].start.Equal(w.start) {
			j.log.windows[i] = w
		}
	}
	j.log.mu.Unlock()
	j.logf("fault %-9s %s for %v", kind, w.target, w.end.Sub(w.start).Round(time.Millisecond))
}

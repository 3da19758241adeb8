package portal

import (
	"sync"
	"time"
)

// Limits are how many requests a link and an address may make per
// window: a leaked link cannot be used to flood a ticket, nor a
// requester's many links their tickets.
type Limits struct {
	Window time.Duration // default one minute
	// PerLink bounds all requests with one token (default 60); Posts those
	// that change something (default 10); PerAddress the posts of one
	// address over all its links (default 20).
	PerLink, Posts, PerAddress int
}

func (l Limits) orDefault() Limits {
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	if l.PerLink <= 0 {
		l.PerLink = 60
	}
	if l.Posts <= 0 {
		l.Posts = 10
	}
	if l.PerAddress <= 0 {
		l.PerAddress = 20
	}
	return l
}

// limiter counts requests per key in fixed windows.
type limiter struct {
	Limits
	now func() time.Time

	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	return &limiter{Limits: l, now: now, counts: map[string]int{}}
}

// allow counts one request under key and reports whether it is within
// max, and when the window ends.
func (l *limiter) allow(key string, max int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= l.Window || now.Before(l.start) {
		// A new window forgets every count: memory stays bounded by the
		// keys of one window.
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= max, l.start.Add(l.Window).Sub(now)
}

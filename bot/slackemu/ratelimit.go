package slackemu

import (
	"math"
	"sync"
	"time"
)

// Slack's Web API rate limits, as documented at
// https://docs.slack.dev/apis/web-api/rate-limits (formerly
// https://api.slack.com/docs/rate-limits) and on each method's reference
// page (https://docs.slack.dev/reference/methods/<method>, "Rate limits").
//
// Limits apply "per API method per app per workspace". The tiers:
//
//	Tier 1   1+ per minute    a small amount of burst behaviour is tolerated
//	Tier 2  20+ per minute    occasional bursts
//	Tier 3  50+ per minute    sporadic bursts are welcome
//	Tier 4 100+ per minute    generous burst behaviour
//	Special                   chat.postMessage: "generally allows posting one
//	                          message per second per channel, while also
//	                          maintaining a workspace-wide limit"; "short
//	                          bursts >1 allowed", with no guarantee for them
//
// Slack publishes floors ("50+"), not exact numbers, and no bucket sizes.
// The emulator takes each floor as the steady rate of a token bucket, the
// strictest reading, and a modest burst: a client that stays under it is
// safe on Slack. Anything over gets HTTP 429 with Retry-After in whole
// seconds, as Slack answers. The workspace-wide chat.postMessage limit is
// not published; "several hundred per minute" is what Slack support
// states, and 300 per minute is taken.
//
// conversations.history and conversations.replies are Tier 3 for internal
// (customer-built) apps like deskbot; since 2025-05-29 commercially
// distributed non-Marketplace apps get 1 per minute instead.
//
// Methods not listed (auth.test, apps.connections.open, response_url
// posts) are not limited here: deskbot calls them once per connection.
var rateLimits = map[string][]rateLimit{
	"chat.postMessage": {
		{PerMinute: 60, Burst: 3, PerChannel: true}, // special: 1 per second per channel
		{PerMinute: 300, Burst: 30},                 // special: workspace-wide
	},
	"chat.postEphemeral":           {{PerMinute: 100, Burst: 20}}, // Tier 4
	"chat.update":                  {{PerMinute: 50, Burst: 10}},  // Tier 3
	"chat.delete":                  {{PerMinute: 50, Burst: 10}},  // Tier 3
	"chat.getPermalink":            {{PerMinute: 100, Burst: 20}}, // special, Tier 4 in practice
	"views.open":                   {{PerMinute: 100, Burst: 20}}, // Tier 4
	"views.push":                   {{PerMinute: 100, Burst: 20}}, // Tier 4
	"views.update":                 {{PerMinute: 100, Burst: 20}}, // Tier 4
	"views.publish":                {{PerMinute: 100, Burst: 20}}, // Tier 4
	"files.getUploadURLExternal":   {{PerMinute: 100, Burst: 20}}, // Tier 4
	"files.completeUploadExternal": {{PerMinute: 100, Burst: 20}}, // Tier 4
	"files.info":                   {{PerMinute: 100, Burst: 20}}, // Tier 4
	"conversations.history":        {{PerMinute: 50, Burst: 10}},  // Tier 3 (internal apps)
	"conversations.replies":        {{PerMinute: 50, Burst: 10}},  // Tier 3 (internal apps)
	"conversations.info":           {{PerMinute: 50, Burst: 10}},  // Tier 3
	"conversations.open":           {{PerMinute: 50, Burst: 10}},  // Tier 3
	"conversations.join":           {{PerMinute: 50, Burst: 10}},  // Tier 3
	"reactions.add":                {{PerMinute: 50, Burst: 10}},  // Tier 3
	"users.info":                   {{PerMinute: 100, Burst: 20}}, // Tier 4
	"users.lookupByEmail":          {{PerMinute: 50, Burst: 10}},  // Tier 3
	"usergroups.users.list":        {{PerMinute: 20, Burst: 5}},   // Tier 2
	"team.info":                    {{PerMinute: 50, Burst: 10}},  // Tier 3
}

// rateLimit is one token bucket: PerMinute tokens a minute, at most Burst
// saved up; PerChannel buckets are kept per channel argument.
type rateLimit struct {
	PerMinute  float64
	Burst      float64
	PerChannel bool
}

// RateLimitOf is the documented limit the emulator enforces on method:
// steady calls per minute and burst, for the bucket of one channel when
// perChannel. Clients mirror it (the bot's dispatcher does); ok is false
// for a method the emulator does not limit.
func RateLimitOf(method string, perChannel bool) (perMinute, burst float64, ok bool) {
	for _, l := range rateLimits[method] {
		if l.PerChannel == perChannel {
			return l.PerMinute, l.Burst, true
		}
	}
	return 0, 0, false
}

// RateStats is what the emulator's rate limiting did.
type RateStats struct {
	// Limited counts the calls answered 429.
	Limited int
	// InWindow counts the calls made to a bucket inside the Retry-After
	// window of a 429 it answered: a client that honours Retry-After
	// makes none.
	InWindow int
	// ByMethod counts both per method.
	LimitedByMethod, InWindowByMethod map[string]int
}

// rateState holds the buckets. Its own lock: checks run before s.mu.
type rateState struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	stats   RateStats
}

type bucket struct {
	tokens float64
	at     time.Time // tokens as of at
	until  time.Time // end of the Retry-After window last answered
}

// RateStats reports the 429s answered and the calls made inside their
// Retry-After windows so far.
func (s *Server) RateStats() RateStats {
	s.rate.mu.Lock()
	defer s.rate.mu.Unlock()
	st := s.rate.stats
	st.LimitedByMethod, st.InWindowByMethod = map[string]int{}, map[string]int{}
	for k, v := range s.rate.stats.LimitedByMethod {
		st.LimitedByMethod[k] = v
	}
	for k, v := range s.rate.stats.InWindowByMethod {
		st.InWindowByMethod[k] = v
	}
	return st
}

// rateCheck spends a token of each of the call's buckets, or answers how
// long to wait: every bucket must have one, and none is spent otherwise.
// With Options.RateScale the buckets refill that many times faster; a
// Retry-After stays in real whole seconds, as a client reads it.
func (s *Server) rateCheck(rq *request) (retryAfter int, limited bool) {
	limits := rateLimits[rq.method]
	if s.opts.Unthrottled || len(limits) == 0 {
		return 0, false
	}
	scale := s.opts.RateScale
	if scale <= 0 {
		scale = 1
	}
	now := time.Now()
	r := &s.rate
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buckets == nil {
		r.buckets = map[string]*bucket{}
		r.stats.LimitedByMethod, r.stats.InWindowByMethod = map[string]int{}, map[string]int{}
	}
	bs := make([]*bucket, len(limits))
	var short []*bucket // the buckets that refuse the call
	var wait time.Duration
	inWindow := false
	for i, l := range limits {
		key := rq.method
		if l.PerChannel {
			key += "\x00" + rq.str("channel")
		}
		b := r.buckets[key]
		if b == nil {
			b = &bucket{tokens: l.Burst, at: now}
			r.buckets[key] = b
		}
		perSec := l.PerMinute / 60 * scale
		b.tokens = math.Min(l.Burst, b.tokens+now.Sub(b.at).Seconds()*perSec)
		b.at = now
		bs[i] = b
		if now.Before(b.until) {
			inWindow = true
			short = append(short, b)
			wait = max(wait, b.until.Sub(now))
		} else if b.tokens < 1 {
			short = append(short, b)
			wait = max(wait, time.Duration((1-b.tokens)/perSec*float64(time.Second)))
		}
	}
	if inWindow {
		r.stats.InWindow++
		r.stats.InWindowByMethod[rq.method]++
	}
	if wait > 0 {
		sec := retryAfterSeconds(wait)
		for _, b := range short {
			if until := now.Add(time.Duration(sec) * time.Second); until.After(b.until) {
				b.until = until
			}
		}
		r.stats.Limited++
		r.stats.LimitedByMethod[rq.method]++
		return sec, true
	}
	for _, b := range bs {
		b.tokens--
	}
	return 0, false
}

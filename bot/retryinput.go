package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

// An input is stored and acknowledged before its work, so a failure that
// passes (Slack answering 500 or 429, timing out, the database restarting)
// must not end it: the person was told nothing went wrong. Its work is
// tried again, in this process, with backoff; each handler is idempotent
// on its input, and a failure that passes leaves nothing half done (the
// use case's transaction rolled back). Only after inputRetries does the
// person hear of the failure. A 429 is not such a failure: Slack says
// when to come back, and the input waits that long, as often as Slack
// asks, for up to rateLimitedFor (a minute of 429s would otherwise spend
// the retries in 45 s and drop the input).
const (
	inputRetries   = 8
	rateLimitedFor = 5 * time.Minute
)

// inputBackoff is the wait before attempt n+1 (n from 1): 0.5 s doubling,
// at most 15 s; about 75 s in all, longer than the outages the fault
// harness injects.
func inputBackoff(n int) time.Duration {
	d := 500 * time.Millisecond << min(n-1, 5)
	return min(d, 15*time.Second)
}

type attemptKey struct{}

// attempt is what a handler's failure tells process: try again later.
type attempt struct {
	last  bool
	retry bool
	after time.Duration // Slack's Retry-After: wait this long, not the backoff
}

func withAttempt(ctx context.Context, a *attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// retryLater reports whether err ends this attempt only (process will run
// the input again), rather than the input. An attempt that ran out of its
// budget (waiting for a database connection, say) is retried too, in a
// budget of its own; a shutdown is noticed between attempts.
func retryLater(ctx context.Context, err error) bool {
	a, ok := ctx.Value(attemptKey{}).(*attempt)
	if !ok || a.last || domain.ErrorCode(err) != domain.EINTERNAL {
		return false
	}
	a.retry = true
	if rl := (*slack.RateLimitedError)(nil); errors.As(err, &rl) {
		a.after = max(a.after, rl.RetryAfter)
	}
	return true
}

// processWithRetries runs an input's work until it does not ask to be
// retried: first in ctx, then each attempt in a budget of its own. It
// reports false when run ended first (shutdown): the input is then not
// marked done, and the hand-over frees it for another replica.
func (b *Bot) processWithRetries(run, ctx context.Context, in *input) bool {
	first, failures := time.Now(), 0
	for n := 1; ; n++ {
		if n > 1 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.WithoutCancel(run), 30*time.Second)
			defer cancel()
		}
		a := &attempt{last: failures >= inputRetries-1 || time.Since(first) >= rateLimitedFor}
		if err := b.processInput(withAttempt(ctx, a), in); err != nil {
			b.log.Error("inbox: unable to process an input; dropping it", "input", in.row.DedupKey, "kind", in.row.Kind, "err", err)
			return true
		}
		if !a.retry {
			return true
		}
		b.metrics.inputs.WithLabelValues(in.row.Kind, "retried").Inc()
		b.log.Warn("inbox: an input's work failed; trying again", "input", in.row.DedupKey, "attempt", n)
		wait := a.after
		if wait == 0 {
			failures++
			wait = inputBackoff(failures)
		}
		t := time.NewTimer(wait)
		select {
		case <-run.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

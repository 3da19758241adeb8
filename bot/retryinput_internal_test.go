package bot

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestFreshThread(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cases := []struct {
		ts   string
		want bool
	}{
		{"1700000000.000100", true},
		{"1699999890.123456", true},
		{"1699999880.000000", false},
		{"garbage", false},
		{"", false},
	}
	for _, c := range cases {
		if got := freshThread(c.ts, now); got != c.want {
			t.Errorf("freshThread(%q) = %v, want %v", c.ts, got, c.want)
		}
	}
}

func TestInputBackoff(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second}
	for i, w := range want {
		if got := inputBackoff(i + 1); got != w {
			t.Errorf("inputBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// A 429 asks for its Retry-After, not the backoff.
func TestRetryLaterWaitsRetryAfter(t *testing.T) {
	a := &attempt{}
	ctx := withAttempt(context.Background(), a)
	err := fmt.Errorf("actor: %w", &slack.RateLimitedError{RetryAfter: 12 * time.Second})
	if !retryLater(ctx, err) || a.after != 12*time.Second {
		t.Errorf("retryLater(429) = %v with after %v, want true and 12s", a.retry, a.after)
	}
	b := &attempt{}
	if !retryLater(withAttempt(context.Background(), b), errors.New("connection refused")) || b.after != 0 {
		t.Errorf("retryLater(other) after %v, want the backoff (0)", b.after)
	}
}

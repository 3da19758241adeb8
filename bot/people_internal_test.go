package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Under a run of 429s a person seen before is still known, someone never
// seen waits for Slack's Retry-After, and no call goes out meanwhile:
// inputs retried in a burst must not keep users.info's bucket empty.
func TestPeopleThroughRateLimit(t *testing.T) {
	var calls, limited atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if limited.Load() == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"user":{"id":"` + r.FormValue("user") + `","name":"ann","team_id":"T1"}}`))
	}))
	defer srv.Close()
	p := newPeople(slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/")), nil)
	ctx := context.Background()
	if _, err := p.user(ctx, "UANN"); err != nil {
		t.Fatal(err)
	}
	// The cached profile is out of date, and Slack answers 429.
	p.users["UANN"] = cachedUser{p.users["UANN"].u, time.Now().Add(-2 * peopleTTL)}
	limited.Store(1)
	if u, err := p.user(ctx, "UANN"); err != nil || u.ID != "UANN" {
		t.Fatalf("a known person during a 429: %v, %v; want the profile seen before", u, err)
	}
	// An input's attempt has a budget shorter than the Retry-After: it is
	// told so at once, to be tried again after it.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var rl *slack.RateLimitedError
	if _, err := p.user(ctx, "UBOB"); !errors.As(err, &rl) || rl.RetryAfter <= 25*time.Second {
		t.Fatalf("someone never seen during the 429: %v; want a RateLimitedError with its Retry-After", err)
	}
	before := calls.Load()
	for range 5 {
		if _, err := p.user(ctx, "UCAROL"); !errors.As(err, &rl) {
			t.Fatalf("during the Retry-After: %v; want a RateLimitedError", err)
		}
	}
	if n := calls.Load() - before; n != 0 {
		t.Errorf("%d users.info calls during the Retry-After, want none", n)
	}
}

// A Retry-After shorter than the attempt's budget is waited out, not
// answered with an error: the input goes through on its first attempt.
func TestPeopleWaitOutShortRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"user":{"id":"` + r.FormValue("user") + `","name":"ann","team_id":"T1"}}`))
	}))
	defer srv.Close()
	p := newPeople(slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/")), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.user(ctx, "UANN"); err == nil {
		t.Fatal("the first call met a 429 and should say so")
	}
	start := time.Now()
	if _, err := p.user(ctx, "UBOB"); err != nil {
		t.Fatalf("after a 1 s Retry-After: %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("users.info called again after %v, inside the Retry-After", d)
	}
}

func TestLimitedPause(t *testing.T) {
	cases := []struct {
		run      int
		min, max time.Duration
	}{
		{0, time.Second, 2 * time.Second},
		{1, 2 * time.Second, 3 * time.Second},
		{3, 8 * time.Second, 9 * time.Second},
		{9, 30 * time.Second, 31 * time.Second},
	}
	for _, c := range cases {
		if got := limitedPause(time.Second, c.run); got < c.min || got >= c.max {
			t.Errorf("limitedPause(1s, %d) = %v, want in [%v, %v)", c.run, got, c.min, c.max)
		}
	}
}

// users.info's limit is the app's: once one replica was told to wait, the
// others wait too, without a call of their own inside the Retry-After.
func TestPeopleShareRetryAfterAcrossReplicas(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"user":{"id":"` + r.FormValue("user") + `","name":"ann","team_id":"T1"}}`))
	}))
	defer srv.Close()
	db := storagetest.Open(t, storage.SQLite) // the replicas' one database
	replica := func() *people {
		p := newPeople(slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/")), nil)
		p.slots = db
		return p
	}
	one, two := replica(), replica()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var rl *slack.RateLimitedError
	if _, err := one.user(ctx, "UANN"); !errors.As(err, &rl) {
		t.Fatalf("the first replica's call: %v; want the 429", err)
	}
	for _, who := range []string{"UBOB", "UCAROL"} {
		if _, err := two.user(ctx, who); !errors.As(err, &rl) || rl.RetryAfter < 25*time.Second {
			t.Fatalf("the other replica during the Retry-After: %v; want a RateLimitedError with what is left of it", err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d users.info calls, want 1: the other replica called inside the Retry-After", n)
	}
}

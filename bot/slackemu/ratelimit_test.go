package slackemu

import (
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// A channel takes its burst of posts, then 429 with Retry-After in whole
// seconds; the window is counted when called into, belongs to its
// channel only, and ends when it said.
func TestRateLimitPostsPerChannel(t *testing.T) {
	s := newEmu(t, Options{})
	s.AddChannel(Channel{ID: "C2", Name: "other"})
	api := newClient(s)
	ctx := ctxT(t)
	perMin, burst, ok := RateLimitOf("chat.postMessage", true)
	if !ok || perMin != 60 {
		t.Fatalf("chat.postMessage per channel = %v/min, %v", perMin, ok)
	}
	post := func(ch string) error {
		_, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("hi", false))
		return err
	}
	for i := 0; i < int(burst); i++ {
		if err := post("C1"); err != nil {
			t.Fatalf("post %d of the burst: %v", i+1, err)
		}
	}
	err := post("C1")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("post beyond the burst: %v, want 429 with Retry-After 1", err)
	}
	if err := post("C2"); err != nil {
		t.Fatalf("another channel is limited too: %v", err)
	}
	if st := s.RateStats(); st.Limited != 1 || st.InWindow != 0 {
		t.Fatalf("stats %+v, want 1 limited, none in window", st)
	}
	if err := post("C1"); !errors.As(err, &rl) {
		t.Fatalf("a call inside the window: %v, want 429", err)
	}
	if st := s.RateStats(); st.InWindow != 1 || st.InWindowByMethod["chat.postMessage"] != 1 {
		t.Fatalf("stats %+v, want the call inside the window counted", st)
	}
	time.Sleep(rl.RetryAfter) // the window is real time: nothing else to wait on
	if err := post("C1"); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
}

// Unthrottled answers everything, for overhead benchmarks.
func TestRateLimitUnthrottled(t *testing.T) {
	s := newEmu(t, Options{Unthrottled: true})
	api := newClient(s)
	ctx := ctxT(t)
	for i := 0; i < 50; i++ {
		if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
			t.Fatalf("unthrottled post %d: %v", i, err)
		}
	}
}

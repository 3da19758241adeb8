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
)

// A 429's Retry-After holds its method for every caller in the process:
// another goroutine's call inside the window gets the 429 without reaching
// Slack; other methods, and chat.postMessage (paced per channel), go on.
func TestRetryAfterHoldsTheMethodForEveryCaller(t *testing.T) {
	var history, info, posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/conversations.history":
			if history.Add(1) == 1 {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
				return
			}
			_, _ = w.Write([]byte(`{"ok":true,"messages":[]}`))
		case "/api/conversations.info":
			info.Add(1)
			_, _ = w.Write([]byte(`{"ok":true,"channel":{"id":"C1"}}`))
		case "/api/chat.postMessage":
			posts.Add(1)
			_, _ = w.Write([]byte(`{"ok":true,"channel":"C1","ts":"1.2"}`))
		}
	}))
	defer srv.Close()
	web := webClient()
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/api/"), slack.OptionHTTPClient(web))
	ctx := context.Background()
	hist := func() error {
		_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
		return err
	}
	var rl *slack.RateLimitedError
	if err := hist(); !errors.As(err, &rl) {
		t.Fatalf("first call: %v, want the 429", err)
	}
	for range 3 {
		go func() { _ = hist() }()
	}
	if err := hist(); !errors.As(err, &rl) || rl.RetryAfter < 29*time.Second {
		t.Fatalf("inside the window: %v, want a 429 with what is left of it", err)
	}
	if _, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C1"}); err != nil {
		t.Fatalf("another method: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("a post: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := history.Load(); n != 1 {
		t.Errorf("%d conversations.history calls reached Slack, want 1: the others were inside its Retry-After", n)
	}
	if info.Load() != 1 || posts.Load() != 1 {
		t.Errorf("other methods held: %d conversations.info, %d posts", info.Load(), posts.Load())
	}
}

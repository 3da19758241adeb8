package slackemu_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
)

// TestWebAPIOutage: during an outage every call gets the outage's answer,
// and afterwards the method's own.
func TestWebAPIOutage(t *testing.T) {
	emu := slackemu.New(slackemu.Options{})
	t.Cleanup(emu.Close)
	call := func() *http.Response {
		t.Helper()
		resp, err := http.PostForm(emu.APIURL()+"auth.test", url.Values{"token": {"xoxb-emu"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	cases := []struct {
		kind       string
		status     int
		retryAfter string
	}{
		{slackemu.OutageServerError, http.StatusInternalServerError, ""},
		{slackemu.OutageRateLimited, http.StatusTooManyRequests, "30"},
	}
	for _, c := range cases {
		emu.WebAPIOutage(c.kind, 30*time.Second)
		resp := call()
		if resp.StatusCode != c.status || resp.Header.Get("Retry-After") != c.retryAfter {
			t.Errorf("%s: %d Retry-After %q, want %d %q", c.kind, resp.StatusCode, resp.Header.Get("Retry-After"), c.status, c.retryAfter)
		}
	}
	emu.WebAPIOutage(slackemu.OutageTimeout, 200*time.Millisecond)
	start := time.Now()
	if resp := call(); resp.StatusCode != http.StatusGatewayTimeout || time.Since(start) < 150*time.Millisecond {
		t.Errorf("timeout outage: %d after %v", resp.StatusCode, time.Since(start))
	}
	if resp := call(); resp.StatusCode != http.StatusOK {
		t.Errorf("after the outage: %d", resp.StatusCode)
	}
	calls := emu.Calls("auth.test")
	if len(calls) != 4 || calls[0].Status != 500 || calls[3].Status != 200 {
		t.Errorf("recorded %d calls", len(calls))
	}
}

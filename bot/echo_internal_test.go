package bot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// chat.postMessage answers reach slack-go without the echoed message but
// with everything else; errors and other methods pass untouched.
func TestEchoTrimmerKeepsWhatSlackGoNeeds(t *testing.T) {
	answers := map[string]func(w http.ResponseWriter){
		"/api/chat.postMessage": func(w http.ResponseWriter) {
			io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700.000100","message":{"type":"message","text":"hi","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]},"warning":"missing_charset"}`)
		},
		"/api/chat.update": func(w http.ResponseWriter) {
			io.WriteString(w, `{"ok":false,"error":"message_not_found"}`)
		},
		"/api/conversations.join": func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"/api/auth.test": func(w http.ResponseWriter) {
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","message":"kept"}`)
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answers[r.URL.Path](w)
	}))
	defer srv.Close()
	web := webClient()
	ctx := context.Background()

	resp, err := web.Post(srv.URL+"/api/chat.postMessage", "application/x-www-form-urlencoded", strings.NewReader("channel=C1"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "blocks") || !strings.Contains(string(body), `"warning":"missing_charset"`) {
		t.Errorf("trimmed answer %s", body)
	}

	api := slack.New("xoxb-test", slack.OptionHTTPClient(web), slack.OptionAPIURL(srv.URL+"/api/"))
	ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	if err != nil || ch != "C1" || ts != "1700.000100" {
		t.Errorf("post: %q %q %v", ch, ts, err)
	}
	_, _, _, err = api.UpdateMessageContext(ctx, "C1", "1700.000100", slack.MsgOptionText("hi", false))
	if slackErr(err) != "message_not_found" {
		t.Errorf("update: %v, want message_not_found", err)
	}
	_, _, _, err = api.JoinConversationContext(ctx, "C1")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Errorf("join: %v, want rate limited for 7s", err)
	}
	resp, err = web.Post(srv.URL+"/api/auth.test", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"message":"kept"`) {
		t.Errorf("another method's answer changed: %s", body)
	}
}

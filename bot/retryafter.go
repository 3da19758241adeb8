package bot

import (
	"io"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// retryAfterGate honours a 429's Retry-After for its Web API method across
// every goroutine of the process: a call to that method inside the window
// is answered 429 here, with what is left of it, and never reaches Slack.
// Each caller already waits out the 429 it met, but the others did not
// know of it: after a fault the outbox's post-once look-ups of several
// channels called conversations.history inside one another's windows.
// chat.postMessage is left to the dispatcher: its limit is per channel,
// and a 429 for one channel says nothing of the others.
type retryAfterGate struct {
	next http.RoundTripper
	now  func() time.Time

	mu    sync.Mutex
	until map[string]time.Time // by method
}

func newRetryAfterGate(next http.RoundTripper) *retryAfterGate {
	return &retryAfterGate{next: next, now: time.Now, until: map[string]time.Time{}}
}

func (g *retryAfterGate) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req)
	if method == "" {
		return g.next.RoundTrip(req)
	}
	g.mu.Lock()
	left := g.until[method].Sub(g.now())
	g.mu.Unlock()
	if left > 0 {
		if req.Body != nil {
			req.Body.Close()
		}
		sec := int(math.Ceil(left.Seconds()))
		return &http.Response{StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests",
			Header:  http.Header{"Retry-After": {strconv.Itoa(sec)}, "Content-Type": {"application/json"}},
			Body:    io.NopCloser(strings.NewReader(`{"ok":false,"error":"ratelimited"}`)),
			Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	resp, err := g.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if sec, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && sec > 0 {
			g.mu.Lock()
			if u := g.now().Add(time.Duration(sec) * time.Second); u.After(g.until[method]) {
				g.until[method] = u
			}
			g.mu.Unlock()
		}
	}
	return resp, err
}

// apiMethod is the Web API method a request calls ("" for other URLs:
// response URLs, file uploads, and chat.postMessage, paced per channel).
func apiMethod(req *http.Request) string {
	dir, m := path.Split(req.URL.Path)
	if !strings.HasSuffix(dir, "/api/") || m == "chat.postMessage" || !strings.Contains(m, ".") {
		return ""
	}
	return m
}

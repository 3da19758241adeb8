package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// verifyDelivery is a receiver's check written from the README
// ("Verifying deliveries") alone: it shares no code with the signer.
func verifyDelivery(secret string, h http.Header, body []byte, now time.Time) bool {
	ts := h.Get("X-Deskbot-Request-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v1:" + ts + ":"))
	mac.Write(body)
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(h.Get("X-Deskbot-Signature")))
}

// got is one request a receiver took (answered 2xx).
type got struct {
	Delivery string
	Header   http.Header
	Raw      []byte
	Body     struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Ticket struct {
			Key      string `json:"key"`
			Status   string `json:"status"`
			Customer struct {
				Key string `json:"key"`
			} `json:"customer"`
		} `json:"ticket"`
		Data map[string]any `json:"data"`
	}
}

// receiver is a webhook endpoint: down (503) until told otherwise; it
// verifies every request it takes and keeps those it answered 2xx.
type receiver struct {
	*httptest.Server
	t       *testing.T
	secret  atomic.Value // string
	down    atomic.Bool
	refused atomic.Int64 // requests answered 503
	mu      sync.Mutex
	took    []got
	bad     []string // requests that failed verification
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.secret.Store("")
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	if r.down.Load() {
		r.refused.Add(1)
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !verifyDelivery(r.secret.Load().(string), req.Header, raw, time.Now()) {
		r.bad = append(r.bad, string(raw))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	g := got{Delivery: req.Header.Get("X-Deskbot-Delivery"), Header: req.Header.Clone(), Raw: raw}
	if err := json.Unmarshal(raw, &g.Body); err != nil {
		r.bad = append(r.bad, string(raw))
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	r.took = append(r.took, g)
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) received() []got {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]got(nil), r.took...)
}

// TestVerifyDelivery: the README's check refuses what it must.
func TestVerifyDelivery(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"whd_1","type":"ticket.created"}`)
	sign := func(secret, ts string, body []byte) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("v1:" + ts + ":" + string(body)))
		return "v1=" + hex.EncodeToString(m.Sum(nil))
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	old := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
	for _, c := range []struct {
		name, ts, sig string
		body          []byte
		ok            bool
	}{
		{"good", ts, sign("whsec_a", ts, body), body, true},
		{"other secret", ts, sign("whsec_b", ts, body), body, false},
		{"body changed", ts, sign("whsec_a", ts, body), []byte(`{"id":"whd_1","type":"ticket.deleted"}`), false},
		{"timestamp changed", strconv.FormatInt(now.Unix()+1, 10), sign("whsec_a", ts, body), body, false},
		{"replayed after the window", old, sign("whsec_a", old, body), body, false},
		{"no timestamp", "", sign("whsec_a", "", body), body, false},
		{"no version prefix", ts, sign("whsec_a", ts, body)[3:], body, false},
	} {
		h := http.Header{}
		h.Set("X-Deskbot-Request-Timestamp", c.ts)
		h.Set("X-Deskbot-Signature", c.sig)
		if got := verifyDelivery("whsec_a", h, c.body, now); got != c.ok {
			t.Errorf("%s: verified %v, want %v", c.name, got, c.ok)
		}
	}
}

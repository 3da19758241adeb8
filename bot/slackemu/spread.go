package slackemu

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Several replicas of an app each hold Socket Mode connections; Slack gives
// each envelope to one of them, and redelivers an event nobody acked with
// retry_attempt set. SpreadConnections turns that on (the default, envelopes
// to the newest connection, keeps single-client tests deterministic).

// pickConnLocked chooses the connection an envelope goes to.
func (s *Server) pickConnLocked() *sconn {
	n := len(s.sock.conns)
	if n == 0 {
		return nil
	}
	if s.spread.Load() {
		return s.sock.conns[rand.N(n)]
	}
	return s.sock.conns[n-1]
}

// SpreadConnections makes every later envelope go to a live connection
// chosen at random, as Slack does between an app's connections.
func (s *Server) SpreadConnections(on bool) { s.spread.Store(on) }

// LiveConnections reports how many Socket Mode connections are open now.
func (s *Server) LiveConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.conns)
}

// EventWithRetries sends an event like Event and, when no connection acks
// it in time (or the one it went to dies), delivers it again as Slack does:
// same event_id, a new envelope, retry_attempt 1, 2, 3 and retry_reason
// "timeout". It returns the ack and how many deliveries were made.
func (s *Server) EventWithRetries(ctx context.Context, event any, retries int, opts ...EnvelopeOption) (*Ack, int, error) {
	var o envOpts
	for _, f := range opts {
		f(&o)
	}
	eventID := o.eventID
	if eventID == "" {
		s.mu.Lock()
		eventID = s.newIDLocked("Ev")
		s.mu.Unlock()
	}
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		ev, cerr := toMap(event)
		if cerr != nil {
			return nil, attempt, cerr
		}
		eo := append([]EnvelopeOption(nil), opts...)
		eo = append(eo, EventID(eventID), SameEnvelopeID(newUUID()))
		if attempt > 0 {
			eo = append(eo, RetryAttempt(attempt), RetryReason("timeout"))
		}
		var ack *Ack
		ack, err = s.Event(ctx, ev, eo...)
		if err == nil {
			return ack, attempt + 1, nil
		}
		if ctx.Err() != nil || errors.Is(err, ErrClosed) {
			return nil, attempt + 1, err
		}
	}
	return nil, retries + 1, err
}

// DropOneConnection resets the TCP connection of one live client chosen at
// random, without a close frame. It reports whether there was one.
func (s *Server) DropOneConnection() bool {
	conns := s.liveConns()
	if len(conns) == 0 {
		return false
	}
	c := conns[rand.N(len(conns))]
	_ = c.ws.NetConn().Close()
	s.closeConn(c)
	return true
}

// Outage kinds for the Web API.
const (
	OutageServerError = "500"     // HTTP 500, like Slack's "fatal_error" pages
	OutageRateLimited = "429"     // HTTP 429 with Retry-After
	OutageTimeout     = "timeout" // the request hangs until the outage ends, then 504
)

type outage struct {
	mu    sync.Mutex
	kind  string
	until time.Time
}

// WebAPIOutage makes every Web API call for d answer as kind says
// (OutageServerError, OutageRateLimited, OutageTimeout). Calls are recorded
// like any other, with the status they got.
func (s *Server) WebAPIOutage(kind string, d time.Duration) {
	s.outage.mu.Lock()
	defer s.outage.mu.Unlock()
	s.outage.kind, s.outage.until = kind, time.Now().Add(d)
}

// outageReply answers a call during an outage; ok is false outside one.
func (s *Server) outageReply(r *http.Request) (status int, header map[string]string, body []byte, ok bool) {
	s.outage.mu.Lock()
	kind, until := s.outage.kind, s.outage.until
	s.outage.mu.Unlock()
	left := time.Until(until)
	if kind == "" || left <= 0 {
		return 0, nil, nil, false
	}
	switch kind {
	case OutageRateLimited:
		return http.StatusTooManyRequests, map[string]string{"Retry-After": strconv.Itoa(retryAfterSeconds(left))},
			encodeErr(errOf("ratelimited")), true
	case OutageTimeout:
		t := time.NewTimer(left)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.done:
		}
		return http.StatusGatewayTimeout, nil, []byte("upstream timed out"), true
	default:
		return http.StatusInternalServerError, nil, []byte("internal server error"), true
	}
}

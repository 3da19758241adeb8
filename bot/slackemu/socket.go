package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ErrNoAck is returned when the client did not acknowledge an envelope
// within Options.AckTimeout; the envelope is then listed by Unacked().
var ErrNoAck = errors.New("slackemu: envelope not acknowledged in time")

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("slackemu: server closed")

// Ack is a Socket Mode acknowledgement received from the client.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried no payload
	Latency    time.Duration   // from writing the envelope to reading the ack
}

// Envelope is a Socket Mode envelope the emulator sent.
type Envelope struct {
	EnvelopeID   string
	Type         string
	Payload      json.RawMessage
	SentAt       time.Time
	RetryAttempt int
	RetryReason  string
}

type socketState struct {
	tickets map[string]bool // one-time tickets from apps.connections.open
	conns   []*sconn        // live connections, newest last
	count   int             // connections ever accepted
	changed chan struct{}   // closed and replaced when conns changes
	pending map[string]*pendingAck
	unacked []Envelope
}

func (st *socketState) init() {
	st.tickets = map[string]bool{}
	st.changed = make(chan struct{})
	st.pending = map[string]*pendingAck{}
}

func (st *socketState) signalLocked() {
	close(st.changed)
	st.changed = make(chan struct{})
}

type pendingAck struct {
	env Envelope
	ch  chan Ack // buffered(1): the reader never blocks on a waiter
}

// sconn is one client WebSocket. gorilla/websocket allows one concurrent
// writer, so data frames go through writeMu (control frames may not need
// it, but WriteControl is documented as safe anyway).
type sconn struct {
	ws        *websocket.Conn
	writeMu   sync.Mutex
	closed    chan struct{}
	closeOnce sync.Once
}

func (c *sconn) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// handleLink is the Socket Mode endpoint (wss://wss-primary.slack.com/link/).
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket) // tickets are single use
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	// Slack's client sends Origin: https://api.slack.com; accept any origin.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &sconn{ws: ws, closed: make(chan struct{})}
	s.mu.Lock()
	n := len(s.sock.conns) + 1
	s.mu.Unlock()
	hello := map[string]any{
		"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "applink-emu", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID},
	}
	if err := c.writeJSON(hello); err != nil {
		_ = ws.Close()
		return
	}
	s.mu.Lock()
	select {
	case <-s.done: // Close raced with the handshake
		s.mu.Unlock()
		_ = ws.Close()
		return
	default:
	}
	s.sock.conns = append(s.sock.conns, c)
	s.sock.count++
	s.sock.signalLocked()
	s.mu.Unlock()

	go s.pinger(c)
	s.readAcks(c)
}

// pinger keeps the client alive: slack-go drops connections that were not
// pinged for its maxPingInterval (30 s by default).
func (s *Server) pinger(c *sconn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)) != nil {
				s.closeConn(c)
				return
			}
		case <-c.closed:
			return
		case <-s.done:
			return
		}
	}
}

// readAcks reads frames until the connection dies; pongs are handled by
// gorilla's default handler.
func (s *Server) readAcks(c *sconn) {
	defer s.closeConn(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue // Slack ignores frames it cannot match
		}
		s.mu.Lock()
		if p := s.sock.pending[a.EnvelopeID]; p != nil {
			delete(s.sock.pending, a.EnvelopeID)
			p.ch <- Ack{EnvelopeID: a.EnvelopeID, Payload: a.Payload, Latency: time.Since(p.env.SentAt)}
		}
		s.mu.Unlock()
	}
}

func (s *Server) closeConn(c *sconn) {
	c.closeOnce.Do(func() {
		close(c.closed)
		_ = c.ws.Close()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.sock.conns {
		if x == c {
			s.sock.conns = append(s.sock.conns[:i:i], s.sock.conns[i+1:]...)
			s.sock.signalLocked()
			return
		}
	}
}

func (s *Server) liveConns() []*sconn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*sconn(nil), s.sock.conns...)
}

func (s *Server) closeSockets() {
	for _, c := range s.liveConns() {
		s.closeConn(c)
	}
}

// Connections reports how many Socket Mode connections were ever accepted
// (a reconnect counts again).
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.count
}

// WaitConnected blocks until a client is connected and has been sent hello.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.waitSock(ctx, func() bool { return len(s.sock.conns) > 0 })
}

// WaitConnections blocks until at least n connections were ever accepted
// and one is live, e.g. n=2 after Disconnect to assert a reconnect.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	return s.waitSock(ctx, func() bool { return s.sock.count >= n && len(s.sock.conns) > 0 })
}

func (s *Server) waitSock(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.sock.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// Disconnect sends {"type":"disconnect","reason":reason} to every client
// and closes the sockets, as Slack does for "refresh_requested" or
// "warning". slack-go then reconnects via apps.connections.open.
func (s *Server) Disconnect(reason string) {
	msg := map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-emu"}}
	for _, c := range s.liveConns() {
		_ = c.writeJSON(msg)
		c.writeMu.Lock()
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.writeMu.Unlock()
		s.closeConn(c)
	}
}

// DropConnection closes every client's TCP connection without a close
// frame, like a network failure.
func (s *Server) DropConnection() {
	for _, c := range s.liveConns() {
		_ = c.ws.NetConn().Close()
		s.closeConn(c)
	}
}

// Unacked lists the envelopes that were not acknowledged in time.
func (s *Server) Unacked() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Envelope(nil), s.sock.unacked...)
}

// send writes an envelope to the newest live connection (waiting for one
// if the client is reconnecting) and waits for its ack.
func (s *Server) send(ctx context.Context, env Envelope, acceptsResponse bool) (*Ack, error) {
	frame := map[string]any{
		"envelope_id": env.EnvelopeID, "type": env.Type, "payload": env.Payload,
		"accepts_response_payload": acceptsResponse,
		"retry_attempt":            env.RetryAttempt, "retry_reason": env.RetryReason,
	}
	var c *sconn
	for c == nil {
		s.mu.Lock()
		c = s.pickConnLocked()
		changed := s.sock.changed
		s.mu.Unlock()
		if c != nil {
			break
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.done:
			return nil, ErrClosed
		}
	}
	p := &pendingAck{ch: make(chan Ack, 1)}
	s.mu.Lock()
	env.SentAt = time.Now()
	p.env = env
	s.sock.pending[env.EnvelopeID] = p
	s.mu.Unlock()
	if err := c.writeJSON(frame); err != nil {
		s.dropPending(env.EnvelopeID)
		return nil, err
	}
	timer := time.NewTimer(s.opts.AckTimeout)
	defer timer.Stop()
	select {
	case a := <-p.ch:
		return &a, nil
	case <-ctx.Done():
		s.dropPending(env.EnvelopeID)
		return nil, ctx.Err()
	case <-timer.C:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, still := s.sock.pending[env.EnvelopeID]; !still {
		a := <-p.ch // the ack won the race against the timer
		return &a, nil
	}
	delete(s.sock.pending, env.EnvelopeID)
	s.sock.unacked = append(s.sock.unacked, env)
	return nil, ErrNoAck
}

func (s *Server) dropPending(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sock.pending, id)
}

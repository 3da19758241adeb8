package slackemu

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Call is one recorded HTTP request to the emulator.
//
// Method is the Web API method ("chat.postMessage"), or "response_url" for a
// POST to a response_url, or "file_upload" for the upload URL of
// files.getUploadURLExternal.
//
// Params holds form values (first value of each key, query string included)
// or, for JSON bodies, the top-level fields: strings as their plain value,
// anything else as JSON text. The token is not repeated in Params.
type Call struct {
	Method   string
	URL      string // the response URL, for "response_url" calls
	Params   map[string]string
	Body     []byte
	Token    string
	At       time.Time
	Status   int
	Response []byte
}

// OK reports whether the call got HTTP 200 with "ok": true.
func (c Call) OK() bool {
	var r struct {
		OK bool `json:"ok"`
	}
	return c.Status == 200 && json.Unmarshal(c.Response, &r) == nil && r.OK
}

// Error is the Slack error code of the response ("" when ok).
func (c Call) Error() string {
	var r struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(c.Response, &r)
	return r.Error
}

// Message is the current state of one message in a conversation.
type Message struct {
	Channel   string
	TS        string
	ThreadTS  string // "" for top-level messages
	User      string // author; for ephemeral messages the user who sees it
	Text      string
	Blocks    json.RawMessage // nil when the message has none
	Edited    bool
	Ephemeral bool
	Deleted   bool
	Broadcast bool     // reply_broadcast: thread reply also shown in channel
	Reactions []string // reaction names added through reactions.add
	Files     []string // file IDs shared with the message
	// Metadata is the message metadata posted with it ({"event_type",
	// "event_payload"}), nil when none: conversations.history and
	// conversations.replies return it with include_all_metadata.
	Metadata json.RawMessage

	editedTS string // when it was last edited, for "edited.ts"
}

// File is a file uploaded with the files.getUploadURLExternal flow.
type File struct {
	ID             string
	Name           string
	Title          string
	Length         int // declared length from files.getUploadURLExternal
	Content        []byte
	Uploaded       bool // bytes arrived at the upload URL
	Completed      bool // files.completeUploadExternal was called
	Channel        string
	ThreadTS       string
	InitialComment string
}

// fault is a queued injected failure for one method.
type fault struct {
	remaining  int
	retryAfter time.Duration // > 0: rate limit (HTTP 429)
	slackError string        // otherwise: {"ok":false,"error":slackError}
}

// RateLimit makes the next `times` calls to method answer HTTP 429 with a
// Retry-After header (whole seconds, rounded up, at least 1) and
// {"ok":false,"error":"ratelimited"}, as Slack does.
func (s *Server) RateLimit(method string, times int, retryAfter time.Duration) {
	if times <= 0 {
		return
	}
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], &fault{remaining: times, retryAfter: retryAfter})
}

// FailNext makes the next `times` calls to method answer HTTP 200 with
// {"ok":false,"error":slackError}. Faults queue up in the order injected.
func (s *Server) FailNext(method, slackError string, times int) {
	if times <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], &fault{remaining: times, slackError: slackError})
}

// takeFaultLocked consumes one injected fault for method, if any.
func (s *Server) takeFaultLocked(method string) *fault {
	q := s.faults[method]
	if len(q) == 0 {
		return nil
	}
	f := *q[0]
	q[0].remaining--
	if q[0].remaining <= 0 {
		s.faults[method] = q[1:]
	}
	return &f
}

// retryAfterSeconds renders d like Slack's Retry-After: whole seconds,
// rounded up, never below 1.
func retryAfterSeconds(d time.Duration) int {
	sec := int(math.Ceil(d.Seconds()))
	if sec < 1 {
		sec = 1
	}
	return sec
}

func (s *Server) recordCall(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	close(s.callsMoved)
	s.callsMoved = make(chan struct{})
}

// Calls returns every recorded call to method, oldest first ("" = all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCall blocks until a call to method ("" = any) for which match returns
// true (nil match = any) has been recorded. Calls recorded before WaitCall
// was called count too, so there is no race with the bot.
func (s *Server) WaitCall(ctx context.Context, method string, match func(Call) bool) (Call, error) {
	seen := 0
	for {
		s.mu.Lock()
		calls := s.calls[seen:]
		seen = len(s.calls)
		moved := s.callsMoved
		s.mu.Unlock()
		for _, c := range calls {
			if (method == "" || c.Method == method) && (match == nil || match(c)) {
				return c, nil
			}
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return Call{}, ctx.Err()
		}
	}
}

// Messages returns the current state of every message in channel, ordered
// by ts, deleted and ephemeral ones included (see the flags).
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.messages[channel]
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.clone())
	}
	return out
}

// Message returns one message by channel and ts.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessageLocked(channel, ts); m != nil {
		return m.clone(), true
	}
	return Message{}, false
}

func (m *Message) clone() Message {
	c := *m
	c.Blocks = append(json.RawMessage(nil), m.Blocks...)
	c.Reactions = cloneStrings(m.Reactions)
	c.Files = cloneStrings(m.Files)
	return c
}

// Files returns every file created through files.getUploadURLExternal, in
// creation order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, id := range s.fileOrder {
		f := *s.files[id]
		f.Content = append([]byte(nil), f.Content...)
		out = append(out, f)
	}
	return out
}

func (s *Server) findMessageLocked(channel, ts string) *Message {
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// addMessageLocked stores m (TS assigned when empty) keeping ts order.
func (s *Server) addMessageLocked(m *Message) *Message {
	if m.TS == "" {
		m.TS = s.nextTSLocked()
	}
	// Kept in ts order. New messages take the next ts, so this is almost
	// always an append; the search keeps a burst of posts from sorting
	// the whole channel under the server's lock each time.
	msgs := s.messages[m.Channel]
	s.messages[m.Channel] = slices.Insert(msgs, after(msgs, m.TS), m)
	return m
}

// after is the index of the first of msgs (in ts order) later than ts.
func after(msgs []*Message, ts string) int {
	return sort.Search(len(msgs), func(i int) bool { return tsLess(ts, msgs[i].TS) })
}

// laterLocked is the channel's messages after m in ts order: where its
// replies are.
func (s *Server) laterLocked(m *Message) []*Message {
	msgs := s.messages[m.Channel]
	return msgs[after(msgs, m.TS):]
}

// tsLess compares Slack timestamps numerically ("9.1" < "10.0"), without
// float rounding: whole seconds by magnitude, then the fraction digits.
func tsLess(a, b string) bool {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	ai, bi = strings.TrimLeft(ai, "0"), strings.TrimLeft(bi, "0")
	if len(ai) != len(bi) {
		return len(ai) < len(bi)
	}
	if ai != bi {
		return ai < bi
	}
	for len(af) < len(bf) {
		af += "0"
	}
	for len(bf) < len(af) {
		bf += "0"
	}
	return af < bf
}

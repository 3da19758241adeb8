// Package slackemu is an in-process Slack emulator for tests and for
// `deskbot demo`.
//
// It serves the real wire protocols on a real loopback TCP port: the Web API
// (form-encoded and JSON bodies, exactly as slack-go sends them) under /api/,
// Socket Mode over a gorilla/websocket connection under /link/, the
// files.getUploadURLExternal upload target under /upload/ and response_url
// targets under /response/. The real bot therefore runs against it unchanged,
// with only slack.OptionAPIURL(emu.APIURL()) set.
//
// The emulator enforces Slack's limits and answers with Slack's error codes,
// because tests rely on it rejecting what Slack rejects. Everything the bot
// does is recorded (Calls, Messages, Views, Files) so tests can assert on it.
//
// Typical test:
//
//	emu := slackemu.New(slackemu.Options{})
//	defer emu.Close()
//	emu.AddUser(slackemu.User{ID: "U1", Name: "alice"})
//	emu.AddChannel(slackemu.Channel{ID: "C1", Name: "helpdesk"})
//	api := slack.New(emu.Options().BotToken, slack.OptionAPIURL(emu.APIURL()),
//		slack.OptionAppLevelToken(emu.Options().AppToken))
//	go runBot(ctx, api) // socketmode.New(api).RunContext(ctx) + handlers
//	_ = emu.WaitConnected(ctx)
//	ack, err := emu.SlashCommand(ctx, slackemu.SlashCommand{Command: "/ticket", Text: "help", UserID: "U1", ChannelID: "C1"})
//	call, err := emu.WaitCall(ctx, "chat.postMessage", nil)
//
// Deliberate simplifications: one workspace, one app; envelopes go to the
// newest connection; no events are generated for the bot's own messages;
// Channel.Members == nil means everyone (bot included) is a member.
package slackemu

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. Zero values get sensible defaults.
type Options struct {
	BotToken  string // default "xoxb-emu"
	AppToken  string // default "xapp-emu"
	TeamID    string // default "T0EMU"
	BotUserID string // default "UBOT"

	// AckTimeout is how long an envelope may stay unacknowledged before it
	// is recorded as unacked (Slack waits 3 s). Default 3s.
	AckTimeout time.Duration
	// TriggerTTL is how long a trigger_id stays usable (Slack: 3 s). Default 3s.
	TriggerTTL time.Duration
	// Scopes are the bot token's granted scopes (scopes.go): a call that
	// needs another one is answered missing_scope. nil grants every scope;
	// ManifestScopes reads them from an app manifest.
	Scopes []string
	// PingInterval is how often the server pings Socket Mode clients;
	// slack-go drops a connection that was not pinged for 30 s. Default 2s.
	PingInterval time.Duration

	// Unthrottled answers every call at once, ignoring Slack's rate limits
	// (ratelimit.go): only for benchmarks that measure the bot's own
	// overhead, a figure Slack itself never lets an app reach. Off, the
	// default, the emulator enforces the documented limits.
	Unthrottled bool
	// RateScale runs the rate limits' clock this many times faster (0 or
	// 1: Slack's real pace), so a test of a long burst takes seconds; a
	// Retry-After stays in real whole seconds. The bot must be given the
	// same scale (bot.Options.RateScale) to mirror the limits.
	RateScale float64
}

// Fixed identifiers of the emulated app; tests rarely need to change them.
const (
	AppID      = "A0EMU"
	BotID      = "B0EMU"
	TeamName   = "Emu Team"
	TeamDomain = "emu"
)

// User is a workspace member as users.info reports it.
type User struct {
	ID                string
	Name              string
	RealName          string
	Email             string // for users.lookupByEmail
	TeamID            string // defaults to the server's team
	IsBot             bool
	IsAdmin           bool
	IsRestricted      bool // multi-channel guest
	IsUltraRestricted bool // single-channel guest
	IsStranger        bool // external Slack Connect user; set TeamID to their team
	Deleted           bool
	TZ                string
}

// Channel is a conversation. Members == nil means "everyone, including the
// bot", which keeps simple tests short; a non-nil Members list is enforced
// like Slack does (not_in_channel / channel_not_found / user_not_in_channel).
type Channel struct {
	ID          string
	Name        string
	IsExtShared bool
	IsPrivate   bool
	IsIM        bool
	IsArchived  bool
	User        string // for IMs: the other party
	Members     []string
}

// UserGroup is a user group (subteam) for usergroups.users.list.
type UserGroup struct {
	ID      string
	Handle  string
	Name    string
	Members []string
}

// Server is a running Slack emulator. All methods are safe for concurrent use.
type Server struct {
	opts      Options
	ln        net.Listener
	http      *http.Server
	base      string // "http://127.0.0.1:port"
	done      chan struct{}
	closeOnce sync.Once

	mu         sync.Mutex
	users      map[string]User
	channels   map[string]*Channel
	groups     map[string]UserGroup
	teams      map[string]Team   // other organisations (Slack Connect), for team.info
	dms        map[string]string // user ID -> DM channel ID
	messages   map[string][]*Message
	lastTS     int64 // microseconds of the last ts handed out
	seq        int
	calls      []Call
	callsMoved chan struct{} // closed and replaced whenever a call is recorded
	faults     map[string][]*fault
	rate       rateState
	triggers   map[string]*trigger
	responses  map[string]*responseURL
	views      map[string]*View
	viewOrder  []string
	homes      map[string]string   // user ID -> home view ID
	stacks     map[string][]string // user ID -> open modal view IDs, root first
	files      map[string]*File
	fileOrder  []string
	sock       socketState
}

// New starts an emulator on 127.0.0.1 with a random free port.
// It panics only if the loopback listener cannot be opened, which leaves a
// test nothing useful to do anyway.
func New(opts Options) *Server {
	opts = withDefaults(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("slackemu: listen: %v", err))
	}
	s := &Server{
		opts:       opts,
		ln:         ln,
		base:       "http://" + ln.Addr().String(),
		done:       make(chan struct{}),
		users:      map[string]User{},
		channels:   map[string]*Channel{},
		groups:     map[string]UserGroup{},
		dms:        map[string]string{},
		messages:   map[string][]*Message{},
		callsMoved: make(chan struct{}),
		faults:     map[string][]*fault{},
		triggers:   map[string]*trigger{},
		responses:  map[string]*responseURL{},
		views:      map[string]*View{},
		homes:      map[string]string{},
		stacks:     map[string][]string{},
		files:      map[string]*File{},
	}
	s.sock.init()
	// The bot user exists like in a real workspace, so users.info on it works.
	s.users[opts.BotUserID] = User{ID: opts.BotUserID, Name: "deskbot", RealName: "deskbot", TeamID: opts.TeamID, IsBot: true}

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/upload/", s.handleUpload)
	mux.HandleFunc("/response/", s.handleResponseURL)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s
}

func withDefaults(o Options) Options {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&o.BotToken, "xoxb-emu")
	def(&o.AppToken, "xapp-emu")
	def(&o.TeamID, "T0EMU")
	def(&o.BotUserID, "UBOT")
	if o.AckTimeout <= 0 {
		o.AckTimeout = 3 * time.Second
	}
	if o.TriggerTTL <= 0 {
		o.TriggerTTL = 3 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 2 * time.Second
	}
	return o
}

// APIURL is the value for slack.OptionAPIURL, e.g. "http://127.0.0.1:4242/api/".
func (s *Server) APIURL() string { return s.base + "/api/" }

// Options returns the effective options (with defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Close stops the HTTP server and closes every Socket Mode connection.
// It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.closeSockets()
		_ = s.http.Close()
	})
}

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.TeamID == "" {
		u.TeamID = s.opts.TeamID
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	s.users[u.ID] = u
}

// AddChannel adds or replaces a conversation.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Members = cloneStrings(c.Members) // nil stays nil: "everyone"
	s.channels[c.ID] = &c
	if c.IsIM && c.User != "" {
		s.dms[c.User] = c.ID
	}
}

// AddUserGroup adds or replaces a user group.
func (s *Server) AddUserGroup(g UserGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g.Members = cloneStrings(g.Members)
	s.groups[g.ID] = g
}

// Channel returns the current state of a conversation (members included).
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		return Channel{}, false
	}
	cp := *c
	cp.Members = cloneStrings(c.Members)
	return cp, true
}

// nextTSLocked hands out a message timestamp: wall-clock microseconds, but
// strictly increasing so two messages never share a ts (Slack guarantees
// uniqueness per channel; we make it global, which is stricter).
func (s *Server) nextTSLocked() string {
	now := time.Now().UnixMicro()
	if now <= s.lastTS {
		now = s.lastTS + 1
	}
	s.lastTS = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

// newIDLocked returns a Slack-looking ID such as "V0EMU0007".
func (s *Server) newIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s0EMU%04d", prefix, s.seq)
}

// randomHex returns n random bytes hex-encoded; used where Slack hands out
// unguessable values (tickets, trigger ids, response_url paths).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random RFC 4122 v4 UUID, the format of Slack's envelope ids.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// isMember reports whether user may see channel c. nil Members means everyone.
func isMember(c *Channel, user string) bool {
	if c.Members == nil {
		return true
	}
	for _, m := range c.Members {
		if m == user {
			return true
		}
	}
	return false
}

// resolveChannelLocked finds a conversation by ID, by name ("#x" or "x"),
// or by user ID (Slack posts to the app's DM with that user).
func (s *Server) resolveChannelLocked(id string) *Channel {
	if c, ok := s.channels[id]; ok {
		return c
	}
	if id == "" {
		return nil
	}
	if u, ok := s.users[id]; ok && !u.IsBot {
		return s.openDMLocked(id)
	}
	name := strings.TrimPrefix(id, "#")
	for _, c := range s.channels {
		if c.Name == name && !c.IsIM {
			return c
		}
	}
	return nil
}

// openDMLocked returns the app's DM with user, creating it with a stable ID
// derived from the user ID so test output is deterministic.
func (s *Server) openDMLocked(user string) *Channel {
	if id, ok := s.dms[user]; ok {
		if c, ok := s.channels[id]; ok {
			return c
		}
	}
	id := "D" + strings.TrimLeft(user, "UW")
	for s.channels[id] != nil {
		id += "X"
	}
	c := &Channel{ID: id, IsIM: true, IsPrivate: true, User: user, Members: []string{s.opts.BotUserID, user}}
	s.channels[id] = c
	s.dms[user] = id
	return c
}

// cloneStrings copies s, keeping nil distinct from empty.
func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append(make([]string, 0, len(s)), s...)
}

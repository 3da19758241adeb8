package slackemu

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds what the emulator reads from one request; Slack rejects
// far smaller payloads, so this only protects the test process.
const maxBody = 32 << 20

// request is a parsed Web API call, whatever its encoding.
type request struct {
	method string
	params map[string]string          // see Call.Params
	fields map[string]json.RawMessage // top-level JSON fields (JSON bodies only)
	token  string
	body   []byte
	// content is the message body checked before the lock (contentOf);
	// the handler reports its error in Slack's order.
	content *checkedContent
}

type checkedContent struct {
	c content
	e *slackErr
}

// reply is the success body; "ok": true is added when written.
type reply map[string]any

// slackErr is an {"ok":false} answer. msgs go to response_metadata.messages
// and errs to the top-level "errors" array, as Slack does for invalid_blocks.
type slackErr struct {
	code string
	msgs []string
	errs []string
	// extra are further top-level fields, like missing_scope's needed and provided.
	extra map[string]any
}

func errOf(code string, msgs ...string) *slackErr { return &slackErr{code: code, msgs: msgs} }

// tokenKind says which token a method accepts.
type tokenKind int

const (
	botToken tokenKind = iota
	appToken
)

type method struct {
	// h runs with s.mu held; it must not block.
	h   func(s *Server, r *request) (reply, *slackErr)
	tok tokenKind
	// content: the method takes a message body, which is checked before
	// the lock is taken, so callers do not queue behind block validation.
	content bool
}

// methods is the table of implemented Web API methods; anything else gets
// unknown_method like on slack.com.
var methods = map[string]method{
	"auth.test":                    {h: (*Server).authTest},
	"apps.connections.open":        {h: (*Server).appsConnectionsOpen, tok: appToken},
	"chat.postMessage":             {h: (*Server).chatPostMessage, content: true},
	"chat.update":                  {h: (*Server).chatUpdate, content: true},
	"chat.delete":                  {h: (*Server).chatDelete},
	"chat.postEphemeral":           {h: (*Server).chatPostEphemeral, content: true},
	"chat.getPermalink":            {h: (*Server).chatGetPermalink},
	"chat.unfurl":                  {h: func(*Server, *request) (reply, *slackErr) { return reply{}, nil }},
	"views.open":                   {h: (*Server).viewsOpen},
	"views.push":                   {h: (*Server).viewsPush},
	"views.update":                 {h: (*Server).viewsUpdate},
	"views.publish":                {h: (*Server).viewsPublish},
	"users.info":                   {h: (*Server).usersInfo},
	"users.lookupByEmail":          {h: (*Server).usersLookupByEmail},
	"conversations.info":           {h: (*Server).conversationsInfo},
	"conversations.open":           {h: (*Server).conversationsOpen},
	"conversations.join":           {h: (*Server).conversationsJoin},
	"conversations.replies":        {h: (*Server).conversationsReplies},
	"conversations.history":        {h: (*Server).conversationsHistory},
	"reactions.add":                {h: (*Server).reactionsAdd},
	"usergroups.users.list":        {h: (*Server).usergroupsUsersList},
	"team.info":                    {h: (*Server).teamInfo},
	"files.getUploadURLExternal":   {h: (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {h: (*Server).filesCompleteUploadExternal},
	"files.info":                   {h: (*Server).filesInfo},
}

func (s *Server) handleAPI(w http.ResponseWriter, hr *http.Request) {
	name := strings.TrimPrefix(hr.URL.Path, "/api/")
	body, _ := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	rq := parseRequest(hr, body)
	rq.method = name

	status, header, resp := s.dispatch(rq)
	// Record before answering so a test that just got its response back
	// always finds the call in Calls().
	s.recordCall(Call{Method: name, Params: rq.params, Body: body, Token: rq.token,
		At: time.Now(), Status: status, Response: resp})
	for k, v := range header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// dispatch answers one call: unknown method, then auth, then injected
// faults, then the method itself.
func (s *Server) dispatch(rq *request) (status int, header map[string]string, body []byte) {
	m, ok := methods[rq.method]
	if !ok {
		return 200, nil, encodeErr(&slackErr{code: "unknown_method"})
	}
	if e := s.checkToken(rq.token, m.tok); e != nil {
		return 200, nil, encodeErr(e)
	}
	if sec, limited := s.rateCheck(rq); limited {
		return http.StatusTooManyRequests, map[string]string{"Retry-After": strconv.Itoa(sec)}, encodeErr(errOf("ratelimited"))
	}
	if m.content {
		c, e := contentOf(rq)
		rq.content = &checkedContent{c, e}
	}
	s.mu.Lock()
	if e := s.checkScopeLocked(rq, m.tok); e != nil {
		s.mu.Unlock()
		return 200, nil, encodeErr(e)
	}
	if f := s.takeFaultLocked(rq.method); f != nil {
		s.mu.Unlock()
		if f.retryAfter > 0 {
			return http.StatusTooManyRequests,
				map[string]string{"Retry-After": strconv.Itoa(retryAfterSeconds(f.retryAfter))},
				encodeErr(errOf("ratelimited"))
		}
		return 200, nil, encodeErr(errOf(f.slackError))
	}
	rep, e := m.h(s, rq)
	s.mu.Unlock()
	// Replies are built fresh under the lock and encoded outside it, so
	// concurrent callers do not queue behind each other's JSON.
	if e != nil {
		return 200, nil, encodeErr(e)
	}
	return 200, s.scopeHeaders(rq.method, m.tok), encodeOK(rep)
}

// checkToken mirrors Slack: no token is not_authed, an unknown one is
// invalid_auth, and a valid token of the wrong kind (app token on a bot
// method or vice versa) is not_allowed_token_type.
func (s *Server) checkToken(tok string, want tokenKind) *slackErr {
	switch {
	case tok == "":
		return errOf("not_authed")
	case want == botToken && tok == s.opts.BotToken, want == appToken && tok == s.opts.AppToken:
		return nil
	case tok == s.opts.BotToken || tok == s.opts.AppToken:
		return errOf("not_allowed_token_type")
	default:
		return errOf("invalid_auth")
	}
}

func encodeOK(r reply) []byte {
	if r == nil {
		r = reply{}
	}
	r["ok"] = true
	b, _ := json.Marshal(r)
	return b
}

func encodeErr(e *slackErr) []byte {
	out := map[string]any{"ok": false, "error": e.code}
	for k, v := range e.extra {
		out[k] = v
	}
	if len(e.errs) > 0 {
		out["errors"] = e.errs
	}
	if len(e.msgs) > 0 {
		out["response_metadata"] = map[string]any{"messages": e.msgs}
	}
	b, _ := json.Marshal(out)
	return b
}

// parseRequest accepts every encoding Slack accepts: query string,
// x-www-form-urlencoded, multipart and JSON. The token comes from the
// Authorization header or a "token" parameter.
func parseRequest(hr *http.Request, body []byte) *request {
	rq := &request{params: map[string]string{}, body: body}
	for k, v := range hr.URL.Query() {
		rq.params[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) == nil {
			rq.fields = fields
			for k, v := range fields {
				rq.params[k] = flatten(v)
			}
		}
	case "multipart/form-data":
		mr, err := (&http.Request{Header: hr.Header, Body: io.NopCloser(bytes.NewReader(body)), Method: "POST"}).MultipartReader()
		if err == nil {
			if form, err := mr.ReadForm(maxBody); err == nil {
				for k, v := range form.Value {
					rq.params[k] = v[0]
				}
				_ = form.RemoveAll()
			}
		}
	default:
		if vals, err := url.ParseQuery(string(body)); err == nil {
			for k, v := range vals {
				rq.params[k] = v[0]
			}
		}
	}
	rq.token = rq.params["token"]
	if a := hr.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		rq.token = strings.TrimPrefix(a, "Bearer ")
	}
	delete(rq.params, "token")
	return rq
}

// flatten renders a JSON value for Call.Params: strings unquoted, the rest
// as JSON text.
func flatten(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// str returns a scalar parameter as a string ("" when absent).
func (r *request) str(k string) string { return r.params[k] }

// has reports whether parameter k was sent at all.
func (r *request) has(k string) bool {
	_, ok := r.params[k]
	return ok
}

// bool parses Slack's boolean spellings ("true", "1").
func (r *request) bool(k string) bool {
	v := r.params[k]
	return v == "true" || v == "1"
}

// raw returns the JSON of a structured parameter such as blocks or view.
// Form bodies carry it as a JSON-encoded string; JSON bodies carry it
// either inline or, also accepted by Slack, as a JSON-encoded string.
func (r *request) raw(k string) (json.RawMessage, bool) {
	if v, ok := r.fields[k]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return json.RawMessage(s), true
		}
		return v, true
	}
	v, ok := r.params[k]
	return json.RawMessage(v), ok
}

// decodeAny decodes JSON into generic values for the validators.
func decodeAny(raw []byte) (any, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	return v, true
}

func (s *Server) authTest(_ *request) (reply, *slackErr) {
	return reply{
		"url": "https://" + TeamDomain + ".slack.com/", "team": TeamName, "user": "deskbot",
		"team_id": s.opts.TeamID, "user_id": s.opts.BotUserID, "bot_id": BotID,
		"is_enterprise_install": false,
	}, nil
}

func (s *Server) teamInfo(r *request) (reply, *slackErr) {
	if id := r.str("team"); id != "" && id != s.opts.TeamID {
		return s.otherTeamInfoLocked(id)
	}
	return reply{"team": map[string]any{
		"id": s.opts.TeamID, "name": TeamName, "domain": TeamDomain,
		"email_domain": "", "icon": map[string]any{"image_default": true},
	}}, nil
}

// appsConnectionsOpen hands out a one-time WebSocket URL, like Slack's
// wss://wss-primary.slack.com/link/?ticket=... but on our loopback port.
func (s *Server) appsConnectionsOpen(_ *request) (reply, *slackErr) {
	ticket := newUUID()
	s.sock.tickets[ticket] = true
	u := "ws" + strings.TrimPrefix(s.base, "http") + "/link/?ticket=" + ticket + "&app_id=" + AppID
	return reply{"url": u}, nil
}

package slackemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// content is a validated message body.
type content struct {
	text      string
	blocks    json.RawMessage // nil: not sent; "[]" is normalised to nil
	hasBlocks bool            // the blocks parameter was sent (chat.update clears on [])
}

// messageContent validates text/blocks/attachments the way chat.postMessage,
// chat.update, chat.postEphemeral and response_url do.
func messageContent(text string, blocksRaw json.RawMessage, hasBlocks, hasAttachments bool) (content, *slackErr) {
	c := content{text: text, hasBlocks: hasBlocks}
	if utf8.RuneCountInString(text) > maxMessageText {
		return c, errOf("msg_too_long")
	}
	if hasBlocks && len(strings.TrimSpace(string(blocksRaw))) > 0 {
		v, ok := decodeAny(blocksRaw)
		if !ok {
			return c, errOf("invalid_blocks_format")
		}
		if l, isList := v.([]any); isList && len(l) == 0 {
			v = nil
		}
		if v != nil {
			if issues := validateBlocks(v, maxMessageBlocks, "/blocks"); len(issues) > 0 {
				e := &slackErr{code: "invalid_blocks", msgs: blockIssueMessages(issues)}
				for _, is := range issues {
					e.errs = append(e.errs, is.String())
				}
				return c, e
			}
			c.blocks = append(json.RawMessage(nil), blocksRaw...)
		}
	}
	if text == "" && c.blocks == nil && !hasAttachments {
		return c, errOf("no_text")
	}
	return c, nil
}

func contentOf(r *request) (content, *slackErr) {
	if r.content != nil {
		return r.content.c, r.content.e
	}
	blocks, hasBlocks := r.raw("blocks")
	return messageContent(r.str("text"), blocks, hasBlocks, r.has("attachments"))
}

// writableChannelLocked resolves a channel the bot wants to post in and
// applies Slack's membership rules.
func (s *Server) writableChannelLocked(id string) (*Channel, *slackErr) {
	c := s.resolveChannelLocked(id)
	if c == nil {
		return nil, errOf("channel_not_found")
	}
	if !isMember(c, s.opts.BotUserID) {
		// Slack hides private conversations the bot is not in.
		if c.IsPrivate || c.IsIM {
			return nil, errOf("channel_not_found")
		}
		return nil, errOf("not_in_channel")
	}
	if c.IsArchived {
		return nil, errOf("is_archived")
	}
	return c, nil
}

func (s *Server) chatPostMessage(r *request) (reply, *slackErr) {
	ch, e := s.writableChannelLocked(r.str("channel"))
	if e != nil {
		return nil, e
	}
	c, e := contentOf(r)
	if e != nil {
		return nil, e
	}
	meta, e := metadataOf(r)
	if e != nil {
		return nil, e
	}
	m := s.addMessageLocked(&Message{Channel: ch.ID, ThreadTS: r.str("thread_ts"), User: s.opts.BotUserID,
		Text: c.text, Blocks: c.blocks, Broadcast: r.bool("reply_broadcast"), Metadata: meta})
	return reply{"channel": ch.ID, "ts": m.TS, "message": s.messageJSONLocked(m)}, nil
}

// metadataOf checks the message metadata a post carries, as Slack does:
// an object with a non-empty event_type and an object event_payload.
func metadataOf(r *request) (json.RawMessage, *slackErr) {
	raw, ok := r.raw("metadata")
	if !ok || len(raw) == 0 {
		return nil, nil
	}
	var m struct {
		EventType    string          `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.EventType == "" {
		return nil, errOf("invalid_metadata_format")
	}
	var payload map[string]any
	if len(m.EventPayload) > 0 && json.Unmarshal(m.EventPayload, &payload) != nil {
		return nil, errOf("invalid_metadata_format")
	}
	out, _ := json.Marshal(map[string]any{"event_type": m.EventType, "event_payload": payload})
	return out, nil
}

func (s *Server) chatPostEphemeral(r *request) (reply, *slackErr) {
	ch, e := s.writableChannelLocked(r.str("channel"))
	if e != nil {
		return nil, e
	}
	user := r.str("user")
	if _, ok := s.users[user]; !ok {
		return nil, errOf("user_not_found")
	}
	if !isMember(ch, user) {
		return nil, errOf("user_not_in_channel")
	}
	c, e := contentOf(r)
	if e != nil {
		return nil, e
	}
	m := s.addMessageLocked(&Message{Channel: ch.ID, ThreadTS: r.str("thread_ts"), User: user,
		Text: c.text, Blocks: c.blocks, Ephemeral: true})
	return reply{"message_ts": m.TS}, nil
}

// botMessageLocked finds a live, non-ephemeral message for update/delete.
func (s *Server) botMessageLocked(r *request, tsKey, notOwned string) (*Message, *slackErr) {
	ch := s.resolveChannelLocked(r.str("channel"))
	if ch == nil {
		return nil, errOf("channel_not_found")
	}
	m := s.findMessageLocked(ch.ID, r.str(tsKey))
	if m == nil || m.Deleted || m.Ephemeral {
		return nil, errOf("message_not_found")
	}
	if m.User != s.opts.BotUserID {
		return nil, errOf(notOwned) // bot tokens may only change their own messages
	}
	return m, nil
}

func (s *Server) chatUpdate(r *request) (reply, *slackErr) {
	m, e := s.botMessageLocked(r, "ts", "cant_update_message")
	if e != nil {
		return nil, e
	}
	c, e := contentOf(r)
	if e != nil {
		return nil, e
	}
	m.Text = c.text
	if c.hasBlocks { // omitted blocks are kept, [] clears them (chat.update docs)
		m.Blocks = c.blocks
	}
	m.Edited, m.editedTS = true, s.nextTSLocked()
	return reply{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.messageJSONLocked(m)}, nil
}

func (s *Server) chatDelete(r *request) (reply, *slackErr) {
	m, e := s.botMessageLocked(r, "ts", "cant_delete_message")
	if e != nil {
		return nil, e
	}
	m.Deleted = true
	return reply{"channel": m.Channel, "ts": m.TS}, nil
}

func (s *Server) chatGetPermalink(r *request) (reply, *slackErr) {
	ch := s.resolveChannelLocked(r.str("channel"))
	if ch == nil {
		return nil, errOf("channel_not_found")
	}
	m := s.findMessageLocked(ch.ID, r.str("message_ts"))
	if m == nil || m.Deleted {
		return nil, errOf("message_not_found")
	}
	link := "https://" + TeamDomain + ".slack.com/archives/" + ch.ID + "/p" + strings.Replace(m.TS, ".", "", 1)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + ch.ID
	}
	return reply{"channel": ch.ID, "permalink": link}, nil
}

func (s *Server) reactionsAdd(r *request) (reply, *slackErr) {
	ch := s.resolveChannelLocked(r.str("channel"))
	if ch == nil {
		return nil, errOf("channel_not_found")
	}
	name := strings.Trim(r.str("name"), ":")
	if name == "" {
		return nil, errOf("invalid_name")
	}
	m := s.findMessageLocked(ch.ID, r.str("timestamp"))
	if m == nil || m.Deleted || m.Ephemeral {
		return nil, errOf("message_not_found")
	}
	for _, x := range m.Reactions {
		if x == name {
			return nil, errOf("already_reacted")
		}
	}
	m.Reactions = append(m.Reactions, name)
	return reply{}, nil
}

// messageJSONLocked renders a message like conversations.history does.
func (s *Server) messageJSONLocked(m *Message) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "team": s.opts.TeamID}
	if m.User == s.opts.BotUserID {
		out["bot_id"], out["app_id"] = BotID, AppID
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Broadcast {
		out["subtype"] = "thread_broadcast"
	}
	if m.Edited {
		out["edited"] = map[string]any{"user": m.User, "ts": m.editedTS}
	}
	var replies int
	var users []string
	latest := ""
	for _, x := range s.laterLocked(m) {
		if x.ThreadTS == m.TS && x.TS != m.TS && !x.Deleted && !x.Ephemeral {
			replies++
			latest = x.TS
			if !containsStr(users, x.User) {
				users = append(users, x.User)
			}
		}
	}
	if replies > 0 {
		out["thread_ts"], out["reply_count"], out["reply_users"], out["latest_reply"] = m.TS, replies, users, latest
	}
	if len(m.Reactions) > 0 {
		var rs []map[string]any
		for _, n := range m.Reactions {
			rs = append(rs, map[string]any{"name": n, "users": []string{s.opts.BotUserID}, "count": 1})
		}
		out["reactions"] = rs
	}
	if len(m.Files) > 0 {
		var fs []map[string]any
		for _, id := range m.Files {
			if f := s.files[id]; f != nil {
				fs = append(fs, s.fileJSONLocked(f))
			}
		}
		out["files"] = fs
	}
	return out
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// responseURL is a response_url handed out in a payload. Slack accepts up
// to five posts within 30 minutes.
type responseURL struct {
	channel, user, messageTS string
	uses                     int
	expires                  time.Time
}

const (
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
)

// newResponseURLLocked registers a response_url for a payload. messageTS is
// the message the interaction came from ("" for slash commands).
func (s *Server) newResponseURLLocked(channel, user, messageTS string) string {
	id := randomHex(12)
	s.responses[id] = &responseURL{channel: channel, user: user, messageTS: messageTS, expires: time.Now().Add(responseURLTTL)}
	return s.base + "/response/" + s.opts.TeamID + "/" + id
}

// handleResponseURL turns a response_url POST into a message: ephemeral by
// default, in_channel on request, or a replacement/deletion of the message
// the interaction came from.
func (s *Server) handleResponseURL(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	parts := strings.Split(strings.TrimPrefix(hr.URL.Path, "/response/"), "/")
	id := parts[len(parts)-1]
	status, resp := s.respond(id, body)
	var params map[string]string
	if rq := parseRequest(&http.Request{Header: http.Header{"Content-Type": {"application/json"}}, URL: hr.URL}, body); rq != nil {
		params = rq.params
	}
	s.recordCall(Call{Method: "response_url", URL: s.base + hr.URL.Path, Params: params, Body: body, At: time.Now(), Status: status, Response: resp})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

func (s *Server) respond(id string, body []byte) (int, []byte) {
	var msg struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
		Attachments     json.RawMessage `json:"attachments"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return 400, encodeErr(errOf("invalid_payload"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ru := s.responses[id]
	if ru == nil || time.Now().After(ru.expires) {
		return 404, encodeErr(errOf("expired_url"))
	}
	if ru.uses >= responseURLUses {
		return 404, encodeErr(errOf("used_url"))
	}
	ru.uses++
	orig := s.findMessageLocked(ru.channel, ru.messageTS)
	if msg.DeleteOriginal {
		if orig != nil {
			orig.Deleted = true
		}
		return 200, encodeOK(nil)
	}
	hasBlocks := len(msg.Blocks) > 0 && string(msg.Blocks) != "null"
	c, e := messageContent(msg.Text, msg.Blocks, hasBlocks, len(msg.Attachments) > 0)
	if e != nil {
		return 200, encodeErr(e)
	}
	if msg.ReplaceOriginal && orig != nil {
		orig.Text, orig.Blocks, orig.Edited, orig.editedTS = c.text, c.blocks, true, s.nextTSLocked()
		return 200, encodeOK(nil)
	}
	m := &Message{Channel: ru.channel, ThreadTS: msg.ThreadTS, User: s.opts.BotUserID, Text: c.text, Blocks: c.blocks}
	if msg.ResponseType != "in_channel" {
		m.User, m.Ephemeral = ru.user, true
	}
	s.addMessageLocked(m)
	return 200, encodeOK(nil)
}

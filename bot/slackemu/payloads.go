package slackemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Payload is a generic interaction or event payload. The constructors
// below return minimal ones; the Server fills in everything Slack would add
// (trigger_id, response_url, team, user names, the full message or view)
// when it sends them, so tests stay short but the bot sees real payloads.
type Payload map[string]any

// SlashCommand describes a user typing a slash command. Command, UserID
// and ChannelID are required; the rest is filled in when empty.
type SlashCommand struct {
	Command   string // e.g. "/ticket"
	Text      string
	UserID    string
	ChannelID string

	UserName, ChannelName, TeamID, TriggerID, ResponseURL string
}

// SlashCommand sends a "slash_commands" envelope and waits for the ack.
// A message in the ack payload ({"text":..., "response_type":...}) is
// shown like Slack shows it: ephemeral to the user unless in_channel.
func (s *Server) SlashCommand(ctx context.Context, cmd SlashCommand, opts ...EnvelopeOption) (*Ack, error) {
	var o envOpts
	for _, f := range opts {
		f(&o)
	}
	if o.envelopeID == "" {
		o.envelopeID = newUUID()
	}
	s.mu.Lock()
	if cmd.TeamID == "" {
		cmd.TeamID = s.opts.TeamID
	}
	if cmd.UserName == "" {
		cmd.UserName = s.users[cmd.UserID].Name
	}
	if c := s.channels[cmd.ChannelID]; cmd.ChannelName == "" && c != nil {
		cmd.ChannelName = c.Name
		if c.IsIM {
			cmd.ChannelName = "directmessage"
		}
	}
	if cmd.TriggerID == "" {
		cmd.TriggerID = s.issueTriggerLocked(cmd.UserID)
	}
	if cmd.ResponseURL == "" {
		cmd.ResponseURL = s.newResponseURLLocked(cmd.ChannelID, cmd.UserID, "")
	}
	s.mu.Unlock()
	// Slack sends every field as a string, is_enterprise_install included.
	p := map[string]string{
		"token": "emu-verification-token", "team_id": cmd.TeamID, "team_domain": TeamDomain,
		"channel_id": cmd.ChannelID, "channel_name": cmd.ChannelName, "user_id": cmd.UserID,
		"user_name": cmd.UserName, "command": cmd.Command, "text": cmd.Text, "api_app_id": AppID,
		"is_enterprise_install": "false", "response_url": cmd.ResponseURL, "trigger_id": cmd.TriggerID,
	}
	raw, _ := json.Marshal(p)
	ack, err := s.send(ctx, Envelope{EnvelopeID: o.envelopeID, Type: "slash_commands", Payload: raw,
		RetryAttempt: o.retryAttempt, RetryReason: o.retryReason}, true)
	if err == nil && len(ack.Payload) > 0 {
		s.showAckMessage(cmd.ChannelID, cmd.UserID, ack.Payload)
	}
	return ack, err
}

// showAckMessage displays a message carried by a slash command ack.
func (s *Server) showAckMessage(channel, user string, payload json.RawMessage) {
	var msg struct {
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
		ResponseType string          `json:"response_type"`
	}
	if json.Unmarshal(payload, &msg) != nil {
		return
	}
	hasBlocks := len(msg.Blocks) > 0 && string(msg.Blocks) != "null"
	c, e := messageContent(msg.Text, msg.Blocks, hasBlocks, false)
	if e != nil {
		return // Slack shows the user an error instead of the message
	}
	m := &Message{Channel: channel, User: user, Text: c.text, Blocks: c.blocks, Ephemeral: true}
	if msg.ResponseType == "in_channel" {
		m.User, m.Ephemeral = s.opts.BotUserID, false
	}
	s.mu.Lock()
	s.addMessageLocked(m)
	s.mu.Unlock()
}

// Interactive sends an "interactive" envelope. payload may be a Payload
// from the constructors, a map, or a slack.InteractionCallback; missing
// trigger_id, response_url, team, user/channel names, message and view are
// filled in. For view_submission the modal stack then follows the ack's
// response_action (clear/update/push/errors, none = close), and
// view_closed closes the modal, as in Slack.
func (s *Server) Interactive(ctx context.Context, payload any) (*Ack, error) {
	p, err := toMap(payload)
	if err != nil {
		return nil, err
	}
	typ, _ := p["type"].(string)
	if typ == "" {
		return nil, errors.New("slackemu: interactive payload needs a type")
	}
	s.mu.Lock()
	s.enrichInteractiveLocked(p, typ)
	viewID := ""
	if v, ok := p["view"].(map[string]any); ok {
		viewID, _ = v["id"].(string)
	}
	if typ == "view_closed" {
		s.closeViewLocked(viewID)
	}
	s.mu.Unlock()
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	accepts := typ == "view_submission" || typ == "block_suggestion"
	ack, err := s.send(ctx, Envelope{EnvelopeID: newUUID(), Type: "interactive", Payload: raw}, accepts)
	if err == nil && typ == "view_submission" {
		s.mu.Lock()
		s.applyViewSubmissionAckLocked(viewID, ack.Payload)
		s.mu.Unlock()
	}
	return ack, err
}

// toMap turns any JSON-marshalable payload into a generic map.
func toMap(v any) (map[string]any, error) {
	if ic, ok := v.(slack.InteractionCallback); ok {
		v = &ic // its MarshalJSON has a pointer receiver
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("slackemu: payload: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // keep numbers (ts-like values) exactly as given
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("slackemu: payload must be a JSON object")
	}
	return m, nil
}

func sub(p map[string]any, k string) map[string]any {
	m, _ := p[k].(map[string]any)
	return m
}

func strOf(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// setDefault sets p[k] when it is missing or zero. "Zero" rather than
// "missing" because a marshalled slack.InteractionCallback carries every
// field, empty ones included.
func setDefault(p map[string]any, k string, v any) {
	if isZero(p[k]) {
		p[k] = v
	}
}

// isZero reports whether a generic JSON value carries no information:
// null, "", false, 0, or an array/object of only zero values.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case float64:
		return x == 0
	case []any:
		for _, e := range x {
			if !isZero(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !isZero(e) {
				return false
			}
		}
		return true
	}
	return false
}

func (s *Server) enrichInteractiveLocked(p map[string]any, typ string) {
	setDefault(p, "api_app_id", AppID)
	setDefault(p, "token", "emu-verification-token")
	setDefault(p, "team", map[string]any{"id": s.opts.TeamID, "domain": TeamDomain})
	setDefault(p, "is_enterprise_install", false)
	if _, ok := p["enterprise"]; !ok {
		p["enterprise"] = nil
	}
	user := sub(p, "user")
	userID := strOf(user, "id")
	if u, ok := s.users[userID]; ok && user != nil {
		setDefault(user, "username", u.Name)
		setDefault(user, "name", u.Name)
		setDefault(user, "team_id", u.TeamID)
	}
	channel := sub(p, "channel")
	channelID := strOf(channel, "id")
	if c := s.channels[channelID]; c != nil && channel != nil {
		setDefault(channel, "name", c.Name)
	}
	if typ != "view_closed" && typ != "block_suggestion" {
		setDefault(p, "trigger_id", s.issueTriggerLocked(userID))
	}
	setDefault(p, "action_ts", s.nextTSLocked())

	msgTS := strOf(sub(p, "container"), "message_ts")
	if msgTS == "" {
		msgTS = strOf(p, "message_ts")
	}
	if m := s.findMessageLocked(channelID, msgTS); m != nil {
		if strOf(sub(p, "message"), "ts") == "" {
			p["message"] = s.messageJSONLocked(m)
		}
		fillActionsFromBlocks(p, m.Blocks)
	}
	if typ == "block_actions" || typ == "message_action" {
		if channelID != "" {
			setDefault(p, "response_url", s.newResponseURLLocked(channelID, userID, msgTS))
		}
	}
	if view := sub(p, "view"); view != nil {
		if v := s.views[strOf(view, "id")]; v != nil {
			var full map[string]any
			_ = json.Unmarshal(v.JSON, &full)
			for k, x := range full {
				setDefault(view, k, x)
			}
			if typ == "block_actions" {
				fillActionsFromBlocks(p, v.Blocks)
			}
		}
	}
}

// fillActionsFromBlocks completes each action's block_id, type and text
// from the element with the same action_id in blocks, as Slack reports them.
func fillActionsFromBlocks(p map[string]any, blocks json.RawMessage) {
	actions, _ := p["actions"].([]any)
	if len(actions) == 0 || len(blocks) == 0 {
		return
	}
	var bl []map[string]any
	_ = json.Unmarshal(blocks, &bl)
	for _, a := range actions {
		am, _ := a.(map[string]any)
		if am == nil {
			continue
		}
		for _, b := range bl {
			var els []any
			if acc, ok := b["accessory"]; ok {
				els = append(els, acc)
			}
			if l, ok := b["elements"].([]any); ok {
				els = append(els, l...)
			}
			if el, ok := b["element"]; ok {
				els = append(els, el)
			}
			for _, e := range els {
				em, _ := e.(map[string]any)
				if em == nil || strOf(em, "action_id") != strOf(am, "action_id") {
					continue
				}
				if id, ok := b["block_id"].(string); ok {
					setDefault(am, "block_id", id)
				}
				setDefault(am, "type", em["type"])
				if em["type"] == "button" {
					setDefault(am, "text", em["text"])
				}
			}
		}
	}
}

// BlockAction is a click on a button (actionID, value) in a message.
func BlockAction(user, channel, messageTS, actionID, value string) Payload {
	return Payload{
		"type":      "block_actions",
		"user":      map[string]any{"id": user},
		"channel":   map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"actions":   []any{map[string]any{"action_id": actionID, "block_id": "", "value": value}},
		"state":     map[string]any{"values": map[string]any{}},
	}
}

// ViewAction is a click on a button in a modal or Home tab (view from
// Views()/HomeView()).
func ViewAction(user string, view View, actionID, value string) Payload {
	return Payload{
		"type":      "block_actions",
		"user":      map[string]any{"id": user},
		"container": map[string]any{"type": "view", "view_id": view.ID},
		"view":      map[string]any{"id": view.ID},
		"actions":   []any{map[string]any{"action_id": actionID, "block_id": "", "value": value}},
	}
}

// ViewSubmission is the user pressing Submit on view (from Views()).
// values maps block_id -> action_id -> element state, e.g.
// {"title": {"title_input": TextInput("Printer on fire")}}.
func ViewSubmission(user string, view View, values map[string]map[string]any) Payload {
	var v map[string]any
	_ = json.Unmarshal(view.JSON, &v)
	if v == nil {
		v = map[string]any{"id": view.ID}
	}
	if values == nil {
		values = map[string]map[string]any{}
	}
	v["state"] = map[string]any{"values": values}
	return Payload{"type": "view_submission", "user": map[string]any{"id": user}, "view": v,
		"response_urls": []any{}}
}

// ViewClosed is the user dismissing a modal opened with notify_on_close.
func ViewClosed(user string, view View) Payload {
	return Payload{"type": "view_closed", "user": map[string]any{"id": user},
		"view": map[string]any{"id": view.ID}, "is_cleared": false}
}

// TextInput is the state of a plain_text_input for ViewSubmission.
func TextInput(value string) map[string]any {
	return map[string]any{"type": "plain_text_input", "value": value}
}

// StaticSelect is the state of a static_select for ViewSubmission.
func StaticSelect(value string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{
		"text": map[string]any{"type": "plain_text", "text": value}, "value": value}}
}

// MessageShortcut is a message action ("…" menu) on the message at
// messageTS in channel.
func MessageShortcut(user, channel, messageTS, callbackID string) Payload {
	return Payload{"type": "message_action", "callback_id": callbackID, "user": map[string]any{"id": user},
		"channel": map[string]any{"id": channel}, "message_ts": messageTS}
}

// GlobalShortcut is a shortcut from the composer or search bar.
func GlobalShortcut(user, callbackID string) Payload {
	return Payload{"type": "shortcut", "callback_id": callbackID, "user": map[string]any{"id": user}}
}

// MessageEvent is a user posting text in channel (threadTS "" = top level).
// Event assigns the ts (unless set) and stores the message, so
// conversations.replies/history see it.
func MessageEvent(channel, user, text, threadTS string) Payload {
	p := Payload{"type": "message", "channel": channel, "user": user, "text": text}
	if threadTS != "" {
		p["thread_ts"] = threadTS
	}
	return p
}

// AppMention is a user mentioning the bot in channel.
func AppMention(channel, user, text, threadTS string) Payload {
	p := MessageEvent(channel, user, text, threadTS)
	p["type"] = "app_mention"
	return p
}

// NextTS returns a fresh, unique message ts (e.g. to pre-set an event's ts).
func (s *Server) NextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextTSLocked()
}

// EnvelopeOption adjusts an events_api envelope.
type EnvelopeOption func(*envOpts)

type envOpts struct {
	retryAttempt int
	retryReason  string
	envelopeID   string
	eventID      string
}

// RetryAttempt sets retry_attempt, as on Slack's redeliveries.
func RetryAttempt(n int) EnvelopeOption { return func(o *envOpts) { o.retryAttempt = n } }

// RetryReason sets retry_reason (e.g. "timeout").
func RetryReason(r string) EnvelopeOption { return func(o *envOpts) { o.retryReason = r } }

// SameEnvelopeID reuses an envelope id (e.g. one from Unacked()).
func SameEnvelopeID(id string) EnvelopeOption { return func(o *envOpts) { o.envelopeID = id } }

// EventID sets event_id, to send the same event twice (deduplication tests).
func EventID(id string) EnvelopeOption { return func(o *envOpts) { o.eventID = id } }

// Event wraps event in an event_callback inside an events_api envelope,
// sends it and waits for the ack. Message and app_mention events get a ts
// if they have none and are stored in their channel.
func (s *Server) Event(ctx context.Context, event any, opts ...EnvelopeOption) (*Ack, error) {
	var o envOpts
	for _, f := range opts {
		f(&o)
	}
	ev, err := toMap(event)
	if err != nil {
		return nil, err
	}
	typ := strOf(ev, "type")
	if typ == "" {
		return nil, errors.New("slackemu: event needs a type")
	}
	s.mu.Lock()
	extShared := s.prepareEventLocked(ev, typ)
	if o.eventID == "" {
		o.eventID = s.newIDLocked("Ev")
	}
	s.mu.Unlock()
	if o.envelopeID == "" {
		o.envelopeID = newUUID()
	}
	cb := map[string]any{
		"token": "emu-verification-token", "team_id": s.opts.TeamID, "api_app_id": AppID,
		"event": ev, "type": "event_callback", "event_id": o.eventID, "event_time": time.Now().Unix(),
		"authorizations": []any{map[string]any{"enterprise_id": nil, "team_id": s.opts.TeamID,
			"user_id": s.opts.BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": extShared,
		"event_context":         "4-" + strings.ToLower(randomHex(12)),
	}
	raw, err := json.Marshal(cb)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, Envelope{EnvelopeID: o.envelopeID, Type: "events_api", Payload: raw,
		RetryAttempt: o.retryAttempt, RetryReason: o.retryReason}, false)
}

// prepareEventLocked fills event_ts/ts/channel_type and records user
// messages. It reports whether the event's channel is externally shared.
func (s *Server) prepareEventLocked(ev map[string]any, typ string) bool {
	chID := strOf(ev, "channel")
	c := s.channels[chID]
	if typ == "message" || typ == "app_mention" {
		setDefault(ev, "ts", s.nextTSLocked())
	}
	if ts := strOf(ev, "ts"); ts != "" {
		setDefault(ev, "event_ts", ts)
	} else {
		setDefault(ev, "event_ts", s.nextTSLocked())
	}
	if c == nil {
		return false
	}
	if typ == "message" {
		switch {
		case c.IsIM:
			setDefault(ev, "channel_type", "im")
		case c.IsPrivate:
			setDefault(ev, "channel_type", "group")
		default:
			setDefault(ev, "channel_type", "channel")
		}
	}
	ts := strOf(ev, "ts")
	if (typ == "message" || typ == "app_mention") && strOf(ev, "subtype") == "" && s.findMessageLocked(c.ID, ts) == nil {
		var blocks json.RawMessage
		if b, ok := ev["blocks"]; ok {
			blocks, _ = json.Marshal(b)
		}
		s.addMessageLocked(&Message{Channel: c.ID, TS: ts, ThreadTS: strOf(ev, "thread_ts"),
			User: strOf(ev, "user"), Text: strOf(ev, "text"), Blocks: blocks})
	}
	return c.IsExtShared
}

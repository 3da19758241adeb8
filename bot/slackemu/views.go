package slackemu

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// View is a modal or Home tab as the bot last set it.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	UserID          string
	Title           string // plain text of the title (modals)
	CallbackID      string
	ExternalID      string
	PrivateMetadata string
	Hash            string
	RootViewID      string
	PreviousViewID  string
	Blocks          json.RawMessage
	JSON            json.RawMessage // the full view object as views.* returned it
	Open            bool            // modals: still on the user's stack
}

// trigger is a trigger_id the emulator put into a payload. Slack lets an
// app exchange it once, within 3 seconds.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

func (s *Server) issueTriggerLocked(user string) string {
	s.seq++
	id := fmt.Sprintf("%d.%d.%s", time.Now().Unix(), s.seq, randomHex(16))
	s.triggers[id] = &trigger{user: user, issued: time.Now()}
	return id
}

// checkTriggerLocked validates without consuming, so a call rejected for
// its view does not burn the trigger.
func (s *Server) checkTriggerLocked(id string) (*trigger, *slackErr) {
	t := s.triggers[id]
	switch {
	case t == nil:
		return nil, errOf("invalid_trigger_id")
	case t.used:
		return nil, errOf("exchanged_trigger_id")
	case time.Since(t.issued) > s.opts.TriggerTTL:
		return nil, errOf("expired_trigger_id")
	}
	return t, nil
}

// Views returns the modals currently open, oldest first.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.viewOrder {
		if v := s.views[id]; v.Type == "modal" && v.Open {
			out = append(out, v.clone())
		}
	}
	return out
}

// HomeView returns the Home tab last published for userID.
func (s *Server) HomeView(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.views[s.homes[userID]]; v != nil {
		return v.clone(), true
	}
	return View{}, false
}

// ViewByID returns any view (open, closed or home) by its ID.
func (s *Server) ViewByID(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.views[id]; v != nil {
		return v.clone(), true
	}
	return View{}, false
}

func (v *View) clone() View {
	c := *v
	c.Blocks = append(json.RawMessage(nil), v.Blocks...)
	c.JSON = append(json.RawMessage(nil), v.JSON...)
	return c
}

// viewArg decodes and validates the "view" argument for the given surface.
func viewArg(r *request, kind string) (map[string]any, *slackErr) {
	raw, ok := r.raw("view")
	if !ok {
		return nil, errOf("invalid_arguments", "[ERROR] missing required field: view")
	}
	if len(raw) > 250*1024 {
		return nil, errOf("view_too_large")
	}
	v, _ := decodeAny(raw)
	def, ok := v.(map[string]any)
	if !ok {
		return nil, errOf("invalid_arguments", "[ERROR] invalid `view`")
	}
	if issues := validateView(def, kind); len(issues) > 0 {
		return nil, &slackErr{code: "invalid_arguments", msgs: blockIssueMessages(issues)}
	}
	return def, nil
}

// validateView enforces the view-level limits of modals and Home tabs.
func validateView(def map[string]any, kind string) []issue {
	c := &checker{blockIDs: map[string]bool{}}
	if typ, _ := def["type"].(string); typ != kind {
		c.fail("/view/type", "must be %s", kind)
	}
	if kind == "modal" {
		c.text(def, "title", "/view", maxViewTitle, true, true)
		for _, k := range []string{"submit", "close"} {
			if _, ok := def[k]; ok && def[k] != nil {
				c.text(def, k, "/view", maxViewTitle, true, true)
			}
		}
	}
	c.str(def, "private_metadata", "/view", maxPrivateMetadata, false)
	c.str(def, "callback_id", "/view", maxID, false)
	c.str(def, "external_id", "/view", maxID, false)
	blocks, ok := def["blocks"]
	if !ok {
		c.fail("/view", "missing required field: blocks")
		return c.issues
	}
	c.issues = append(c.issues, validateBlocks(blocks, maxViewBlocks, "/view/blocks")...)
	if kind == "modal" && def["submit"] == nil && hasInputBlock(blocks) {
		c.fail("/view", "missing required field: submit (required when input blocks are present)")
	}
	return c.issues
}

func hasInputBlock(blocks any) bool {
	l, _ := blocks.([]any)
	for _, b := range l {
		if m, ok := b.(map[string]any); ok && m["type"] == "input" {
			return true
		}
	}
	return false
}

// storeViewLocked creates or replaces view id with def and renders it.
func (s *Server) storeViewLocked(id, user, root, prev string, def map[string]any) *View {
	v := s.views[id]
	if v == nil {
		v = &View{ID: id}
		s.views[id] = v
		s.viewOrder = append(s.viewOrder, id)
	}
	str := func(k string) string { x, _ := def[k].(string); return x }
	v.Type, v.UserID, v.RootViewID, v.PreviousViewID = str("type"), user, root, prev
	v.CallbackID, v.ExternalID, v.PrivateMetadata = str("callback_id"), str("external_id"), str("private_metadata")
	if t, ok := def["title"].(map[string]any); ok {
		v.Title, _ = t["text"].(string)
	}
	v.Hash = fmt.Sprintf("%d.%s", time.Now().Unix(), randomHex(4))
	v.Blocks, _ = json.Marshal(def["blocks"])
	out := map[string]any{}
	for k, x := range def {
		out[k] = x
	}
	for _, k := range []string{"close", "submit", "title"} {
		if _, ok := out[k]; !ok {
			out[k] = nil
		}
	}
	out["id"], out["team_id"], out["app_id"], out["bot_id"] = id, s.opts.TeamID, AppID, BotID
	out["app_installed_team_id"], out["hash"], out["root_view_id"] = s.opts.TeamID, v.Hash, root
	out["state"] = map[string]any{"values": map[string]any{}}
	out["previous_view_id"] = nil
	if prev != "" {
		out["previous_view_id"] = prev
	}
	for _, k := range []string{"private_metadata", "callback_id", "external_id"} {
		out[k] = str(k)
	}
	out["clear_on_close"], out["notify_on_close"] = def["clear_on_close"] == true, def["notify_on_close"] == true
	v.JSON, _ = json.Marshal(out)
	return v
}

// externalIDTakenLocked enforces that external_id is unique per team.
func (s *Server) externalIDTakenLocked(def map[string]any, except string) bool {
	ext, _ := def["external_id"].(string)
	if ext == "" {
		return false
	}
	for id, v := range s.views {
		if id != except && v.ExternalID == ext {
			return true
		}
	}
	return false
}

func (s *Server) openModalLocked(r *request, push bool) (reply, *slackErr) {
	t, e := s.checkTriggerLocked(r.str("trigger_id"))
	if e != nil {
		return nil, e
	}
	def, e := viewArg(r, "modal")
	if e != nil {
		return nil, e
	}
	if s.externalIDTakenLocked(def, "") {
		return nil, errOf("duplicate_external_id")
	}
	stack := s.stacks[t.user]
	if push && len(stack) >= 3 {
		return nil, errOf("push_limit_reached")
	}
	if !push {
		s.closeStackLocked(t.user)
		stack = nil
	}
	t.used = true
	id := s.newIDLocked("V")
	root, prev := id, ""
	if len(stack) > 0 {
		root, prev = stack[0], stack[len(stack)-1]
	}
	v := s.storeViewLocked(id, t.user, root, prev, def)
	v.Open = true
	s.stacks[t.user] = append(stack, id)
	return reply{"view": json.RawMessage(v.JSON)}, nil
}

func (s *Server) viewsOpen(r *request) (reply, *slackErr) { return s.openModalLocked(r, false) }
func (s *Server) viewsPush(r *request) (reply, *slackErr) { return s.openModalLocked(r, true) }

func (s *Server) viewsUpdate(r *request) (reply, *slackErr) {
	var v *View
	if id := r.str("view_id"); id != "" {
		v = s.views[id]
	} else if ext := r.str("external_id"); ext != "" {
		for _, x := range s.views {
			if x.ExternalID == ext {
				v = x
			}
		}
	} else {
		return nil, errOf("invalid_arguments", "[ERROR] either `view_id` or `external_id` is required")
	}
	if v == nil || (v.Type == "modal" && !v.Open) {
		return nil, errOf("not_found")
	}
	if h := r.str("hash"); h != "" && h != v.Hash {
		return nil, errOf("hash_conflict")
	}
	def, e := viewArg(r, v.Type)
	if e != nil {
		return nil, e
	}
	if s.externalIDTakenLocked(def, v.ID) {
		return nil, errOf("duplicate_external_id")
	}
	v = s.storeViewLocked(v.ID, v.UserID, v.RootViewID, v.PreviousViewID, def)
	return reply{"view": json.RawMessage(v.JSON)}, nil
}

func (s *Server) viewsPublish(r *request) (reply, *slackErr) {
	user := r.str("user_id")
	if u, ok := s.users[user]; !ok || u.IsBot {
		return nil, errOf("invalid_arguments", "[ERROR] invalid `user_id`")
	}
	def, e := viewArg(r, "home")
	if e != nil {
		return nil, e
	}
	id := s.homes[user]
	if cur := s.views[id]; cur != nil {
		if h := r.str("hash"); h != "" && h != cur.Hash {
			return nil, errOf("hash_conflict")
		}
	} else {
		id = s.newIDLocked("V")
		s.homes[user] = id
	}
	if s.externalIDTakenLocked(def, id) {
		return nil, errOf("duplicate_external_id")
	}
	v := s.storeViewLocked(id, user, id, "", def)
	return reply{"view": json.RawMessage(v.JSON)}, nil
}

func (s *Server) closeStackLocked(user string) {
	for _, id := range s.stacks[user] {
		s.views[id].Open = false
	}
	delete(s.stacks, user)
}

// closeViewLocked pops viewID and everything pushed on top of it.
func (s *Server) closeViewLocked(viewID string) {
	v := s.views[viewID]
	if v == nil {
		return
	}
	stack := s.stacks[v.UserID]
	for i, id := range stack {
		if id == viewID {
			for _, x := range stack[i:] {
				s.views[x].Open = false
			}
			s.stacks[v.UserID] = stack[:i]
			return
		}
	}
}

// applyViewSubmissionAckLocked makes the modal stack follow the bot's ack,
// as Slack does: clear, update, push, errors (stay) or close (no action).
func (s *Server) applyViewSubmissionAckLocked(viewID string, ack json.RawMessage) {
	v := s.views[viewID]
	if v == nil || !v.Open {
		return
	}
	var resp struct {
		ResponseAction string         `json:"response_action"`
		View           map[string]any `json:"view"`
	}
	_ = json.Unmarshal(ack, &resp)
	switch strings.ToLower(resp.ResponseAction) {
	case "clear":
		s.closeStackLocked(v.UserID)
	case "update":
		if resp.View != nil && len(validateView(resp.View, "modal")) == 0 {
			s.storeViewLocked(v.ID, v.UserID, v.RootViewID, v.PreviousViewID, resp.View)
		}
	case "push":
		if resp.View != nil && len(validateView(resp.View, "modal")) == 0 && len(s.stacks[v.UserID]) < 3 {
			id := s.newIDLocked("V")
			nv := s.storeViewLocked(id, v.UserID, v.RootViewID, v.ID, resp.View)
			nv.Open = true
			s.stacks[v.UserID] = append(s.stacks[v.UserID], id)
		}
	case "errors":
		// The modal stays open showing the errors.
	default:
		s.closeViewLocked(viewID)
	}
}

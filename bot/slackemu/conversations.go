package slackemu

import (
	"sort"
	"strconv"
	"strings"
)

func (s *Server) channelJSONLocked(c *Channel) map[string]any {
	out := map[string]any{
		"id": c.ID, "created": 1700000000, "is_im": c.IsIM, "is_private": c.IsPrivate,
		"is_ext_shared": c.IsExtShared, "is_shared": c.IsExtShared, "is_org_shared": false,
		"is_archived": c.IsArchived, "is_member": isMember(c, s.opts.BotUserID),
		"context_team_id": s.opts.TeamID,
	}
	if c.IsIM {
		out["user"] = c.User
		out["is_open"] = true
	} else {
		out["name"], out["name_normalized"] = c.Name, c.Name
		out["is_channel"] = !c.IsPrivate
		out["is_group"] = c.IsPrivate
		out["is_mpim"] = strings.HasPrefix(c.ID, "G") && c.Name == ""
	}
	if c.Members != nil {
		out["num_members"] = len(c.Members)
	}
	return out
}

// readableChannelLocked applies Slack's visibility rules for reads:
// private conversations the bot is not in do not exist for it.
func (s *Server) readableChannelLocked(id string) (*Channel, *slackErr) {
	c, ok := s.channels[id]
	if !ok || (!isMember(c, s.opts.BotUserID) && (c.IsPrivate || c.IsIM)) {
		return nil, errOf("channel_not_found")
	}
	return c, nil
}

func (s *Server) conversationsInfo(r *request) (reply, *slackErr) {
	c, e := s.readableChannelLocked(r.str("channel"))
	if e != nil {
		return nil, e
	}
	return reply{"channel": s.channelJSONLocked(c)}, nil
}

func (s *Server) conversationsOpen(r *request) (reply, *slackErr) {
	if id := r.str("channel"); id != "" {
		c, e := s.readableChannelLocked(id)
		if e != nil {
			return nil, e
		}
		return reply{"channel": s.channelJSONLocked(c), "already_open": true, "no_op": true}, nil
	}
	var users []string
	for _, u := range strings.Split(r.str("users"), ",") {
		if u = strings.TrimSpace(u); u != "" && u != s.opts.BotUserID {
			if _, ok := s.users[u]; !ok {
				return nil, errOf("user_not_found")
			}
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return nil, errOf("users_list_not_supplied")
	case len(users) > 8:
		return nil, errOf("too_many_users")
	case len(users) == 1:
		_, existed := s.dms[users[0]]
		c := s.openDMLocked(users[0])
		return s.openedLocked(c, r, existed), nil
	}
	// Group DM: stable ID per member set.
	sort.Strings(users)
	key := strings.Join(users, ",")
	if id, ok := s.dms[key]; ok {
		return s.openedLocked(s.channels[id], r, true), nil
	}
	c := &Channel{ID: s.newIDLocked("G"), IsPrivate: true, Members: append([]string{s.opts.BotUserID}, users...)}
	s.channels[c.ID], s.dms[key] = c, c.ID
	return s.openedLocked(c, r, false), nil
}

func (s *Server) openedLocked(c *Channel, r *request, existed bool) reply {
	ch := map[string]any{"id": c.ID}
	if r.bool("return_im") {
		ch = s.channelJSONLocked(c)
	}
	return reply{"channel": ch, "already_open": existed, "no_op": existed}
}

func (s *Server) conversationsJoin(r *request) (reply, *slackErr) {
	c, ok := s.channels[r.str("channel")]
	switch {
	case !ok || (c.IsPrivate && !isMember(c, s.opts.BotUserID)):
		return nil, errOf("channel_not_found")
	case c.IsIM || c.IsPrivate:
		return nil, errOf("method_not_supported_for_channel_type")
	case c.IsArchived:
		return nil, errOf("is_archived")
	}
	rep := reply{"channel": s.channelJSONLocked(c)}
	if isMember(c, s.opts.BotUserID) {
		rep["warning"] = "already_in_channel"
		rep["response_metadata"] = map[string]any{"warnings": []string{"already_in_channel"}}
		return rep, nil
	}
	c.Members = append(c.Members, s.opts.BotUserID)
	rep["channel"] = s.channelJSONLocked(c)
	return rep, nil
}

// historyChannelLocked is the read check for history/replies: a public
// channel the bot is not in answers not_in_channel.
func (s *Server) historyChannelLocked(id string) (*Channel, *slackErr) {
	c, e := s.readableChannelLocked(id)
	if e != nil {
		return nil, e
	}
	if !isMember(c, s.opts.BotUserID) {
		return nil, errOf("not_in_channel")
	}
	return c, nil
}

func (s *Server) conversationsReplies(r *request) (reply, *slackErr) {
	c, e := s.historyChannelLocked(r.str("channel"))
	if e != nil {
		return nil, e
	}
	ts := r.str("ts")
	parent := s.findMessageLocked(c.ID, ts)
	if parent == nil || parent.Deleted || parent.Ephemeral {
		return nil, errOf("thread_not_found")
	}
	root := ts
	if parent.ThreadTS != "" { // asking with a reply's ts returns its thread
		root = parent.ThreadTS
	}
	var msgs []*Message
	for _, m := range s.messages[c.ID] {
		if !m.Deleted && !m.Ephemeral && (m.TS == root || m.ThreadTS == root) {
			msgs = append(msgs, m)
		}
	}
	return s.pageLocked(r, msgs, 1000), nil
}

func (s *Server) conversationsHistory(r *request) (reply, *slackErr) {
	c, e := s.historyChannelLocked(r.str("channel"))
	if e != nil {
		return nil, e
	}
	all := s.messages[c.ID]
	var msgs []*Message
	for i := len(all) - 1; i >= 0; i-- { // newest first
		m := all[i]
		if m.Deleted || m.Ephemeral || (m.ThreadTS != "" && m.ThreadTS != m.TS && !m.Broadcast) {
			continue
		}
		msgs = append(msgs, m)
	}
	return s.pageLocked(r, msgs, 100), nil
}

// pageLocked applies oldest/latest/inclusive/limit/cursor. The cursor is
// an opaque offset, which is all Slack promises about cursors.
func (s *Server) pageLocked(r *request, msgs []*Message, defLimit int) reply {
	oldest, latest, incl := r.str("oldest"), r.str("latest"), r.bool("inclusive")
	var in []*Message
	for _, m := range msgs {
		if oldest != "" && (tsLess(m.TS, oldest) || (!incl && m.TS == oldest)) {
			continue
		}
		if latest != "" && (tsLess(latest, m.TS) || (!incl && m.TS == latest)) {
			continue
		}
		in = append(in, m)
	}
	limit, err := strconv.Atoi(r.str("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = defLimit
	}
	off := 0
	if cur := strings.TrimPrefix(r.str("cursor"), "off:"); cur != "" {
		if n, err := strconv.Atoi(cur); err == nil && n >= 0 && n <= len(in) {
			off = n
		}
	}
	end := min(off+limit, len(in))
	out := make([]map[string]any, 0, end-off)
	meta := r.bool("include_all_metadata")
	for _, m := range in[off:end] {
		j := s.messageJSONLocked(m)
		if meta && m.Metadata != nil {
			j["metadata"] = m.Metadata
		}
		out = append(out, j)
	}
	next := ""
	if end < len(in) {
		next = "off:" + strconv.Itoa(end)
	}
	return reply{"messages": out, "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}}
}

func (s *Server) userJSONLocked(u User) map[string]any {
	display := u.Name
	return map[string]any{
		"id": u.ID, "team_id": u.TeamID, "name": u.Name, "real_name": u.RealName, "deleted": u.Deleted,
		"is_bot": u.IsBot, "is_admin": u.IsAdmin, "is_owner": false, "is_primary_owner": false,
		"is_restricted": u.IsRestricted, "is_ultra_restricted": u.IsUltraRestricted,
		"is_stranger": u.IsStranger, "is_app_user": false, "tz": u.TZ,
		"profile": map[string]any{"real_name": u.RealName, "display_name": display, "email": u.Email, "team": u.TeamID},
	}
}

func (s *Server) usersInfo(r *request) (reply, *slackErr) {
	if list := r.str("users"); list != "" && !r.has("user") {
		var out []map[string]any
		for _, id := range strings.Split(list, ",") {
			u, ok := s.users[strings.TrimSpace(id)]
			if !ok {
				return nil, errOf("user_not_found")
			}
			out = append(out, s.userJSONLocked(u))
		}
		return reply{"users": out}, nil
	}
	u, ok := s.users[r.str("user")]
	if !ok {
		return nil, errOf("user_not_found")
	}
	return reply{"user": s.userJSONLocked(u)}, nil
}

func (s *Server) usersLookupByEmail(r *request) (reply, *slackErr) {
	email := strings.ToLower(r.str("email"))
	for _, u := range s.users {
		if email != "" && strings.ToLower(u.Email) == email && !u.Deleted {
			return reply{"user": s.userJSONLocked(u)}, nil
		}
	}
	return nil, errOf("users_not_found")
}

func (s *Server) usergroupsUsersList(r *request) (reply, *slackErr) {
	g, ok := s.groups[r.str("usergroup")]
	if !ok {
		return nil, errOf("no_such_subteam")
	}
	members := cloneStrings(g.Members)
	if members == nil {
		members = []string{}
	}
	return reply{"users": members}, nil
}

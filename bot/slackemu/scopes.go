package slackemu

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Scopes: when Options.Scopes is set, the bot token holds exactly those
// scopes and a Web API call whose scope is missing is answered like Slack
// does, {"ok":false,"error":"missing_scope","needed":…,"provided":…}. The
// end-to-end tests grant the scopes of the repository's manifest.yaml, so
// a call the manifest does not cover fails a test instead of a real
// install. auth.test reports the granted scopes in the X-OAuth-Scopes
// header, as Slack does, which is what `deskbot doctor` reads.

// methodScopes is the bot-token scope each emulated method needs, from
// the "Required scopes" of each method's reference page
// (https://docs.slack.dev/reference/methods/<method>). A method absent or
// with no scope needs none: auth.test, chat.getPermalink and the views.*
// methods need only a valid token. Conversation methods whose scope
// depends on the kind of conversation are in conversationScopes.
var methodScopes = map[string]string{
	"chat.postMessage":             "chat:write",
	"chat.update":                  "chat:write",
	"chat.delete":                  "chat:write",
	"chat.postEphemeral":           "chat:write",
	"chat.unfurl":                  "links:write",
	"users.info":                   "users:read",
	"users.lookupByEmail":          "users:read.email",
	"conversations.join":           "channels:join",
	"reactions.add":                "reactions:write",
	"usergroups.users.list":        "usergroups:read",
	"team.info":                    "team:read",
	"files.getUploadURLExternal":   "files:write",
	"files.completeUploadExternal": "files:write",
	"files.info":                   "files:read",
}

// conversationScopes: methods that read or open a conversation need the
// scope of its kind — public channel, private channel, DM or group DM —
// as their reference pages list them.
var conversationScopes = map[string][4]string{
	//                       public             private           im             mpim
	"conversations.history": {"channels:history", "groups:history", "im:history", "mpim:history"},
	"conversations.replies": {"channels:history", "groups:history", "im:history", "mpim:history"},
	"conversations.info":    {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.open":    {"channels:manage", "groups:write", "im:write", "mpim:write"},
}

// neededScopeLocked is the scope a bot-token call needs, "" for none.
func (s *Server) neededScopeLocked(rq *request) string {
	if sc, ok := methodScopes[rq.method]; ok {
		return sc
	}
	kinds, ok := conversationScopes[rq.method]
	if !ok {
		return ""
	}
	if rq.method == "conversations.open" && rq.str("channel") == "" {
		// Opening by users: one other person is a DM, more a group DM.
		if strings.Count(strings.Trim(rq.str("users"), ", "), ",") > 0 {
			return kinds[3]
		}
		return kinds[2]
	}
	c, ok := s.channels[rq.str("channel")]
	switch {
	case !ok:
		// Slack checks the scope of the kind the ID names: D… is a DM,
		// G… (old private channels) private, anything else public.
		switch id := rq.str("channel"); {
		case strings.HasPrefix(id, "D"):
			return kinds[2]
		case strings.HasPrefix(id, "G"):
			return kinds[1]
		}
		return kinds[0]
	case c.IsIM:
		return kinds[2]
	case c.IsPrivate:
		return kinds[1]
	}
	return kinds[0]
}

// checkScopeLocked answers missing_scope when the bot token lacks the scope.
func (s *Server) checkScopeLocked(rq *request, tok tokenKind) *slackErr {
	if s.opts.Scopes == nil || tok != botToken {
		return nil
	}
	need := s.neededScopeLocked(rq)
	if need == "" || slices.Contains(s.opts.Scopes, need) {
		return nil
	}
	return &slackErr{code: "missing_scope", extra: map[string]any{
		"needed": need, "provided": strings.Join(s.opts.Scopes, ","),
	}}
}

// scopeHeaders are the headers Slack adds to every Web API answer to a
// bot token: what the token holds, and what the method accepts.
func (s *Server) scopeHeaders(method string, tok tokenKind) map[string]string {
	if s.opts.Scopes == nil || tok != botToken {
		return nil
	}
	h := map[string]string{"X-OAuth-Scopes": strings.Join(s.opts.Scopes, ",")}
	if sc, ok := methodScopes[method]; ok {
		h["X-Accepted-OAuth-Scopes"] = sc
	}
	return h
}

// ManifestScopes reads the bot scopes of a Slack app manifest (YAML), the
// scopes an install of that app grants its bot token.
func ManifestScopes(manifest []byte) ([]string, error) {
	var m struct {
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("slackemu: manifest: %w", err)
	}
	if len(m.OAuth.Scopes.Bot) == 0 {
		return nil, fmt.Errorf("slackemu: manifest has no oauth_config.scopes.bot")
	}
	out := slices.Clone(m.OAuth.Scopes.Bot)
	sort.Strings(out)
	return out, nil
}

// ReadManifestScopes is ManifestScopes of a manifest file.
func ReadManifestScopes(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("slackemu: %w", err)
	}
	return ManifestScopes(data)
}

package bot

import (
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// Slack writes people and channels in message text as <@U123|name> and
// <#C123|name>. Those are read here, once: the use cases take plain IDs.

// userMention reads <@U123> or <@U123|name> as U123.
func userMention(w string) (string, bool) {
	id, _, ok := mention(w, "<@")
	if !ok || !domain.IsUserID(id) {
		return "", false
	}
	return id, true
}

// channelMention reads <#C123> or <#C123|name> as C123 and its name.
func channelMention(w string) (id, name string, ok bool) {
	id, name, ok = mention(w, "<#")
	if !ok || !domain.IsChannelID(id) {
		return "", "", false
	}
	return id, name, true
}

func mention(w, prefix string) (id, name string, ok bool) {
	inner, ok := strings.CutPrefix(w, prefix)
	if !ok {
		return "", "", false
	}
	inner, ok = strings.CutSuffix(inner, ">")
	if !ok || strings.ContainsAny(inner, "<>") {
		return "", "", false
	}
	id, name, _ = strings.Cut(inner, "|")
	return id, name, true
}

// plainID turns a user or channel mention into its ID; other words stay.
func plainID(w string) string {
	if id, ok := userMention(w); ok {
		return id
	}
	if id, _, ok := channelMention(w); ok {
		return id
	}
	return w
}

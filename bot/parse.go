package bot

import (
	"regexp"
	"strings"
)

// quickTicket is what `/ticket Title words !high #acme @assignee type:bug`
// asks for.
type quickTicket struct {
	Title       string
	Priority    string
	CustomerKey string
	ChannelRef  string // a #channel link, when the customer was named by channel
	AssigneeID  string
	Type        string
	Version     string
}

var (
	// Only words that can be a priority or a customer key are options:
	// "Server down !!!" and "Fix #123" keep them in the title.
	priorityWordRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	customerWordRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{1,9}$`)
)

// parseQuickTicket reads the short grammar. Tokens it recognises anywhere
// in the text are taken out; the rest, in order, is the title.
func parseQuickTicket(text string) quickTicket {
	var q quickTicket
	var title []string
	for _, w := range strings.Fields(text) {
		lw := strings.ToLower(w)
		channel, channelName, isChannel := channelMention(w)
		user, isUser := userMention(w)
		switch {
		case len(w) > 1 && w[0] == '!' && priorityWordRE.MatchString(w[1:]):
			q.Priority = strings.ToLower(w[1:])
		case len(w) > 1 && w[0] == '#' && customerWordRE.MatchString(w[1:]):
			q.CustomerKey = strings.ToUpper(w[1:])
		case isChannel:
			q.ChannelRef, q.CustomerKey = channel, strings.ToUpper(channelName)
		case isUser:
			q.AssigneeID = user
		case strings.HasPrefix(lw, "type:") && len(w) > 5:
			q.Type = strings.ToLower(w[5:])
		case strings.HasPrefix(lw, "version:") && len(w) > 8:
			q.Version = w[8:]
		case strings.HasPrefix(lw, "v:") && len(w) > 2:
			q.Version = w[2:]
		default:
			title = append(title, w)
		}
	}
	q.Title = strings.Join(title, " ")
	return q
}

// splitMessageRef reads "C123/1700000000.000100", how tickets keep the
// Slack message they came from.
func splitMessageRef(ref string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(ref, "/")
	return channel, ts, ok && channel != "" && ts != ""
}

func messageRef(channel, ts string) string { return channel + "/" + ts }

// firstWord splits "list mine open" into "list" and "mine open".
func firstWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	w, rest, _ := strings.Cut(s, " ")
	return strings.ToLower(w), strings.TrimSpace(rest)
}

package bot

import (
	"context"
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

// plainQuery rewrites Slack's markup in a ticket query into what the query
// language reads: a person mentioned anywhere (assignee:<@U123|jo>)
// becomes U123, a customer's channel (<#C123|acme>) customer:ACME.
func (b *Bot) plainQuery(ctx context.Context, text string) (string, error) {
	words := strings.Split(text, " ")
	for i, w := range words {
		if id, _, ok := channelMention(w); ok {
			p, err := b.svc.CustomerByChannel(ctx, id)
			if err != nil {
				return "", err
			}
			if p == nil {
				return "", domain.FieldErrorf("query", "%s is not a customer's channel.", w)
			}
			words[i] = "customer:" + p.Key
			continue
		}
		words[i] = plainUsers(w)
	}
	return strings.Join(words, " "), nil
}

// plainUsers replaces each user mention inside w (a term may hold several:
// assignee:<@U1>,<@U2>) with its ID.
func plainUsers(w string) string {
	var out strings.Builder
	for {
		i := strings.Index(w, "<@")
		if i < 0 {
			break
		}
		j := strings.IndexByte(w[i:], '>')
		if j < 0 {
			break
		}
		out.WriteString(w[:i])
		m := w[i : i+j+1]
		if id, ok := userMention(m); ok {
			out.WriteString(id)
		} else {
			out.WriteString(m)
		}
		w = w[i+j+1:]
	}
	out.WriteString(w)
	return out.String()
}

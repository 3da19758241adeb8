package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const ticketVerbHelp = "Say what to change on the ticket, like `/ticket ACME-7 due fri 17:00` (add `public` to show it to the customer, `none` clears it), `/ticket ACME-7 severity sev1`, " +
	"`/ticket ACME-7 tag +billing -urgent`, `/ticket ACME-7 follow` (or `unfollow`), `/ticket ACME-7 cc add ana@acme.com` (or `cc remove`)."

// ticketVerb changes one thing of a ticket from the command line:
// `/ticket KEY due WHEN [public]`, `/ticket KEY severity LEVEL`.
func (b *Bot) ticketVerb(ctx context.Context, a domain.Actor, responseURL, userID, key, rest string) {
	verb, args := firstWord(rest)
	switch strings.ToLower(verb) {
	case "due":
		words := strings.Fields(args)
		public := len(words) > 0 && (strings.EqualFold(words[len(words)-1], "public") || strings.EqualFold(words[len(words)-1], "customer"))
		if public {
			words = words[:len(words)-1]
		}
		at, err := b.svc.ParseDue(ctx, strings.Join(words, " "), b.userLoc(ctx, userID))
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		t, err := b.svc.SetDue(ctx, a, key, at, public)
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		switch {
		case at.IsZero():
			b.reply(ctx, responseURL, fmt.Sprintf("*%s* has no due date now.", t.Key()))
		case public:
			b.reply(ctx, responseURL, fmt.Sprintf("*%s* is due %s; the customer sees it.", t.Key(), slackDate(at, "{date_short_pretty} {time}")))
		default:
			b.reply(ctx, responseURL, fmt.Sprintf("*%s* is due %s (for agents only; add `public` to show the customer).", t.Key(), slackDate(at, "{date_short_pretty} {time}")))
		}
	case "severity", "sev":
		b.setSeverity(ctx, a, responseURL, key, strings.TrimSpace(args))
	case "tag", "tags", "follow", "unfollow", "cc":
		b.ticketVerbMore(ctx, a, responseURL, key, strings.ToLower(verb), args) // ticketverbs_watch.go
	default:
		b.reply(ctx, responseURL, ticketVerbHelp)
	}
}

func (b *Bot) setSeverity(ctx context.Context, a domain.Actor, responseURL, key, severity string) {
	t, err := b.svc.SetSeverity(ctx, a, key, severity)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if t.Severity == "" {
		b.reply(ctx, responseURL, fmt.Sprintf("*%s* has no severity now.", t.Key()))
		return
	}
	b.reply(ctx, responseURL, fmt.Sprintf("*%s* is now severity %s.", t.Key(), esc(t.Severity)))
}

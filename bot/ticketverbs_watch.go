package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// ticketVerbMore: `/ticket KEY tag +a -b`, `follow`, `unfollow`, `cc add|remove ADDRESSES`.
func (b *Bot) ticketVerbMore(ctx context.Context, a domain.Actor, responseURL, key, verb, args string) {
	switch verb {
	case "tag", "tags":
		c, err := domain.ParseTagArgs(args)
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		t, tags, err := b.svc.TagTicket(ctx, a, key, c)
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		b.reply(ctx, responseURL, fmt.Sprintf(":label: *%s* tags: %s.", t.Key(), tagList(tags)))
	case "follow", "unfollow":
		b.follow(ctx, a, responseURL, key, verb == "follow")
	case "cc":
		sub, rest := firstWord(args)
		add := sub == "add" || sub == "+"
		if !add && sub != "remove" && sub != "rm" && sub != "-" {
			b.reply(ctx, responseURL, "`/ticket "+key+" cc add ana@acme.com` copies someone on the replies by mail; `cc remove` takes them off.")
			return
		}
		t, cc, err := b.svc.SetCc(ctx, a, key, add, strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' }))
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		list := "nobody"
		if len(cc) > 0 {
			list = esc(strings.Join(cc, ", "))
		}
		b.reply(ctx, responseURL, fmt.Sprintf(":email: *%s* CC: %s.", t.Key(), list))
	}
}

func tagList(tags []string) string {
	if len(tags) == 0 {
		return "none"
	}
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = "`" + esc(t) + "`"
	}
	return strings.Join(out, " ")
}

package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const tagHelp = "`/desk tag rename OLD NEW` (admins) renames a tag on every ticket; tickets that already have NEW just lose OLD. `/desk tags` lists the tags in use."

// tagCommand: `/desk tags`, `/desk tag rename OLD NEW`.
func (b *Bot) tagCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	words := strings.Fields(text)
	switch {
	case len(words) == 0 || words[0] == "list":
		tags, err := b.svc.AllTags(ctx, a)
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		if len(tags) == 0 {
			b.reply(ctx, responseURL, "No ticket has a tag yet: `/ticket ACME-7 tag +billing` adds one.")
			return
		}
		parts := make([]string, len(tags))
		for i, t := range tags {
			parts[i] = fmt.Sprintf("`%s` %d", esc(t.Tag), t.Tickets)
		}
		b.reply(ctx, responseURL, cut("*Tags* (tickets)\n"+strings.Join(parts, " · "), 3000))
	case words[0] == "rename" && len(words) == 3:
		r, err := b.svc.RenameTag(ctx, a, words[1], words[2])
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		tickets := "tickets"
		if r.Tickets == 1 {
			tickets = "ticket"
		}
		msg := fmt.Sprintf(":label: Renamed `%s` to `%s` on %d %s.", esc(domain.NormalizeTag(words[1])), esc(domain.NormalizeTag(words[2])), r.Tickets, tickets)
		if r.Merged > 0 {
			msg += fmt.Sprintf(" %d already had `%s`.", r.Merged, esc(domain.NormalizeTag(words[2])))
		}
		b.reply(ctx, responseURL, msg)
	default:
		b.reply(ctx, responseURL, tagHelp)
	}
}

package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

const ticketHelp = "*`/ticket`* — tickets\n" +
	"• `/ticket` opens the form to create a ticket.\n" +
	"• `/ticket Title words !high #acme @person type:bug v:4.2.1` creates one at once: `!priority`, `#customer` (key or the customer's channel), `@assignee`, `type:`, `v:` version — all optional, anywhere in the text.\n" +
	"• `/ticket ACME-42` shows a ticket with its buttons.\n" +
	"• `/ticket list <query>` lists tickets (open ones by default): `mine`, `unassigned`, `#acme`, `!high`, or the query language — `status:open priority:high,urgent customer:acme assignee:me|none type:bug version:4.2.* sla:at-risk due:<2d created:>2026-11-01 blocked:yes text:\"login fails\" sort:due group:assignee as:list|cards|tree|calendar|timeline`.\n" +
	"• React with :%s: to a message to turn it into a ticket, or use the message shortcut *Create ticket*.\n" +
	"• Reply in a ticket's thread to comment on it."

// onSlash runs a slash command. envelope is the Socket Mode envelope id:
// Slack resends an envelope it saw no ack for, with the same id, and the
// resend must not create a second ticket.
func (b *Bot) onSlash(ctx context.Context, cmd slack.SlashCommand, envelope string) {
	a, err := b.ppl.actor(ctx, cmd.UserID, cmd.ChannelID)
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	switch cmd.Command {
	case "/ticket":
		b.ticketCommand(ctx, a, cmd, envelope)
	case "/time":
		b.timeCommand(ctx, a, cmd, envelope)
	case "/desk":
		b.deskCommand(ctx, a, cmd)
	default:
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("deskbot does not know %s.", esc(cmd.Command)))
	}
	b.kickOutbox()
}

func (b *Bot) ticketCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, envelope string) {
	text := strings.TrimSpace(cmd.Text)
	word, rest := firstWord(text)
	switch {
	case text == "":
		b.openCreateModal(ctx, a, cmd.TriggerID, createPrefill{Channel: cmd.ChannelID, Source: domain.SourceModal})
	case word == "help":
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(ticketHelp, b.svc.Config().Slack.TicketEmoji))
	case word == "list":
		b.showQuery(ctx, a, cmd.ResponseURL, cmd.ChannelID, rest, 0, false)
	case domain.IsKey(text):
		b.showTicket(ctx, a, cmd.ResponseURL, text)
	default:
		b.quickCreate(ctx, a, cmd, envelope)
	}
}

func (b *Bot) quickCreate(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, envelope string) {
	q := parseQuickTicket(cmd.Text)
	if q.ChannelRef != "" {
		if p, err := b.svc.ProjectByChannel(ctx, q.ChannelRef); err == nil && p != nil {
			q.ProjectKey = p.Key
		}
	}
	t, err := b.svc.CreateTicket(ctx, a, commands.TicketInput{
		ProjectKey: q.ProjectKey, Title: q.Title, Priority: q.Priority, AssigneeID: q.AssigneeID,
		Type: q.Type, Version: q.Version, Source: domain.SourceSlash, ChannelID: cmd.ChannelID,
		DedupID: dedupEnvelope(envelope),
	})
	if err != nil && !commands.IsDuplicate(err) {
		if domain.ErrorField(err) == "title" && q.Title == "" {
			err = domain.Errorf(domain.EINVALID, "Give the ticket a title, like `/ticket Login fails !high #acme` — or run `/ticket` alone to open the form.")
		}
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":white_check_mark: Created *%s* %s. Its card is on its way to %s.", t.Key(), escCut(t.Title, 200), channelRef(t.SlackChannel)))
}

func channelRef(id string) string {
	if id == "" {
		return "the App Home"
	}
	return "<#" + id + ">"
}

func (b *Bot) showTicket(ctx context.Context, a domain.Actor, responseURL, key string) {
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	v, err := b.svc.Card(ctx, t.ID)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	blocks := cardBlocks(b.svc.Config(), v)
	if !a.IsAgent() {
		blocks = blocks[:len(blocks)-1] // customers see the card without agent controls
	}
	b.reply(ctx, responseURL, cardText(t), blocks...)
}

func dedupEnvelope(id string) string {
	if id == "" {
		return ""
	}
	return "envelope:" + id
}

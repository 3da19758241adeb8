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
	"• `/ticket ACME-42` shows a ticket with its buttons; `/ticket ACME-42 customer globex` files it under another customer (its key stays).\n" +
	"• `/ticket ACME-7 merge into ACME-3` merges a duplicate into the ticket that goes on (`/ticket ACME-7 unmerge` undoes it within 10 minutes); `/ticket ACME-7 history` shows who changed what, when.\n" +
	"• `/ticket ACME-42 escalate` opens a GitHub/GitLab issue for engineering from the ticket; `/ticket ACME-42 link org/repo#123` links one that exists (one issue can serve many tickets).\n" +
	"• A title may start with any word: `/ticket Help with the invoice export` is a ticket; only `/ticket help` alone is this help.\n" +
	"• `/ticket list <query>` lists tickets (open ones by default): `mine`, `unassigned`, `#acme`, `!high`, or the query language — `status:open priority:high,urgent customer:acme assignee:me|none type:bug version:4.2.* sla:at-risk due:<2d created:>2026-11-01 blocked:yes text:\"login fails\" sort:due group:assignee as:list|cards|tree|calendar|timeline`.\n" +
	"• `/ticket search <words>` finds tickets by what they say — title, description, replies, mail and notes: `refund*` for a prefix, `\"bank transfer\"` for a phrase; the best matches first, each with its matching line (the same as `/ticket list text:…`).\n" +
	"• React with :%s: to a message to turn it into a ticket, or use the message shortcut *Create ticket*.\n" +
	"• `/ticket ACME-42 tag +billing -urgent` tags by hand; `/ticket ACME-42 follow` (or `unfollow`) sends you its public changes by DM, a minute at a time; `/ticket ACME-42 cc add ana@acme.com` (or `cc remove`) copies someone on the replies by mail.\n" +
	"• Reply in a ticket's thread to comment on it."

// onSlash runs a slash command. envelope is the Socket Mode envelope id:
// Slack resends an envelope it saw no ack for, with the same id, and the
// resend must not create a second ticket.
func (b *Bot) onSlash(ctx context.Context, cmd slack.SlashCommand, envelope string) {
	cmd = cleanInput(cmd)
	a, err := b.people.actor(ctx, cmd.UserID, cmd.ChannelID)
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	b.introduce(ctx, a)
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
	op := parseTicketCommand(cmd.Text, b.customerKeys(ctx, a))
	switch op.op {
	case ticketForm:
		b.openCreateModal(ctx, a, cmd.TriggerID, createPrefill{Channel: cmd.ChannelID, Source: domain.SourceModal})
	case ticketHelpOp:
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(ticketHelp, b.svc.Config().Slack.TicketEmoji))
	case ticketList:
		b.showQuery(ctx, a, cmd.ResponseURL, cmd.ChannelID, op.arg, 0, false)
	case ticketShow:
		b.showTicket(ctx, a, cmd.ResponseURL, op.key)
	case ticketMove:
		t, err := b.svc.MoveTicket(ctx, a, op.key, op.arg)
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":truck: *%s* is now %s's; it keeps its key, and its history says who moved it.", t.Key(), esc(strings.ToUpper(op.arg))))
	case ticketChange:
		b.ticketVerb(ctx, a, cmd.ResponseURL, cmd.UserID, op.key, op.arg)
	case ticketMergeOp:
		b.mergeCommand(ctx, a, cmd.ResponseURL, op.key, op.arg)
	case ticketUnmergeOp:
		b.unmerge(ctx, a, cmd.ResponseURL, op.key)
	case ticketHistoryOp:
		b.showHistory(ctx, a, cmd.ResponseURL, op.key, 0, false)
	case ticketTracker:
		b.trackerVerb(ctx, a, cmd, op.key, op.arg)
	default:
		b.quickCreate(ctx, a, cmd, envelope, op.note)
	}
}

// customerKeys tells a customer key among the words of `/ticket list`,
// reading the customers at most once, and only when asked.
func (b *Bot) customerKeys(ctx context.Context, a domain.Actor) func(string) bool {
	var keys map[string]bool
	return func(w string) bool {
		if keys == nil {
			keys = map[string]bool{}
			ps, err := b.svc.Customers(ctx, a)
			if err != nil {
				b.log.Warn("customers for /ticket list", "err", err)
			}
			for _, p := range ps {
				keys[p.Key] = true
			}
		}
		return keys[strings.ToUpper(w)]
	}
}

func (b *Bot) quickCreate(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, envelope, note string) {
	q := parseQuickTicket(cmd.Text)
	if q.ChannelRef != "" {
		if p, err := b.svc.CustomerByChannel(ctx, q.ChannelRef); err == nil && p != nil {
			q.CustomerKey = p.Key
		}
	}
	t, err := b.svc.CreateTicket(ctx, a, commands.TicketInput{
		CustomerKey: q.CustomerKey, Title: q.Title, Priority: q.Priority, AssigneeID: q.AssigneeID,
		Type: q.Type, Version: q.Version, Source: domain.SourceSlash, ChannelID: cmd.ChannelID,
		DedupID: dedupEnvelope(envelope),
	})
	if err != nil && !commands.IsDuplicate(err) {
		b.fail(ctx, cmd.ResponseURL, understood(q, err))
		return
	}
	msg := fmt.Sprintf(":white_check_mark: Created *%s* %s for %s. Its card is on its way to %s.",
		t.Key(), escCut(t.Title, 200), esc(t.CustomerKey), channelRef(t.SlackChannel))
	if strings.HasPrefix(t.Key(), commands.TriageKey+"-") {
		msg += fmt.Sprintf(" Nobody could tell its customer yet: `/ticket %s customer acme` files it under one (the key stays).", t.Key())
	}
	if note != "" {
		msg += " " + note
	}
	b.reply(ctx, cmd.ResponseURL, msg)
}

// understood words a refused quick ticket with what was read from the
// text and the nearest valid form.
func understood(q quickTicket, err error) error {
	const form = "`/ticket Login fails !high #acme type:bug v:4.2.1` (all but the title optional), or `/ticket` alone for the form"
	var read, what string
	switch domain.ErrorField(err) {
	case "title":
		if q.Title != "" {
			return domain.Errorf(domain.ErrorCode(err), "%s Like %s.", domain.ErrorMessage(err), form)
		}
		return domain.Errorf(domain.EINVALID, "I read no title, only options. Give the ticket a title, like %s.", form)
	case "priority":
		read, what = "!"+q.Priority, "priority"
	case "type":
		read, what = "type:"+q.Type, "type"
	case "version":
		read, what = "v:"+q.Version, "version"
	default:
		return err
	}
	return domain.Errorf(domain.ErrorCode(err), "I read `%s` as the %s. %s Like %s.", esc(read), what, domain.ErrorMessage(err), form)
}

func channelRef(id string) string {
	if id == "" {
		return "the App Home"
	}
	return "<#" + id + ">"
}

func (b *Bot) showTicket(ctx context.Context, a domain.Actor, responseURL, key string) {
	t, err := b.svc.Ticket(ctx, a, key)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		err = domain.Errorf(domain.ENOTFOUND, "%s I read `%s` as a ticket key: `/ticket list` lists them, and a title starting with it needs more words (`/ticket %s fails to load`).",
			domain.ErrorMessage(err), esc(key), esc(key))
	}
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	v, err := b.svc.CardFor(ctx, a, t.ID)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if a.IsAgent() {
		v.CustomerThread = b.customerThread(ctx, t)
	}
	blocks := cardBlocks(b.svc.Config(), v)
	if !a.IsAgent() {
		// Customers see their face of it, without the agents' control.
		blocks = customerCardBlocks(b.svc.Config(), v, b.personName(ctx, t.AssigneeID))
		blocks = blocks[:len(blocks)-1]
	}
	b.reply(ctx, responseURL, cardText(t), blocks...)
}

func dedupEnvelope(id string) string {
	if id == "" {
		return ""
	}
	return "envelope:" + id
}

package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

const viewHelp = "*`/desk view`* — saved views\n" +
	"• `/desk view save \"Acme urgent\" customer:acme priority:urgent` saves a query (`save shared \"Name\" …` shares it with the team).\n" +
	"• `/desk view list` lists yours and the shared ones; `/desk view run NAME [page]` runs one.\n" +
	"• `/desk view pin NAME` shows it on your App Home with its count and chart (`unpin` to stop).\n" +
	"• `/desk view digest NAME mon 09:00 Europe/Paris #channel` posts it on a schedule (`weekdays 08:30`, `daily 17:00 UTC`; no channel: your DMs; `off` stops it).\n" +
	"• `/desk view share NAME`, `unshare NAME`, `delete NAME`.\n" +
	"Queries: `status:open priority:high,urgent customer:acme assignee:me|none type:bug version:4.2.* sla:at-risk due:<2d created:>2026-11-01 blocked:yes text:\"login fails\" sort:due group:assignee as:list|cards|tree|calendar|timeline`."

// viewCommand runs `/desk view …`.
func (b *Bot) viewCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, args string) {
	sub, rest := firstWord(args)
	url := cmd.ResponseURL
	done := func(v *domain.SavedView, err error, format string, args ...any) {
		if err != nil {
			b.fail(ctx, url, err)
			return
		}
		b.reply(ctx, url, fmt.Sprintf(format, args...))
	}
	switch strings.ToLower(sub) {
	case "", "help":
		b.reply(ctx, url, viewHelp)
	case "save":
		shared := false
		if w, r := firstWord(rest); strings.EqualFold(w, "shared") {
			shared, rest = true, r
		}
		name, q := viewName(rest)
		q, err := b.plainQuery(ctx, q)
		if err != nil {
			b.fail(ctx, url, err)
			return
		}
		v, err := b.svc.SaveView(ctx, a, name, q, shared)
		if err != nil {
			b.fail(ctx, url, err)
			return
		}
		who := "for you"
		if v.Shared {
			who = "and shared with the team"
		}
		b.reply(ctx, url, fmt.Sprintf(":white_check_mark: Saved *%s* %s: `%s`\nRun it with `/desk view run %s`, pin it with `/desk view pin %s`.",
			escCut(v.Name, 100), who, escCut(v.Query, 1000), escCut(quoteName(v.Name), 100), escCut(quoteName(v.Name), 100)))
	case "list", "ls":
		b.listViews(ctx, a, url)
	case "run", "show":
		name, rest := viewName(rest)
		page, _ := strconv.Atoi(strings.TrimSpace(rest))
		b.showQuery(ctx, a, url, cmd.ChannelID, viewPrefix+name, max(page-1, 0), false)
	case "pin", "unpin":
		name, _ := viewName(rest)
		v, err := b.svc.PinView(ctx, a, name, strings.EqualFold(sub, "pin"))
		if err == nil {
			defer b.publishHome(ctx, a.UserID)
		}
		done(v, err, ":pushpin: *%s* is %s.", escCut(name, 100), map[bool]string{true: "on your App Home", false: "off your App Home"}[v != nil && v.Pinned])
	case "share", "unshare":
		name, _ := viewName(rest)
		v, err := b.svc.ShareView(ctx, a, name, strings.EqualFold(sub, "share"))
		done(v, err, "*%s* is %s.", escCut(name, 100), map[bool]string{true: "shared with the team", false: "yours alone"}[v != nil && v.Shared])
	case "digest":
		name, rest := viewName(rest)
		schedule, channel := digestArgs(rest)
		v, err := b.svc.SetDigest(ctx, a, name, schedule, channel)
		if err != nil || v.Digest == "" {
			done(v, err, "*%s* has no digest now.", escCut(name, 100))
			return
		}
		done(v, nil, ":calendar: *%s* will be posted %s to %s.", escCut(v.Name, 100), esc(v.Digest), digestTarget(v))
	case "delete", "rm":
		name, _ := viewName(rest)
		err := b.svc.DeleteView(ctx, a, name)
		done(nil, err, "Deleted *%s*.", escCut(name, 100))
	default:
		b.reply(ctx, url, fmt.Sprintf("I don't know `/desk view %s`.\n%s", esc(sub), viewHelp))
	}
}

func (b *Bot) listViews(ctx context.Context, a domain.Actor, url string) {
	views, err := b.svc.ListViews(ctx, a)
	if err != nil {
		b.fail(ctx, url, err)
		return
	}
	if len(views) == 0 {
		b.reply(ctx, url, "No saved views yet. Save one with `/desk view save \"Acme urgent\" customer:acme priority:urgent`.")
		return
	}
	lines := []string{fmt.Sprintf("*%d saved views*", len(views))}
	for i, v := range views {
		if i == 60 {
			lines = append(lines, fmt.Sprintf("…and %d more", len(views)-60))
			break
		}
		var marks []string
		if v.Owner != a.UserID {
			marks = append(marks, "by <@"+v.Owner+">")
		} else if v.Shared {
			marks = append(marks, "shared")
		}
		if v.Pinned && v.Owner == a.UserID {
			marks = append(marks, ":pushpin:")
		}
		if v.Digest != "" {
			marks = append(marks, ":calendar: "+esc(v.Digest))
		}
		line := fmt.Sprintf("• *%s* `%s`", escCut(v.Name, 80), escCut(v.Query, 200))
		if len(marks) > 0 {
			line += " · " + strings.Join(marks, " · ")
		}
		lines = append(lines, line)
	}
	b.reply(ctx, url, cut(strings.Join(lines, "\n"), maxMessageText))
}

// viewName reads a view's name: "quoted words", else the first word.
func viewName(s string) (name, rest string) {
	s = strings.TrimSpace(s)
	for _, q := range []string{`"`, "“"} {
		if body, ok := strings.CutPrefix(s, q); ok {
			closeQ := `"`
			if q == "“" {
				closeQ = "”"
			}
			if i := strings.Index(body, closeQ); i >= 0 {
				return body[:i], strings.TrimSpace(body[i+len(closeQ):])
			}
			return body, ""
		}
	}
	name, rest, _ = strings.Cut(s, " ")
	return name, strings.TrimSpace(rest)
}

func quoteName(n string) string {
	if strings.ContainsAny(n, " \t") {
		return `"` + n + `"`
	}
	return n
}

// digestArgs splits "mon 09:00 Europe/Paris <#C123|ops>" into the
// schedule and the channel; "off" (or nothing) stops the digest.
func digestArgs(s string) (schedule, channel string) {
	words := strings.Fields(s)
	if n := len(words); n > 0 {
		if id, _, ok := channelMention(words[n-1]); ok {
			channel, words = id, words[:n-1]
		}
	}
	schedule = strings.Join(words, " ")
	if strings.EqualFold(schedule, "off") || strings.EqualFold(schedule, "none") {
		schedule = ""
	}
	return schedule, channel
}

func digestTarget(v *domain.SavedView) string {
	if v.DigestChannel == "" {
		return "your DMs"
	}
	return "<#" + v.DigestChannel + ">"
}

// DeliverDigest posts a digest the scheduler queued (outbox kind
// domain.OutboxDigest): the saved view's first page as a list, into its
// channel or its owner's DMs. A view deleted since is dropped.
func (b *Bot) DeliverDigest(ctx context.Context, payload string) error {
	return b.deliverDigest(ctx, payload, nil)
}

// deliverDigest posts once per outbox message m (postOnce): a retry after
// a post Slack took but the outbox did not record finds it.
func (b *Bot) deliverDigest(ctx context.Context, payload string, m *domain.OutboxMessage) error {
	var job commands.DigestJob
	if err := json.Unmarshal([]byte(payload), &job); err != nil {
		return fmt.Errorf("bad digest job: %w", err)
	}
	r, err := b.svc.Digest(ctx, job)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if r.Layout == "timeline" || r.Layout == "cards" {
		r.Layout = "list" // a digest is read, not worked from
	}
	f := b.faceOf(ctx, r)
	f.digest = true
	shared := false
	if !f.customer && job.Channel != "" {
		// Posted only once Slack says whether the channel is shared: a
		// digest dropped because Slack did not answer was lost
		// (bench/chaos); the outbox tries it again instead.
		if shared, err = b.channelSharedOrErr(ctx, job.Channel); err != nil {
			return fmt.Errorf("unable to tell whether %s is shared: %w", job.Channel, err)
		}
	}
	if shared {
		// Another organisation reads the channel and no customer is linked
		// to it: whose scope to read in is unknown, so nothing is posted.
		b.dm(ctx, r.View.Owner, fmt.Sprintf(":warning: Your digest *%s* was not posted in <#%s>: people from another organisation read it, "+
			"and it is linked to no customer. Link it to theirs (`/desk customer link KEY` in the channel), or send the digest to an internal channel.",
			escCut(r.View.Name, 100), job.Channel))
		b.log.Warn("digest: not posted in a shared channel linked to no customer", "view", r.View.ID, "channel", job.Channel)
		return nil
	}
	blocks := resultBlocks(b.svc.Config(), r, f, func(int) string { return "" })
	if n := len(blocks); n > 0 {
		if _, isNav := blocks[n-1].(*slack.ActionBlock); isNav {
			more := fmt.Sprintf("First %d shown: `/desk view run %s 2` for more.", len(r.Tickets), escCut(quoteName(r.View.Name), 100))
			if f.customer {
				more = fmt.Sprintf("First %d shown: `/ticket list` shows all of yours.", len(r.Tickets))
			}
			blocks = append(blocks[:n-1], slack.NewContextBlock("", mrkdwn(more)))
		}
	}
	channel := job.Channel
	if channel == "" {
		dm, err := b.people.dmChannel(ctx, job.User)
		if err != nil {
			return err
		}
		channel = dm
	}
	text := fmt.Sprintf("Digest: %s, %d tickets", cut(r.View.Name, 100), r.Total)
	_, err = b.postOnce(ctx, m, nil, channel, "", slack.MsgOptionText(esc(text), false), slack.MsgOptionBlocks(blocks...))
	return err
}

package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The card's "More…" select: the card's less frequent actions in one
// element (Block Kit allows 25 per actions block). Each option's value is
// "<verb>|<ticket key>".
const actCardMore = "card_more"

// Verbs of the More… select.
const (
	moreReplyWith = "reply_with" // the Reply to customer form with its saved replies
	moreFollow    = "follow"
	moreUnfollow  = "unfollow"
	moreHistory   = "history"
	moreMerge     = "merge"   // the Merge into… form
	moreUnmerge   = "unmerge" // undo a merge within its window
)

type moreOption struct{ verb, label string }

// cardMoreOptions are the More… options of a card's working face.
func cardMoreOptions(cfg *domain.Config, v *commands.CardView, done bool) []moreOption {
	opts := []moreOption{{moreHistory, "History"}}
	if len(cfg.Trackers) > 0 {
		opts = append(opts, moreOption{verbEscalate, ":rotating_light: Escalate to engineering"})
	}
	if v.MergedInto == "" {
		opts = append(opts, moreOption{moreMerge, "Merge into…"})
	} else {
		opts = append(opts, moreOption{moreUnmerge, "Undo merge"})
	}
	if replyButton(v.Ticket) != nil || v.CustomerThread { // by mail, else in their thread
		opts = append(opts, moreOption{moreReplyWith, "Reply with…"})
	}
	opts = append(opts, moreOption{moreFollow, "Follow"}, moreOption{moreUnfollow, "Unfollow"})
	return opts
}

// cardMore builds the More… select, nil when there is nothing in it.
func cardMore(key string, opts []moreOption) slack.BlockElement {
	if len(opts) == 0 {
		return nil
	}
	os := make([]*slack.OptionBlockObject, 0, min(len(opts), 100))
	for _, o := range opts[:min(len(opts), 100)] {
		os = append(os, slack.NewOptionBlockObject(o.verb+"|"+key, plain(cut(o.label, maxOptionText)), nil))
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("More…"), actCardMore, os...)
}

// onCardMore runs the option chosen in a card's More… select.
func (b *Bot) onCardMore(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, act *slack.BlockAction) {
	verb, key, _ := strings.Cut(firstNonEmpty(act.SelectedOption.Value, act.Value), "|")
	if err := b.mayAct(ctx, a, actCardMore, key); err != nil {
		b.fail(ctx, cb.ResponseURL, err)
		return
	}
	switch verb {
	case verbEscalate:
		b.openEscalateModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
	case moreReplyWith:
		b.openReplyModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
	case moreFollow, moreUnfollow:
		b.follow(ctx, a, cb.ResponseURL, key, verb == moreFollow)
	case moreHistory:
		b.showHistory(ctx, a, cb.ResponseURL, key, 0, false)
	case moreMerge:
		b.openMergeModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
	case moreUnmerge:
		b.unmerge(ctx, a, cb.ResponseURL, key)
	default:
		b.log.Warn("bot: unknown More… option", "verb", verb)
	}
}

// follow makes the agent a watcher of the ticket, or no longer one.
func (b *Bot) follow(ctx context.Context, a domain.Actor, responseURL, key string, on bool) {
	t, did, err := b.svc.Follow(ctx, a, key, on)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	var msg string
	switch {
	case on && did:
		msg = fmt.Sprintf(":eyes: You follow *%s*: its public changes by others come to you by DM, at most one a minute.", t.Key())
	case on:
		msg = fmt.Sprintf("You already follow *%s*.", t.Key())
	case did:
		msg = fmt.Sprintf("You no longer follow *%s*.", t.Key())
	default:
		msg = fmt.Sprintf("You were not following *%s*.", t.Key())
	}
	b.reply(ctx, responseURL, msg)
}

// tagCcNotes show a card's tags and CC list (the working face only).
func tagCcNotes(v *commands.CardView) []slack.MixedElement {
	var out []slack.MixedElement
	if len(v.Tags) > 0 {
		tags := make([]string, len(v.Tags))
		for i, t := range v.Tags {
			tags[i] = "`" + esc(t) + "`"
		}
		out = append(out, mrkdwn(cut(":label: "+strings.Join(tags, " "), 1000)))
	}
	if len(v.Cc) > 0 {
		out = append(out, mrkdwn(escCut("CC: "+strings.Join(v.Cc, ", "), 1000)))
	}
	return out
}

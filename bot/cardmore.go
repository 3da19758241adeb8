package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// actCardMore is the card's "More…" select: the actions that do not earn
// a button of their own. Its options are valued "<verb>|<ticket key>".
const actCardMore = "card_more"

// moreOption is one entry of the card's More… select.
type moreOption struct{ verb, label string }

// cardMoreOptions lists the More… entries for a card (at most 100).
func cardMoreOptions(v *commands.CardView) []moreOption {
	opts := []moreOption{{"history", "History"}}
	if v.MergedInto == "" {
		opts = append(opts, moreOption{"merge", "Merge into…"})
	} else {
		opts = append(opts, moreOption{"unmerge", "Undo merge"})
	}
	return opts
}

// cardMore builds the More… select of a card.
func cardMore(v *commands.CardView) slack.BlockElement {
	key := v.Ticket.Key()
	var opts []*slack.OptionBlockObject
	for _, o := range cardMoreOptions(v) {
		opts = append(opts, slack.NewOptionBlockObject(o.verb+"|"+key, plain(cut(o.label, maxOptionText)), nil))
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("More…"), actCardMore, opts...)
}

// onCardMore runs the verb picked in a card's More… select.
func (b *Bot) onCardMore(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, act *slack.BlockAction) {
	verb, key, _ := strings.Cut(act.SelectedOption.Value, "|")
	if err := b.mayAct(ctx, a, actCardMore, key); err != nil {
		b.fail(ctx, cb.ResponseURL, err)
		return
	}
	switch verb {
	case "history":
		b.showHistory(ctx, a, cb.ResponseURL, key, 0, false)
	case "merge":
		b.openMergeModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
	case "unmerge":
		b.unmerge(ctx, a, cb.ResponseURL, key)
	}
}

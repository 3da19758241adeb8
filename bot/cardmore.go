package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The card's "More…" menu: actions that do not earn a button of their
// own, each option valued "<verb>|<ticket key>". Features add their
// options to cardMoreOptions and their verb to onCardMore.
const actCardMore = "card_more"

type moreOption struct{ verb, label string }

// cardMoreOptions are the menu's options for a card on the working face.
func cardMoreOptions(cfg *domain.Config, v *commands.CardView, done bool) []moreOption {
	var opts []moreOption
	if len(cfg.Trackers) > 0 {
		opts = append(opts, moreOption{verbEscalate, ":rotating_light: Escalate to engineering"})
	}
	return opts
}

// cardMore is the menu, nil without options.
func cardMore(key string, opts []moreOption) slack.BlockElement {
	if len(opts) == 0 {
		return nil
	}
	if len(opts) > 100 {
		opts = opts[:100] // Block Kit's limit of options in a select
	}
	os := make([]*slack.OptionBlockObject, 0, len(opts))
	for _, o := range opts {
		os = append(os, slack.NewOptionBlockObject(o.verb+"|"+key, plain(cut(o.label, maxOptionText)), nil))
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("More…"), actCardMore, os...)
}

// onCardMore runs the chosen option.
func (b *Bot) onCardMore(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, act *slack.BlockAction) {
	verb, key, _ := strings.Cut(firstNonEmpty(act.SelectedOption.Value, act.Value), "|")
	switch verb {
	case verbEscalate:
		b.openEscalateModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
	}
}

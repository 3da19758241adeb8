package bot

import (
	"context"
	"slices"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

// The Edit form's tags: a multi-select of the tags in use (the ticket's
// own selected) and a text input for new ones. Slack's
// multi_static_select cannot take a value it does not list, and
// multi_external_select needs an options endpoint that answers each
// keystroke within 3 seconds; a plain input for new tags works the same
// on the phone and keeps the form a single round trip.
func (b *Bot) withTagInputs(ctx context.Context, a domain.Actor, view *slack.ModalViewRequest, key string) {
	have, err := b.svc.TicketTags(ctx, a, key)
	if err != nil {
		b.log.Warn("bot: tags for the edit form", "err", err)
		return
	}
	all, err := b.svc.AllTags(ctx, a)
	if err != nil {
		b.log.Warn("bot: tags for the edit form", "err", err)
		return
	}
	names := slices.Clone(have)
	for _, t := range all {
		if !slices.Contains(names, t.Tag) {
			names = append(names, t.Tag)
		}
	}
	names = names[:min(len(names), 100)] // a select holds 100 options; the ticket's own come first
	slices.Sort(names)
	blocks := view.Blocks.BlockSet
	if len(names) > 0 && len(blocks) < maxViewBlocks-1 {
		var opts, initial []*slack.OptionBlockObject
		for _, n := range names {
			o := slack.NewOptionBlockObject(n, plain(cut(n, maxOptionText)), nil)
			opts = append(opts, o)
			if slices.Contains(have, n) {
				initial = append(initial, o)
			}
		}
		sel := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("No tags"), "tags", opts...)
		sel.InitialOptions = initial
		in := slack.NewInputBlock("tags", plain("Tags"), nil, sel)
		in.Optional = true
		blocks = append(blocks, in)
	}
	if len(blocks) < maxViewBlocks {
		blocks = append(blocks, textInput("new_tags", "New tags", "", true, 200, "billing, waiting-release"))
	}
	view.Blocks.BlockSet = blocks
}

// submitTags makes the ticket's tags those chosen plus the new ones.
func (b *Bot) submitTags(ctx context.Context, a domain.Actor, key string, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	_, listed := values["tags"]
	_, typed := values["new_tags"]
	if !listed && !typed {
		return nil
	}
	tags, err := domain.ParseTagList(inputValue(values, "new_tags"))
	if err != nil {
		return formError("new_tags", err)
	}
	for _, o := range values["tags"]["tags"].SelectedOptions {
		if !slices.Contains(tags, o.Value) {
			tags = append(tags, o.Value)
		}
	}
	if !listed {
		// No select (no tags in use yet): the typed ones are added.
		have, err := b.svc.TicketTags(ctx, a, key)
		if err != nil {
			return formError("new_tags", err)
		}
		tags = append(have, tags...)
	}
	if err := b.svc.SetTags(ctx, a, key, slices.Compact(slices.Sorted(slices.Values(tags)))); err != nil {
		return formError("new_tags", err)
	}
	return nil
}

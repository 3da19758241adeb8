package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// `/desk reply list|add|edit NAME|delete NAME` and the saved reply form;
// its private_metadata holds the reply's id (0: a new one).
const cbSavedReply = "saved_reply"

const replyHelp = "`/desk reply list` shows your saved replies and the shared ones with their use counts; " +
	"`/desk reply add` opens the form (placeholders like `{requester.first_name}`, `{ticket.key}`, `{agent.name}`, `{sla.resolution_due}`); " +
	"`/desk reply edit NAME`, `/desk reply delete NAME`. Shared replies are changed by admins only."

func (b *Bot) replyCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, text string) {
	sub, name := firstWord(text)
	name = strings.Trim(strings.TrimSpace(name), `"`)
	switch sub {
	case "", "list":
		b.listReplies(ctx, a, cmd.ResponseURL)
	case "add", "new":
		if err := requireAgentBot(a); err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		b.openSavedReplyModal(ctx, cmd.TriggerID, &domain.SavedReply{Name: name, Owner: a.UserID})
	case "edit":
		r, err := b.svc.FindSavedReply(ctx, a, name)
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		b.openSavedReplyModal(ctx, cmd.TriggerID, r)
	case "delete", "remove", "rm":
		r, err := b.svc.DeleteSavedReply(ctx, a, name)
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("Deleted the saved reply *%s*.", escCut(r.Name, 100)))
	default:
		b.reply(ctx, cmd.ResponseURL, replyHelp)
	}
}

func requireAgentBot(a domain.Actor) error {
	if !a.IsAgent() {
		return domain.Errorf(domain.EFORBIDDEN, "Only support agents can keep saved replies.")
	}
	return nil
}

func (b *Bot) listReplies(ctx context.Context, a domain.Actor, responseURL string) {
	rs, err := b.svc.SavedReplies(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(rs) == 0 {
		b.reply(ctx, responseURL, "No saved replies yet. "+replyHelp)
		return
	}
	var sb strings.Builder
	sb.WriteString("*Saved replies*\n")
	for _, r := range rs {
		whose := "yours"
		if r.Shared() {
			whose = "shared"
		}
		line := fmt.Sprintf("• *%s* (%s, used %d×)", escCut(r.Name, 100), whose, r.Uses)
		if sets := replySets(r); sets != "" {
			sets = esc(strings.ToLower(sets[:1]) + sets[1:])
			if r.Assignee != "" && r.Assignee != "me" {
				sets = strings.Replace(sets, "a teammate", userRef(r.Assignee), 1)
			}
			line += " — " + sets
		}
		line += "\n    " + escCut(strings.ReplaceAll(r.Body, "\n", " "), 120) + "\n"
		if sb.Len()+len(line) > 2800 {
			sb.WriteString("…and more.\n")
			break
		}
		sb.WriteString(line)
	}
	b.reply(ctx, responseURL, sb.String())
}

// openSavedReplyModal opens the form for a new (ID 0) or existing reply.
func (b *Bot) openSavedReplyModal(ctx context.Context, triggerID string, r *domain.SavedReply) {
	cfg := b.svc.Config()
	body := textInput("body", "Text", r.Body, false, domain.MaxReplyBody,
		"Hello {requester.first_name}, …")
	body.Element.(*slack.PlainTextInputBlockElement).Multiline = true
	body.Hint = plain(cut("Placeholders: {"+strings.Join(domain.Placeholders, "}, {")+"}", 2000))
	who := staticSelect("shared", "Who uses it", []string{"mine", "shared"}, []string{"Only me", "The whole team (admins only)"}, map[bool]string{true: "shared", false: "mine"}[r.Shared()], false)
	var statuses, statusLabels []string
	for _, s := range cfg.Statuses {
		statuses, statusLabels = append(statuses, s.Name), append(statusLabels, s.Label)
	}
	blocks := []slack.Block{
		textInput("name", "Name", r.Name, false, domain.MaxReplyName, "Fixed in next release"),
		body, who,
		staticSelect("status", "Also move to", statuses, statusLabels, r.Status, true),
		staticSelect("priority", "Also set priority", cfg.Priorities, cfg.Priorities, r.Priority, true),
		textInput("tags", "Also add tags", r.Tags, true, 200, "billing waiting-release"),
		staticSelect("assign", "Also assign to", []string{"me"}, []string{"Whoever sends it"}, map[bool]string{true: "me"}[r.Assignee == "me"], true),
		assigneeInput(r.Assignee),
	}
	title := "New saved reply"
	if r.ID != 0 {
		title = "Edit saved reply"
	}
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: cbSavedReply, Title: plain(cut(title, maxModalTitle)),
		Submit: plain("Save"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks}, PrivateMetadata: strconv.FormatInt(r.ID, 10)}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

// staticSelect is an input picking one of values (shown as labels).
func staticSelect(id, label string, values, labels []string, initial string, optional bool) *slack.InputBlock {
	var opts []*slack.OptionBlockObject
	var init *slack.OptionBlockObject
	for i, v := range values[:min(len(values), 100)] {
		o := slack.NewOptionBlockObject(v, plain(cut(labels[i], maxOptionText)), nil)
		opts = append(opts, o)
		if v == initial {
			init = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("None"), id, opts...)
	sel.InitialOption = init
	in := slack.NewInputBlock(id, plain(label), nil, sel)
	in.Optional = optional
	return in
}

func (b *Bot) submitSavedReply(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	id, _ := strconv.ParseInt(cb.View.PrivateMetadata, 10, 64)
	_, err := b.svc.SaveReply(ctx, a, commands.ReplyInput{ID: id, Name: inputValue(values, "name"), Body: inputValue(values, "body"),
		Shared: inputValue(values, "shared") == "shared", Status: inputValue(values, "status"), Priority: inputValue(values, "priority"),
		Tags: inputValue(values, "tags"), Assignee: firstNonEmpty(inputValue(values, "assign"), inputValue(values, "assign_user"))})
	if err != nil {
		block := domain.ErrorField(err)
		switch {
		case block == "" && domain.ErrorCode(err) == domain.EFORBIDDEN:
			block = "shared"
		case block == "":
			block = "name"
		}
		return formError(block, err)
	}
	return nil
}

// assigneeInput picks one person a saved reply assigns the ticket to
// (when "Whoever sends it" is not chosen).
func assigneeInput(current string) *slack.InputBlock {
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Nobody"), "assign_user")
	if current != "me" {
		sel.InitialUser = current
	}
	in := slack.NewInputBlock("assign_user", plain("…or to this person"), nil, sel)
	in.Optional = true
	return in
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

// The card's "Reply to customer" button and the modal it opens; the value
// carries the ticket key, the modal's private_metadata "KEY|saved reply id".
const (
	actReplyCustomer = "reply_customer"
	cbReply          = "reply_customer"
	actPickReply     = "pick_reply" // the modal's saved reply select
)

// replyButton is offered on cards whose requester is reachable only by
// mail (tickets that came by mail): Slack requesters read their thread.
func replyButton(t *domain.Ticket) slack.BlockElement {
	if t.RequesterEmail == "" || t.RequesterID != "" {
		return nil
	}
	return slack.NewButtonBlockElement(actReplyCustomer, t.Key(), plain(":email: Reply to customer"))
}

func (b *Bot) openReplyModal(ctx context.Context, a domain.Actor, responseURL, triggerID, key string) {
	t, err := b.svc.Ticket(ctx, a, key)
	if err == nil && !a.IsAgent() {
		err = domain.Errorf(domain.EFORBIDDEN, "Only support agents can reply to customers.")
	}
	if err == nil && !b.svc.CanMail() {
		err = domain.Errorf(domain.EINVALID, "Mail to customers is not set up: deskbot needs SMTP_RELAY_URL and MAIL_FROM.")
	}
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	view := b.replyView(ctx, a, t, 0, "")
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

// replyView is the Reply to customer form; with a saved reply chosen, its
// text fills the answer (under a new block id: Slack keeps what was typed
// in an input whose block id stays).
func (b *Bot) replyView(ctx context.Context, a domain.Actor, t *domain.Ticket, saved int64, text string) slack.ModalViewRequest {
	body := slack.NewPlainTextInputBlockElement(plain("Your answer; it goes out by mail, in the customer's thread"), "body")
	body.Multiline = true
	body.MaxLength = maxInputValue
	body.InitialValue = cut(text, maxInputValue)
	blockID := "body"
	if saved != 0 {
		blockID = "body_" + strconv.FormatInt(saved, 10)
	}
	blocks := []slack.Block{
		slack.NewContextBlock("to", mrkdwn(fmt.Sprintf("*%s* %s\nTo %s and the people they copied",
			t.Key(), escCut(t.Title, 200), escCut(t.RequesterEmail, 200)))),
	}
	if pick := b.replyPicker(ctx, a, saved); pick != nil {
		blocks = append(blocks, pick)
	}
	blocks = append(blocks, slack.NewInputBlock(blockID, plain("Reply"), nil, body))
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbReply, Title: plain(cut("Reply to customer", maxModalTitle)),
		Submit: plain("Send"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: t.Key() + "|" + strconv.FormatInt(saved, 10),
	}
}

// replyPicker is the select of saved replies, with what each also sets;
// nil when the person has none.
func (b *Bot) replyPicker(ctx context.Context, a domain.Actor, saved int64) slack.Block {
	rs, err := b.svc.SavedReplies(ctx, a)
	if err != nil || len(rs) == 0 {
		return nil
	}
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, r := range rs[:min(len(rs), 100)] {
		o := slack.NewOptionBlockObject(strconv.FormatInt(r.ID, 10), plain(cut(r.Name, maxOptionText)), nil)
		if sets := replySets(r); sets != "" {
			o.Description = plain(cut(sets, maxOptionText))
		}
		opts = append(opts, o)
		if r.ID == saved {
			initial = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Use a saved reply…"), actPickReply, opts...)
	sel.InitialOption = initial
	return slack.NewActionBlock("saved_reply", sel)
}

// replySets says what a saved reply sets besides its text, in plain
// text (a person is "a teammate": an option's text shows no mention).
func replySets(r *domain.SavedReply) string {
	var parts []string
	if r.Status != "" {
		parts = append(parts, "status "+r.Status)
	}
	if r.Priority != "" {
		parts = append(parts, "priority "+r.Priority)
	}
	if r.Tags != "" {
		parts = append(parts, "tags "+r.Tags)
	}
	switch r.Assignee {
	case "":
	case "me":
		parts = append(parts, "assigns the sender")
	default:
		parts = append(parts, "assigns a teammate")
	}
	if len(parts) == 0 {
		return ""
	}
	return "Also sets " + strings.Join(parts, ", ")
}

// pickReply fills the form with the saved reply chosen.
func (b *Bot) pickReply(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	a, err := b.people.actor(ctx, cb.User.ID, "")
	if err != nil {
		b.log.Error("bot: actor", "err", err)
		return
	}
	key, _, _ := strings.Cut(cb.View.PrivateMetadata, "|")
	id, _ := strconv.ParseInt(firstNonEmpty(act.SelectedOption.Value, act.Value), 10, 64)
	text, _, err := b.svc.ExpandSavedReply(ctx, a, key, id)
	if err != nil {
		b.log.Warn("bot: unable to fill a saved reply", "err", err)
		return
	}
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.log.Warn("bot: unable to fill a saved reply", "err", err)
		return
	}
	view := b.replyView(ctx, a, t, id, text)
	b.call("views.update", func() error {
		_, err := b.ui.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID)
		return err
	})
}

func (b *Bot) submitReply(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	key, savedText, _ := strings.Cut(cb.View.PrivateMetadata, "|")
	saved, _ := strconv.ParseInt(savedText, 10, 64)
	blockID := "body"
	if saved != 0 {
		blockID = "body_" + savedText
	}
	body := values[blockID]["body"].Value
	// The view id makes a resubmission (Slack retries) send one mail.
	_, err := b.svc.ReplyWith(ctx, a, key, body, "view:"+cb.View.ID, saved)
	if err != nil {
		return formError(blockID, err)
	}
	return nil
}

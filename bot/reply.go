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
	inThread := false
	if err == nil {
		switch {
		case replyButton(t) != nil:
			if !b.svc.CanMail() {
				err = domain.Errorf(domain.EINVALID, "Mail to customers is not set up: deskbot needs SMTP_RELAY_URL and MAIL_FROM.")
			}
		case b.customerThread(ctx, t):
			inThread = true
		default:
			err = domain.Errorf(domain.EINVALID, "%s has no customer to reply to here: no requester email, and its thread is not one the customer reads.", t.Key())
		}
	}
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	view := b.replyView(ctx, a, t, replyForm{inThread: inThread})
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

// customerThread tells whether t's customer reads its Slack thread (their
// channel, or one shared with them): a ticket without a requester to
// mail is answered there.
func (b *Bot) customerThread(ctx context.Context, t *domain.Ticket) bool {
	return t.SlackChannel != "" && t.SlackThreadTS != "" &&
		b.customerFacing(ctx, b.customerOfChannel(ctx, t.SlackChannel), t.SlackChannel)
}

// replyForm is the state of a reply form, kept in its private_metadata
// as "KEY|saved reply id", and "|thread" when it answers in the
// customer's Slack thread instead of by mail.
type replyForm struct {
	saved    int64
	inThread bool
	text     string // the saved reply's text, filled for the ticket
}

func (f replyForm) metadata(key string) string {
	m := key + "|" + strconv.FormatInt(f.saved, 10)
	if f.inThread {
		m += "|thread"
	}
	return m
}

func parseReplyForm(metadata string) (key string, f replyForm) {
	parts := strings.Split(metadata, "|")
	if len(parts) > 1 {
		f.saved, _ = strconv.ParseInt(parts[1], 10, 64)
	}
	f.inThread = len(parts) > 2 && parts[2] == "thread"
	return parts[0], f
}

// blockID is the answer's block: Slack keeps what was typed in an input
// whose block id stays, so a pick changes it.
func (f replyForm) blockID() string {
	if f.saved == 0 {
		return "body"
	}
	return "body_" + strconv.FormatInt(f.saved, 10)
}

// replyView is the Reply to customer form; with a saved reply chosen, its
// text fills the answer (under a new block id, see replyForm.blockID).
// Plain inputs and a static select only: it works the same on the phone.
func (b *Bot) replyView(ctx context.Context, a domain.Actor, t *domain.Ticket, f replyForm) slack.ModalViewRequest {
	hint, title := "Your answer; it goes out by mail, in the customer's thread", "Reply to customer"
	to := fmt.Sprintf("*%s* %s\nTo %s and the people they copied", t.Key(), escCut(t.Title, 200), escCut(t.RequesterEmail, 200))
	if f.inThread {
		hint, title = "Your answer; the customer reads it in their Slack thread", "Reply in their thread"
		to = fmt.Sprintf("*%s* %s\nPosted under your name in the customer's thread in %s", t.Key(), escCut(t.Title, 200), channelRef(t.SlackChannel))
	}
	body := slack.NewPlainTextInputBlockElement(plain(hint), "body")
	body.Multiline = true
	body.MaxLength = maxInputValue
	body.InitialValue = cut(f.text, maxInputValue)
	blocks := []slack.Block{slack.NewContextBlock("to", mrkdwn(to))}
	if pick := b.replyPicker(ctx, a, f.saved); pick != nil {
		blocks = append(blocks, pick)
	}
	blocks = append(blocks, slack.NewInputBlock(f.blockID(), plain("Reply"), nil, body))
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbReply, Title: plain(cut(title, maxModalTitle)),
		Submit: plain("Send"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: f.metadata(t.Key()),
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
	key, f := parseReplyForm(cb.View.PrivateMetadata)
	f.saved, _ = strconv.ParseInt(firstNonEmpty(act.SelectedOption.Value, act.Value), 10, 64)
	f.text, _, err = b.svc.ExpandSavedReply(ctx, a, key, f.saved)
	if err != nil {
		b.log.Warn("bot: unable to fill a saved reply", "err", err)
		return
	}
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.log.Warn("bot: unable to fill a saved reply", "err", err)
		return
	}
	view := b.replyView(ctx, a, t, f)
	b.call("views.update", func() error {
		_, err := b.ui.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID)
		return err
	})
}

func (b *Bot) submitReply(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	key, f := parseReplyForm(cb.View.PrivateMetadata)
	body := values[f.blockID()]["body"].Value
	// The view id makes a resubmission (Slack retries) send one reply.
	send := b.svc.ReplyWith
	if f.inThread {
		send = b.svc.ReplyInThread
	}
	if _, err := send(ctx, a, key, body, "view:"+cb.View.ID, f.saved); err != nil {
		return formError(f.blockID(), err)
	}
	return nil
}

// agentReplyText is an agent's reply as posted in the customer's thread:
// under their name (the bot posts it), the text inert (no <!channel>).
func agentReplyText(args map[string]string) string {
	name := firstNonEmpty(strings.TrimSpace(args["name"]), "Support")
	return "*" + escCut(name, 100) + "*: " + esc(args["text"])
}

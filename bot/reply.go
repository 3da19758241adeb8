package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

// The card's "Reply to customer" button and the modal it opens; the value
// and the modal's private_metadata carry the ticket key.
const (
	actReplyCustomer = "reply_customer"
	cbReply          = "reply_customer"
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
	body := slack.NewPlainTextInputBlockElement(plain("Your answer; it goes out by mail, in the customer's thread"), "body")
	body.Multiline = true
	body.MaxLength = maxInputValue
	in := slack.NewInputBlock("body", plain("Reply"), nil, body)
	blocks := []slack.Block{
		slack.NewContextBlock("to", mrkdwn(fmt.Sprintf("*%s* %s\nTo %s and the people they copied",
			t.Key(), escCut(t.Title, 200), escCut(t.RequesterEmail, 200)))),
		in,
	}
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbReply, Title: plain(cut("Reply to customer", maxModalTitle)),
		Submit: plain("Send"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks}, PrivateMetadata: t.Key(),
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

func (b *Bot) submitReply(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	// The view id makes a resubmission (Slack retries) send one mail.
	_, err := b.svc.ReplyToCustomerOnce(ctx, a, cb.View.PrivateMetadata, inputValue(values, "body"), "view:"+cb.View.ID)
	if err != nil {
		return formError("body", err)
	}
	return nil
}

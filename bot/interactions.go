package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

func (b *Bot) onInteractive(ctx context.Context, cb slack.InteractionCallback) {
	cb = cleanInput(cb)
	defer b.kickOutbox()
	if cb.ResponseURL == "" {
		cb.ResponseURL = "dm:" + cb.User.ID
	}
	if cb.View.Type == slack.VTHomeTab {
		defer b.publishHome(ctx, cb.User.ID)
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			b.onBlockAction(ctx, cb, act)
		}
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID == cbCreate {
			b.onMessageShortcut(ctx, cb)
		}
	}
}

func (b *Bot) onBlockAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	if cb.View.ID != "" && cb.View.CallbackID == cbCreate && (act.ActionID == "type" || act.ActionID == "customer") {
		b.redrawCreateModal(ctx, cb, act)
		return
	}
	if cb.View.ID != "" && cb.View.CallbackID == cbEdit && act.ActionID == "type" {
		b.redrawEditModal(ctx, cb, act)
		return
	}
	a, err := b.people.actor(ctx, cb.User.ID, cb.Channel.ID)
	if err != nil {
		b.fail(ctx, cb.ResponseURL, err)
		return
	}
	if act.ActionID == actCardMore { // cardmore.go
		b.onCardMore(ctx, a, cb, act)
		return
	}
	key := act.Value
	if act.ActionID == actStatus {
		key = firstNonEmpty(act.SelectedOption.Value, act.Value)
	}
	key, arg, _ := strings.Cut(key, "|")
	if err := b.mayAct(ctx, a, act.ActionID, key); err != nil {
		b.fail(ctx, cb.ResponseURL, err)
		return
	}
	var reply string
	switch act.ActionID {
	case actTimerStart:
		b.startTimer(ctx, a, cb.ResponseURL, key)
		return
	case actTimerStop:
		b.stopTimer(ctx, a, cb.ResponseURL)
		return
	case actAssignMe:
		if _, err = b.svc.Assign(ctx, a, key, a.UserID); err == nil {
			reply = fmt.Sprintf("You now own *%s*.", key)
		}
	case actStatus, actClose:
		var t *domain.Ticket
		if t, err = b.svc.ChangeStatus(ctx, a, key, arg); err == nil {
			reply = fmt.Sprintf("*%s* is now %s.", t.Key(), esc(b.svc.Config().StatusLabel(t.Status)))
		}
	case actLogTime:
		if !a.IsAgent() {
			err = domain.Errorf(domain.EFORBIDDEN, "Only support agents can log time.")
			break
		}
		b.openLogTimeModal(ctx, a.UserID, cb.TriggerID, key)
		return
	case actReplyCustomer:
		b.openReplyModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
		return
	case actEdit:
		b.openEditModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
		return
	case actOnboardCustomer, actOnboardLink, actOnboardTicket:
		b.onOnboardAction(ctx, a, cb, act.ActionID)
	case actWork:
		b.openWork(ctx, a, cb.ResponseURL, key)
		return
	case actNote:
		b.openNoteModal(ctx, a, cb.ResponseURL, cb.TriggerID, key)
		return
	case actNotTicket:
		if _, err = b.svc.Dismiss(ctx, a, key); err == nil {
			reply = fmt.Sprintf("Closed *%s*: not a ticket.", key)
		}
	case actEntryStop, actEntryStopAt, actEntryKeep, actEntryEdit + "_menu":
		b.onEntryAction(ctx, a, cb, act)
		return
	case actListPage + "_prev", actListPage + "_next":
		args, offset := parsePageValue(act.Value)
		b.listTickets(ctx, a, cb.ResponseURL, args, offset, true)
		return
	default:
		if isSurveyAction(act.ActionID) {
			b.answerSurvey(ctx, a, cb.ResponseURL, key, arg)
		}
		return
	}
	if err != nil {
		b.fail(ctx, cb.ResponseURL, err)
		return
	}
	if cb.ResponseURL != "" {
		b.reply(ctx, cb.ResponseURL, reply)
	}
}

func (b *Bot) redrawCreateModal(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	a, err := b.people.actor(ctx, cb.User.ID, "")
	if err != nil {
		b.log.Error("bot: actor", "err", err)
		return
	}
	pre, err := readPrefill(cb.View.PrivateMetadata)
	if err != nil {
		b.log.Error("bot: unable to redraw the create modal", "err", err)
		return
	}
	values := cb.View.State.Values
	if values == nil {
		values = map[string]map[string]slack.BlockAction{}
	}
	// The changed select's new value comes with the action; the state may
	// not carry it yet.
	changed := *act
	changed.SelectedOption.Value = firstNonEmpty(act.SelectedOption.Value, act.Value)
	values[act.ActionID] = map[string]slack.BlockAction{act.ActionID: changed}
	view, err := b.createView(ctx, a, pre, values)
	if err != nil {
		b.log.Error("bot: unable to redraw the create modal", "err", err)
		return
	}
	b.call("views.update", func() error {
		_, err := b.ui.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID)
		return err
	})
}

// onMessageShortcut opens the create modal filled from the message, with a
// link back to it.
func (b *Bot) onMessageShortcut(ctx context.Context, cb slack.InteractionCallback) {
	a, err := b.people.actor(ctx, cb.User.ID, cb.Channel.ID)
	if err != nil {
		b.log.Error("bot: actor", "err", err)
		return
	}
	msg := cb.Message
	link, _ := b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: cb.Channel.ID, Ts: msg.Timestamp})
	title, _, _ := strings.Cut(strings.TrimSpace(msg.Text), "\n")
	desc := msg.Text
	if link != "" {
		desc += "\n\nFrom Slack: " + link
	}
	b.openCreateModal(ctx, a, cb.TriggerID, createPrefill{
		Channel: cb.Channel.ID, Source: domain.SourceShortcut, SourceRef: messageRef(cb.Channel.ID, msg.Timestamp),
		Title: cut(title, 200), Description: cut(desc, maxInputValue),
	})
}

// mayAct refuses a customer's click on a ticket of another organisation,
// whatever channel the card sits in (a channel may be shared with several
// organisations), and logs who tried what. The scope would hide the ticket
// anyway; this makes the refusal a forbidden action, said and logged as one.
func (b *Bot) mayAct(ctx context.Context, a domain.Actor, action, key string) error {
	if a.IsAgent() || a.Role == domain.RoleSystem || !domain.IsKey(key) {
		return nil
	}
	_, err := b.svc.Ticket(ctx, a, key)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		return err
	}
	b.log.Warn("bot: refused a customer's action on another organisation's ticket",
		"user", a.UserID, "customer_id", a.CustomerID, "ticket", key, "action", action)
	return domain.Errorf(domain.EFORBIDDEN, "%s is not one of your company's tickets: only its own customer and our support team can act on it.", key)
}

package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// onEventsAPI handles an event. once records its event id first, so a
// redelivery is ignored: needed when the event was not stored in the
// inbox, whose dedup key does that (and records nothing an interrupted
// run would find done).
func (b *Bot) onEventsAPI(ctx context.Context, ev slackevents.EventsAPIEvent, once bool) {
	if ev.Type != slackevents.CallbackEvent {
		return
	}
	ev = cleanInput(ev)
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" && once {
		// Slack redelivers an event it thinks was lost; handle it once.
		first, err := b.svc.FirstDelivery(ctx, "slack-event", cb.EventID)
		if err != nil {
			b.log.Error("bot: unable to record event", "event", cb.EventID, "err", err)
			return
		}
		if !first {
			b.metrics.inputs.WithLabelValues("event", "redelivery").Inc()
			return
		}
	}
	defer b.kickOutbox()
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		unlock := b.threads.Lock(e.Channel + "/" + firstNonEmpty(e.ThreadTimeStamp, e.TimeStamp))
		defer unlock()
		b.onMessage(ctx, e)
	case *slackevents.ReactionAddedEvent:
		b.onReaction(ctx, e)
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab == "home" {
			b.publishHome(ctx, e.User)
		}
	}
}

// freshThread reports whether a thread's first message (its ts) is under
// two minutes old at now.
func freshThread(ts string, now time.Time) bool {
	sec, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return false
	}
	return now.Sub(time.Unix(n, 0)) < 2*time.Minute
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// onMessage: replies in a ticket's thread become comments (edits and
// deletions follow them); top-level customer messages in a customer's
// channel open tickets.
func (b *Bot) onMessage(ctx context.Context, e *slackevents.MessageEvent) {
	switch e.SubType {
	case "message_changed", "message_deleted":
		b.onMessageEdit(ctx, e)
		return
	case "", "thread_broadcast", "file_share":
	default:
		return // joins, topic changes, bot messages…
	}
	if e.BotID != "" || e.User == "" || e.User == b.botUserID {
		return
	}
	if e.ThreadTimeStamp != "" && e.ThreadTimeStamp != e.TimeStamp {
		b.onThreadReply(ctx, e)
		return
	}
	b.onChannelMessage(ctx, e)
}

func (b *Bot) onThreadReply(ctx context.Context, e *slackevents.MessageEvent) {
	t, err := b.svc.TicketByThread(ctx, e.Channel, e.ThreadTimeStamp)
	if err != nil || t == nil {
		if err == nil && freshThread(e.ThreadTimeStamp, time.Now()) {
			// A card is posted before its ts is recorded: a reply that
			// comes in between is tried again shortly.
			err = fmt.Errorf("no ticket recorded for thread %s yet", e.ThreadTimeStamp)
		}
		if err != nil && !retryLater(ctx, err) {
			b.log.Error("bot: thread lookup", "err", err)
		}
		return
	}
	a, err := b.people.actor(ctx, e.User, e.Channel)
	if err != nil {
		if !retryLater(ctx, err) {
			b.log.Error("bot: actor", "err", err)
		}
		return
	}
	// In the customer's own channel everyone sees the thread: replies there
	// are public. Elsewhere (triage, internal channels) agents talk among
	// themselves, and their replies stay internal.
	public := a.Role == domain.RoleCustomer
	if !public {
		if p, _ := b.svc.CustomerByChannel(ctx, e.Channel); b.customerFacing(ctx, p, e.Channel) {
			if body, ok := b.asNote(e.Text); ok && a.IsAgent() {
				b.keepNote(ctx, a, t, e.Channel, e.ThreadTimeStamp, e.TimeStamp, body)
				return
			}
			public = true
		}
	}
	_, err = b.svc.Comment(ctx, a, t.Key(), commands.CommentInput{Body: e.Text, Public: public, SourceRef: e.TimeStamp})
	switch code := domain.ErrorCode(err); {
	case err == nil, code == domain.ECONFLICT:
	case code == domain.EINVALID && strings.TrimSpace(e.Text) != "":
		// The reply is in Slack but not on the ticket: its author must know.
		b.dm(ctx, e.User, fmt.Sprintf(":warning: Your reply in the thread of %s was not saved on the ticket: %s", t.Key(), esc(domain.ErrorMessage(err))))
	case code != domain.EINVALID && !retryLater(ctx, err):
		b.log.Error("bot: unable to record a thread reply", "ticket", t.Key(), "err", err)
	}
}

func (b *Bot) onMessageEdit(ctx context.Context, e *slackevents.MessageEvent) {
	msg, deleted := e.Message, e.SubType == "message_deleted"
	if deleted {
		msg = e.PreviousMessage
	}
	if msg == nil {
		return
	}
	if msg.ThreadTimestamp == "" || msg.ThreadTimestamp == msg.Timestamp {
		b.onOriginalEdit(ctx, e.Channel, msg, deleted)
		return
	}
	t, err := b.svc.TicketByThread(ctx, e.Channel, msg.ThreadTimestamp)
	if err != nil || t == nil {
		return
	}
	a, err := b.people.actor(ctx, msg.User, e.Channel)
	if err != nil {
		return
	}
	if _, err := b.svc.EditComment(ctx, a, t.ID, msg.Timestamp, msg.Text, deleted); err != nil {
		b.log.Error("bot: unable to update a comment", "ticket", t.Key(), "err", err)
	}
}

// onChannelMessage opens a ticket from a customer's message in their
// channel, unless it is a pleasantry or a follow-up to their open ticket.
func (b *Bot) onChannelMessage(ctx context.Context, e *slackevents.MessageEvent) {
	p, err := b.svc.CustomerByChannel(ctx, e.Channel)
	if err != nil || p == nil || !p.AutoTickets {
		return
	}
	a, err := b.people.actor(ctx, e.User, e.Channel)
	if err != nil || a.Role != domain.RoleCustomer {
		return
	}
	cfg := b.svc.Config().Slack
	if isPleasantry(e.Text, cfg.Pleasantries) {
		return
	}
	if open, _ := b.svc.FollowUpTicket(ctx, p.ID, a.UserID, cfg.FollowUpWindow.Duration); open != nil {
		if _, err := b.svc.Comment(ctx, a, open.Key(), commands.CommentInput{Body: e.Text, Public: true, SourceRef: e.TimeStamp}); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			b.log.Error("bot: unable to add a follow-up", "ticket", open.Key(), "err", err)
		}
		return
	}
	title, _, _ := strings.Cut(strings.TrimSpace(e.Text), "\n")
	_, err = b.svc.CreateTicket(ctx, a, commands.TicketInput{
		Title: cut(title, commands.MaxTitle), Description: e.Text, Source: domain.SourceChannel,
		SourceRef: messageRef(e.Channel, e.TimeStamp), ChannelID: e.Channel, SlackThread: e.TimeStamp,
		DedupID: "msg:" + messageRef(e.Channel, e.TimeStamp),
	})
	if err != nil && !commands.IsDuplicate(err) {
		b.log.Error("bot: unable to open a ticket from a channel message", "channel", e.Channel, "err", err)
	}
}

func isPleasantry(text string, list []string) bool {
	t := strings.ToLower(strings.Trim(strings.TrimSpace(text), "!.,:) "))
	return t == "" || slices.Contains(list, t)
}

// onReaction turns a message into a ticket when someone reacts with the
// ticket emoji; the card answers in the message's thread.
func (b *Bot) onReaction(ctx context.Context, e *slackevents.ReactionAddedEvent) {
	if e.Reaction != b.svc.Config().Slack.TicketEmoji || e.Item.Type != "message" {
		return
	}
	a, err := b.people.actor(ctx, e.User, e.Item.Channel)
	if err != nil {
		b.log.Error("bot: actor", "err", err)
		return
	}
	msg, err := b.message(ctx, e.Item.Channel, e.Item.Timestamp)
	if err != nil {
		b.log.Error("bot: unable to read the reacted message", "err", err)
		return
	}
	requester := msg.User
	title, _, _ := strings.Cut(strings.TrimSpace(msg.Text), "\n")
	if title == "" {
		title = "Message from Slack"
	}
	_, err = b.svc.CreateTicket(ctx, a, commands.TicketInput{
		Title: cut(title, commands.MaxTitle), Description: msg.Text, Source: domain.SourceReaction,
		SourceRef: messageRef(e.Item.Channel, e.Item.Timestamp), ChannelID: e.Item.Channel,
		RequesterID: requester, DedupID: "msg:" + messageRef(e.Item.Channel, e.Item.Timestamp),
		SlackThread: e.Item.Timestamp,
	})
	if err != nil && !commands.IsDuplicate(err) {
		b.dm(ctx, e.User, ":warning: I could not make that message a ticket: "+esc(domain.ErrorMessage(err)))
	}
}

// message reads one message, top-level or in a thread.
func (b *Bot) message(ctx context.Context, channel, ts string) (*slack.Message, error) {
	h, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Latest: ts, Oldest: ts, Inclusive: true, Limit: 1,
	})
	if err == nil && len(h.Messages) > 0 {
		return &h.Messages[0], nil
	}
	msgs, _, _, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: ts, Latest: ts, Oldest: ts, Inclusive: true, Limit: 1,
	})
	if err != nil {
		return nil, err
	}
	for i := range msgs {
		if msgs[i].Timestamp == ts {
			return &msgs[i], nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
}

// onOriginalEdit follows an edit or a deletion of a top-level message a
// ticket may have been opened from: the description follows the edit, a
// deletion is noted on the card.
func (b *Bot) onOriginalEdit(ctx context.Context, channel string, msg *slack.Msg, deleted bool) {
	a, err := b.people.actor(ctx, msg.User, channel)
	if err != nil {
		return
	}
	if _, err := b.svc.OriginalChanged(ctx, a, "msg:"+messageRef(channel, msg.Timestamp), msg.Text, deleted); err != nil {
		b.log.Error("bot: unable to follow the original message", "channel", channel, "err", err)
	}
}

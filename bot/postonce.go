package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

// outboxEventType is the metadata event type of deskbot's outbox posts:
// the payload's outbox_id names the outbox message the post delivers.
const outboxEventType = "deskbot_outbox"

// postOnce posts an outbox message's post once, whatever happened to
// earlier attempts: the post carries the outbox message (and the ticket
// of a card) in its metadata, and a retry first looks for a post an
// interrupted attempt made (Slack took it, the process died before
// recording it) and takes its ts instead of posting again. A card looks
// for any card of its ticket since the ticket was created (card, not
// zero): an earlier card message of the ticket may have posted it. m nil
// posts without either.
func (b *Bot) postOnce(ctx context.Context, m *domain.OutboxMessage, card *domain.Ticket, channel, thread string, opts ...slack.MsgOption) (string, error) {
	if m != nil {
		ts, err := b.earlierPost(ctx, m, card, channel, thread)
		if err != nil {
			return "", err
		}
		if ts != "" {
			b.log.Info("outbox: an earlier attempt posted this already; not posting again", "id", m.ID, "channel", channel, "ts", ts)
			b.metrics.outbox.WithLabelValues(m.Kind, "found").Inc()
			return ts, nil
		}
		payload := map[string]any{"outbox_id": strconv.FormatInt(m.ID, 10)}
		if card != nil {
			payload["ticket_id"] = strconv.FormatInt(card.ID, 10)
		}
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: outboxEventType, EventPayload: payload}))
	}
	_, ts, err := b.postJoining(ctx, channel, opts...)
	if err != nil {
		return "", err
	}
	b.failpoint(FailAfterPost)
	return ts, nil
}

// Post-once lookups read at most lookupPages pages of lookupLimit
// messages posted since the first attempt (less lookupSlack, for clocks
// apart): a retry comes seconds after a crash, so the window is short.
const (
	lookupSlack = 30 * time.Second
	lookupLimit = 200
	lookupPages = 5
)

// earlierPost is the ts of a post an earlier attempt to deliver m made in
// channel (in thread, when not ""), or "" when there is none. A retry
// looks, and so does any card message but its ticket's first (queued with
// the ticket): the card is not recorded, and an earlier message of the
// ticket may have posted it — its post timed out but was taken, on this
// replica or on one that died or handed over since, and this message,
// queued by a later change, came next. The first attempt of a ticket's
// first card message cannot have posted before.
func (b *Bot) earlierPost(ctx context.Context, m *domain.OutboxMessage, card *domain.Ticket, channel, thread string) (string, error) {
	later := card != nil && m.CreatedAt.After(card.CreatedAt)
	if m.Attempts <= 1 && !later || card == nil && m.FirstClaimed == nil || channel == "" {
		return "", nil
	}
	key, want := "outbox_id", strconv.FormatInt(m.ID, 10)
	var since time.Time
	if card != nil {
		key, want = "ticket_id", strconv.FormatInt(card.ID, 10)
		since = card.CreatedAt
	} else {
		since = *m.FirstClaimed
	}
	since = since.Add(-lookupSlack)
	oldest := fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000)
	cursor := ""
	for range lookupPages {
		var msgs []slack.Message
		var err error
		if thread != "" {
			msgs, _, cursor, err = b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: thread, Oldest: oldest, Limit: lookupLimit, Cursor: cursor, IncludeAllMetadata: true})
		} else {
			var h *slack.GetConversationHistoryResponse
			h, err = b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: oldest, Limit: lookupLimit, Cursor: cursor, IncludeAllMetadata: true})
			if h != nil {
				msgs, cursor = h.Messages, h.ResponseMetaData.NextCursor
			}
		}
		switch slackErr(err) {
		case "":
		case "not_in_channel", "channel_not_found", "thread_not_found":
			// Nothing of ours can be there: a post needs the bot in.
			return "", nil
		default:
			return "", fmt.Errorf("unable to look for an earlier post: %w", err)
		}
		for _, msg := range msgs {
			md := msg.Metadata
			if md.EventType == outboxEventType && fmt.Sprint(md.EventPayload[key]) == want && msg.BotID != "" {
				return msg.Timestamp, nil
			}
		}
		if cursor == "" {
			return "", nil
		}
	}
	return "", nil
}

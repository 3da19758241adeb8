package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

// reply answers the person who asked, privately, through the response_url
// Slack gave with their command or click (it works in any conversation,
// whether or not the bot is a member).
func (b *Bot) reply(ctx context.Context, responseURL, text string, blocks ...slack.Block) {
	if user, ok := strings.CutPrefix(responseURL, "dm:"); ok {
		// Clicks in the App Home come without a response_url.
		b.dm(ctx, user, text)
		return
	}
	msg := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: cut(text, maxMessageText)}
	if len(blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: blocks}
	}
	b.call("response_url", func() error { return slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.web, msg) })
}

// replaceOriginal swaps the ephemeral message a click came from (list pages).
func (b *Bot) replaceOriginal(ctx context.Context, responseURL, text string, blocks []slack.Block) {
	msg := &slack.WebhookMessage{ReplaceOriginal: true, ResponseType: slack.ResponseTypeEphemeral, Text: cut(text, maxMessageText), Blocks: &slack.Blocks{BlockSet: blocks}}
	b.call("response_url", func() error { return slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.web, msg) })
}

// fail tells the person what went wrong: the error's message when it is
// one of ours, "internal error" otherwise, with the detail in the log.
func (b *Bot) fail(ctx context.Context, responseURL string, err error) {
	if retryLater(ctx, err) {
		b.log.Warn("bot: request failed; it will be tried again", "err", err)
		return
	}
	if domain.ErrorCode(err) == domain.EINTERNAL {
		b.log.Error("bot: request failed", "err", err)
	}
	b.reply(ctx, responseURL, ":warning: "+esc(domain.ErrorMessage(err)))
}

// call runs a synchronous Slack call and logs its failure. Web API calls
// go through b.ui, which waits out a 429 itself; a response_url is not
// rate limited (it takes five uses in thirty minutes, then refuses).
func (b *Bot) call(what string, fn func() error) error {
	err := fn()
	if err != nil {
		b.log.Warn("bot: slack call failed", "call", what, "err", err)
	}
	return err
}

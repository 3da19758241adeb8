package bot

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Page buttons carry "page|query" (the query as typed, or viewPrefix and
// a saved view's name); interactions.go hands them back to listTickets.
const (
	actListPage = "list_page"
	viewPrefix  = "\x1eview:"
)

// listTickets answers `/ticket list <query>` (and its page buttons) with
// one page in the query's layout; Next/Previous replace it in place.
// Old words (mine, unassigned, all, closed, #customer, !priority) still
// work: commands reads them as aliases.
func (b *Bot) listTickets(ctx context.Context, a domain.Actor, responseURL, args string, page int, replace bool) {
	b.showQuery(ctx, a, responseURL, "", args, page, replace)
}

// showQuery runs a query, or a saved view when args holds viewPrefix,
// and answers in its layout. channel is where a timeline picture goes;
// "" sends it to the person's DMs.
func (b *Bot) showQuery(ctx context.Context, a domain.Actor, responseURL, channel, args string, page int, replace bool) {
	loc := b.userLoc(ctx, a.UserID)
	var r *commands.ViewResult
	var err error
	if name, ok := strings.CutPrefix(args, viewPrefix); ok {
		r, err = b.svc.RunView(ctx, a, name, page, loc)
	} else if q, perr := b.plainQuery(ctx, args); perr != nil {
		err = perr
	} else {
		r, err = b.svc.QueryTicketsIn(ctx, a, q, page, loc)
	}
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if r.Layout == "timeline" {
		b.postTimeline(ctx, a, responseURL, channel, r)
		return
	}
	nav := func(p int) string { return pageValue(args, p) }
	blocks := resultBlocks(b.svc.Config(), r, b.faceOf(ctx, r), nav)
	text := fmt.Sprintf("%d tickets", r.Total)
	switch {
	case strings.HasPrefix(responseURL, "dm:"):
		b.dmBlocks(ctx, strings.TrimPrefix(responseURL, "dm:"), text, blocks)
	case replace:
		b.replaceOriginal(ctx, responseURL, text, blocks)
	default:
		b.reply(ctx, responseURL, text, blocks...)
	}
}

// postTimeline uploads the page's timeline picture into the channel the
// command came from, else (the bot is not there, or a DM) the person's DMs.
func (b *Bot) postTimeline(ctx context.Context, a domain.Actor, responseURL, channel string, r *commands.ViewResult) {
	if len(r.Tickets) == 0 {
		b.reply(ctx, responseURL, "Nothing matches, so there is no timeline to draw.")
		return
	}
	img, err := drawTimeline(b.svc.Config(), r)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	comment := fmt.Sprintf("Timeline of %d of %d tickets: `%s`. The mark on each bar is its due date, else its next SLA deadline.", len(r.Tickets), r.Total, escCut(r.Query, 300))
	upload := func(ch string) error {
		return b.call("files.upload", func() error {
			_, err := b.ui.UploadFileContext(ctx, slack.UploadFileParameters{
				Channel: ch, Filename: "timeline.png", FileSize: len(img), Reader: bytes.NewReader(img),
				Title: "Timeline", InitialComment: comment, AltTxt: "Gantt chart of " + strconv.Itoa(len(r.Tickets)) + " tickets",
			})
			return err
		})
	}
	if channel != "" && upload(channel) == nil {
		b.reply(ctx, responseURL, fmt.Sprintf("The timeline is posted in %s.", channelRef(channel)))
		return
	}
	dm, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{a.UserID}})
	if err == nil {
		err = upload(dm.ID)
	}
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if !strings.HasPrefix(responseURL, "dm:") {
		b.reply(ctx, responseURL, "The timeline is in your direct messages with deskbot.")
	}
}

// dmBlocks sends a message with blocks to a person's DMs (clicks in the
// App Home have no response_url).
func (b *Bot) dmBlocks(ctx context.Context, user, text string, blocks []slack.Block) {
	b.call("dm", func() error {
		ch, _, _, err := b.ui.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		if err != nil {
			return err
		}
		_, _, err = b.ui.PostMessageContext(ctx, ch.ID, slack.MsgOptionText(cut(text, maxMessageText), false), slack.MsgOptionBlocks(blocks...))
		return err
	})
}

// userLoc is the person's time zone from their Slack profile, else UTC.
func (b *Bot) userLoc(ctx context.Context, userID string) *time.Location {
	if userID == "" {
		return time.UTC
	}
	u, err := b.people.user(ctx, userID)
	if err != nil || u.TZ == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TZ)
	if err != nil {
		return time.UTC
	}
	return loc
}

// pageValue fits Slack's 2000-character button value; a query cut there
// still parses or says why.
func pageValue(args string, page int) string {
	return cut(strconv.Itoa(page)+"|"+args, 2000)
}

func parsePageValue(v string) (string, int) {
	o, args, _ := strings.Cut(v, "|")
	n, _ := strconv.Atoi(o)
	return args, max(n, 0)
}

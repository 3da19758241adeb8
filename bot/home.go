package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

const homeListMax = 20

// publishHome draws a person's App Home: their running timer, their queue
// and the tickets they asked for, within the Home tab's 100 blocks.
func (b *Bot) publishHome(ctx context.Context, userID string) {
	a, err := b.ppl.actor(ctx, userID, "")
	if err != nil {
		b.log.Error("bot: home actor", "err", err)
		return
	}
	blocks, err := b.homeBlocks(ctx, a)
	if err != nil {
		b.log.Error("bot: home", "err", err)
		return
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	b.retry(ctx, "views.publish", func() error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
}

func (b *Bot) homeBlocks(ctx context.Context, a domain.Actor) ([]slack.Block, error) {
	cfg := b.svc.Config()
	blocks := []slack.Block{slack.NewHeaderBlock(plain("deskbot"))}
	if a.IsAgent() {
		e, t, err := b.svc.RunningTimer(ctx, a)
		if err != nil {
			return nil, err
		}
		if e != nil {
			blocks = append(blocks, slack.NewSectionBlock(
				mrkdwn(fmt.Sprintf(":stopwatch: Timer running on *%s* %s since %s", t.Key(), escCut(t.Title, 150), slackDate(e.StartedAt, "{time}"))),
				nil, slack.NewAccessory(slack.NewButtonBlockElement(actTimerStop, t.Key(), plain("Stop timer")))))
		} else {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn("No timer running. Start one from a ticket."), nil, nil))
		}
		me := a.UserID
		mine, total, err := b.svc.ListTickets(ctx, a, domain.TicketFilter{AssigneeID: &me, Statuses: b.svc.OpenStatuses(), Limit: homeListMax})
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, homeSection(cfg, fmt.Sprintf("Your queue (%d)", total), mine, true)...)
	}
	asked, total, err := b.svc.ListTickets(ctx, a, domain.TicketFilter{RequesterID: a.UserID, Statuses: b.svc.OpenStatuses(), Limit: homeListMax})
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, homeSection(cfg, fmt.Sprintf("Tickets you requested (%d)", total), asked, false)...)
	if len(blocks) > maxViewBlocks {
		blocks = blocks[:maxViewBlocks]
	}
	return blocks, nil
}

func homeSection(cfg *domain.Config, title string, ts []*domain.Ticket, timers bool) []slack.Block {
	out := []slack.Block{slack.NewDividerBlock(), slack.NewHeaderBlock(plain(cut(title, maxHeaderText)))}
	if len(ts) == 0 {
		return append(out, slack.NewContextBlock("", mrkdwn("Nothing here.")))
	}
	for _, t := range ts {
		text := fmt.Sprintf("*%s* %s\n%s · %s", t.Key(), escCut(t.Title, 150), esc(cfg.StatusLabel(t.Status)), esc(t.Priority))
		var acc *slack.Accessory
		if timers {
			acc = slack.NewAccessory(slack.NewButtonBlockElement(actTimerStart, t.Key(), plain("Start timer")))
		}
		out = append(out, slack.NewSectionBlock(mrkdwn(text), nil, acc))
	}
	return out
}

package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// homeEvery is the least time between two publishes of one person's Home:
// a burst of changes to their tickets redraws it once, a few seconds on.
const homeEvery = 3 * time.Second

// homeRefresh debounces App Home publishes per person. Its zero value is
// ready; now and after are injectable for tests.
type homeRefresh struct {
	mu      sync.Mutex
	last    map[string]time.Time // last publish started
	pending map[string]bool      // a trailing publish is scheduled
	now     func() time.Time
	after   func(time.Duration, func())
	// base is Run's context, set before any handler runs: a trailing
	// publish outlives the handler that asked for it, whose context ends
	// with it — bound to that one it never ran, left pending set, and the
	// person's Home was never redrawn again.
	base context.Context
}

// ask reports whether to publish now; if not, schedule is non-nil and
// when it runs the publish is due. A person with a publish pending asks
// for nothing more: that one will show their latest tickets.
func (h *homeRefresh) ask(user string) (now bool, wait time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == nil {
		h.last, h.pending = map[string]time.Time{}, map[string]bool{}
	}
	clock := time.Now
	if h.now != nil {
		clock = h.now
	}
	t := clock()
	if h.pending[user] {
		return false, 0
	}
	if last, ok := h.last[user]; ok && t.Sub(last) < homeEvery {
		h.pending[user] = true
		return false, homeEvery - t.Sub(last)
	}
	h.last[user] = t
	return true, 0
}

// fire marks a scheduled publish as started.
func (h *homeRefresh) fire(user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	clock := time.Now
	if h.now != nil {
		clock = h.now
	}
	delete(h.pending, user)
	h.last[user] = clock()
}

// seen reports whether the person's Home was ever published here: only
// those are redrawn when their tickets change.
func (h *homeRefresh) seen(user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.last[user]
	return ok
}

// publishHome redraws a person's App Home, at most once per homeEvery:
// a call inside the window schedules one publish at its end.
func (b *Bot) publishHome(ctx context.Context, userID string) {
	now, wait := b.home.ask(userID)
	if now {
		b.publishHomeNow(ctx, userID)
		return
	}
	if wait <= 0 {
		return
	}
	after := time.AfterFunc
	if b.home.after != nil {
		after = func(d time.Duration, f func()) *time.Timer { b.home.after(d, f); return nil }
	}
	base := b.home.base
	if base == nil {
		base = ctx
	}
	after(wait, func() {
		if base.Err() != nil {
			return
		}
		b.work(base, "home", func(ctx context.Context) {
			b.home.fire(userID)
			b.publishHomeNow(ctx, userID)
		})
	})
}

// HomeTicketChanged redraws the Homes that show a ticket (its assignee's
// and requester's), debounced; the card dispatcher calls it after a
// card update, which follows every change.
func (b *Bot) HomeTicketChanged(ctx context.Context, t *domain.Ticket) {
	for _, u := range []string{t.AssigneeID, t.RequesterID} {
		if u != "" && b.home.seen(u) {
			b.publishHome(ctx, u)
		}
	}
}

func (b *Bot) publishHomeNow(ctx context.Context, userID string) {
	a, err := b.people.actor(ctx, userID, "")
	if err != nil {
		b.log.Error("bot: home actor", "err", err)
		return
	}
	d, err := b.svc.Dashboard(ctx, a, b.userLoc(ctx, userID))
	if err != nil {
		b.log.Error("bot: home", "err", err)
		return
	}
	blocks := homeBlocks(b.svc.Config(), a, d, b.homeFace(ctx, a, d))
	if o, err := b.svc.OnboardingFor(ctx, a); err != nil {
		b.log.Warn("bot: home onboarding", "err", err)
	} else if steps := onboardingBlocks(o); len(steps) > 0 {
		// After the header: the first thing an admin of a fresh workspace reads.
		blocks = append(blocks[:1], append(steps, blocks[1:]...)...)
		if len(blocks) > maxViewBlocks {
			blocks = blocks[:maxViewBlocks]
		}
	}
	b.introduce(ctx, a)
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	b.call("views.publish", func() error {
		_, err := b.ui.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
}

// homeBlocks draws the dashboard: running timer, queue, tickets at risk,
// tickets asked for, pinned views with counts and charts. Each part has a
// fixed cap, so the whole stays under the Home tab's 100 blocks: at most
// 2 + 3+15 + 3+8 + 3+8 + 2+20 = 64.
func homeBlocks(cfg *domain.Config, a domain.Actor, d *commands.Dashboard, f face) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain("deskbot"))}
	if a.IsAgent() {
		if d.Timer != nil && d.TimerTicket != nil {
			t := d.TimerTicket
			blocks = append(blocks, slack.NewSectionBlock(
				mrkdwn(fmt.Sprintf(":stopwatch: Timer running on *%s* %s since %s", t.Key(), escCut(t.Title, 150), slackDate(d.Timer.StartedAt, "{time}"))),
				nil, slack.NewAccessory(slack.NewButtonBlockElement(actTimerStop, t.Key(), plain("Stop timer")))))
		} else {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn("No timer running. Start one from a ticket."), nil, nil))
		}
		// Time worked away from a card (a call, a meeting) is logged from here.
		blocks = append(blocks, slack.NewActionBlock("home_time", slack.NewButtonBlockElement(actLogTime, "", plain(":memo: Log time"))))
		blocks = append(blocks, homeList(cfg, fmt.Sprintf("Your queue (%d)", d.Queue.Total), d.Queue, true, "mine")...)
		blocks = append(blocks, homeList(cfg, fmt.Sprintf("At risk of breaching (%d)", d.AtRisk.Total), d.AtRisk, false, "sla:at-risk,breached assignee:me,none")...)
	}
	if d.Company != nil {
		blocks = append(blocks, customerHomeList(cfg, fmt.Sprintf("Your company's open tickets (%d)", d.Company.Total), d.Company)...)
	}
	switch {
	case d.Requested != nil && f.customer:
		blocks = append(blocks, customerHomeList(cfg, fmt.Sprintf("Tickets you requested (%d)", d.Requested.Total), d.Requested)...)
	case d.Requested != nil:
		blocks = append(blocks, homeList(cfg, fmt.Sprintf("Tickets you requested (%d)", d.Requested.Total), d.Requested, false, "requester:me")...)
	}
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Pinned views")))
	if len(d.Pinned) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Pin a saved view with `/desk view pin NAME` to see it here with its count.")))
	}
	for _, p := range d.Pinned {
		blocks = append(blocks, pinnedBlock(cfg, f, p))
	}
	if len(blocks) > maxViewBlocks {
		blocks = blocks[:maxViewBlocks]
	}
	return blocks
}

func homeList(cfg *domain.Config, title string, r *commands.ViewResult, timers bool, more string) []slack.Block {
	out := []slack.Block{slack.NewDividerBlock(), slack.NewHeaderBlock(plain(cut(title, maxHeaderText)))}
	if r == nil || len(r.Tickets) == 0 {
		return append(out, slack.NewContextBlock("", mrkdwn("Nothing here.")))
	}
	for _, t := range r.Tickets {
		text := fmt.Sprintf("*%s* %s\n%s · %s", t.Key(), escCut(t.Title, 150), esc(cfg.StatusLabel(t.Status)), esc(t.Priority))
		if m := slaMark(r, t); m != "" {
			text += " · " + m
		}
		var acc *slack.Accessory
		if timers {
			acc = slack.NewAccessory(slack.NewButtonBlockElement(actTimerStart, t.Key(), plain("Start timer")))
		}
		out = append(out, slack.NewSectionBlock(mrkdwn(text), nil, acc))
	}
	if r.Total > len(r.Tickets) {
		out = append(out, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more: `%s`", r.Total-len(r.Tickets), strings.TrimSpace("/ticket list "+more)))))
	}
	return out
}

// pinnedBlock: the view's count and a bar chart of its groups, drawn in
// text (Slack's data_visualization block is not available to every
// client, and the emulator refuses it like older ones do). Its button
// opens the view's first page in the person's DMs.
func pinnedBlock(cfg *domain.Config, f face, p commands.PinnedView) slack.Block {
	text := fmt.Sprintf("*%s* · %d tickets", escCut(p.View.Name, 100), p.Total)
	if p.Err != "" {
		text = fmt.Sprintf("*%s* · :warning: %s", escCut(p.View.Name, 100), escCut(p.Err, 300))
	} else if len(p.Groups) > 0 {
		text += " by " + p.Group + "\n" + barChart(cfg, f, p.Group, p.Groups)
	}
	open := slack.NewButtonBlockElement(actListPage+"_next", pageValue(viewPrefix+p.View.Name, 0), plain("Open"))
	return slack.NewSectionBlock(mrkdwn(cut(text, sectionBudget)), nil, slack.NewAccessory(open))
}

// barChart draws counts as bars in a code block, largest group first cut
// at eight groups, so a phone shows it without wrapping.
func barChart(cfg *domain.Config, f face, group string, gs []domain.ViewGroup) string {
	const width, rows = 16, 8
	top := 0
	for _, g := range gs {
		top = max(top, g.Count)
	}
	var lines []string
	for i, g := range gs {
		if i == rows {
			lines = append(lines, fmt.Sprintf("…%d more groups", len(gs)-rows))
			break
		}
		label := g.Key
		switch {
		case label == "" && group == "assignee":
			label = "unassigned"
		case label == "":
			label = "none"
		case group == "status":
			label = f.status(cfg, label)
		case group == "assignee" && f.customer:
			label = firstNonEmpty(f.names[label], "support")
		}
		n := max(g.Count*width/max(top, 1), 1)
		lines = append(lines, fmt.Sprintf("%-12s %s %d", cut(label, 12), strings.Repeat("█", n), g.Count))
	}
	return "```" + esc(strings.Join(lines, "\n")) + "```"
}

// customerHomeList is a list on a customer's Home: each ticket's status in
// their words, its priority and what we promised — the public due date,
// else the SLA deadline — never our alert levels.
func customerHomeList(cfg *domain.Config, title string, r *commands.ViewResult) []slack.Block {
	out := []slack.Block{slack.NewDividerBlock(), slack.NewHeaderBlock(plain(cut(title, maxHeaderText)))}
	if r == nil || len(r.Tickets) == 0 {
		return append(out, slack.NewContextBlock("", mrkdwn("Nothing open.")))
	}
	for _, t := range r.Tickets {
		text := fmt.Sprintf("*%s* %s\n%s · %s", t.Key(), escCut(t.Title, 150), esc(cfg.CustomerStatusLabel(t.Status)), esc(t.Priority))
		if m := promiseMark(t); m != "" {
			text += " · " + m
		}
		out = append(out, slack.NewSectionBlock(mrkdwn(text), nil, nil))
	}
	if r.Total > len(r.Tickets) {
		out = append(out, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more: `/ticket list`", r.Total-len(r.Tickets)))))
	}
	return out
}

// homeFace is the face of a person's Home: a customer's (their company's
// tickets are read in its scope) shows names where agents see IDs.
func (b *Bot) homeFace(ctx context.Context, a domain.Actor, d *commands.Dashboard) face {
	f := face{customer: !a.IsAgent(), names: map[string]string{}}
	if !f.customer {
		return f
	}
	for _, p := range d.Pinned {
		if p.Group != "assignee" {
			continue
		}
		for _, g := range p.Groups {
			if _, ok := f.names[g.Key]; g.Key != "" && !ok {
				f.names[g.Key] = b.personName(ctx, g.Key)
			}
		}
	}
	return f
}

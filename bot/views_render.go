package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// sectionBudget keeps each section under Slack's 3000 characters with room
// for the escaping that cut lines already include.
const sectionBudget = 2900

// resultBlocks renders a query's page in its layout, always within one
// message's 50 blocks: rows are packed into sections, long pages are cut
// with a note, never refused. nav gives the value of the Previous/Next
// buttons for a page. Timelines are pictures: see postTimeline.
func resultBlocks(cfg *domain.Config, r *commands.ViewResult, f face, nav func(page int) string) []slack.Block {
	blocks := []slack.Block{resultHeader(cfg, r, f)}
	switch r.Layout {
	case "cards":
		blocks = append(blocks, cardsBlocks(cfg, r, f)...)
	case "tree":
		blocks = append(blocks, packLines(treeLines(cfg, r, f))...)
	case "calendar":
		blocks = append(blocks, packLines(calendarLines(cfg, r, f))...)
	default:
		blocks = append(blocks, packLines(listLines(cfg, r, f))...)
	}
	if len(r.Tickets) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Nothing matches. `/ticket help` shows the query language.")))
	}
	var navEls []slack.BlockElement
	if r.Layout != "calendar" {
		if r.Page > 0 {
			navEls = append(navEls, slack.NewButtonBlockElement(actListPage+"_prev", nav(r.Page-1), plain("← Previous")))
		}
		if r.Page+1 < r.Pages() {
			navEls = append(navEls, slack.NewButtonBlockElement(actListPage+"_next", nav(r.Page+1), plain("Next →")))
		}
	}
	return fitBlocks(blocks, maxBlocks, navEls)
}

// fitBlocks keeps the first blocks that fit with the navigation, saying
// what was left out.
func fitBlocks(blocks []slack.Block, limit int, nav []slack.BlockElement) []slack.Block {
	room := limit
	if len(nav) > 0 {
		room--
	}
	if len(blocks) > room {
		blocks = append(blocks[:room-1], slack.NewContextBlock("", mrkdwn("…cut to fit in Slack: narrow the query or use `as:list`.")))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("list_nav", nav...))
	}
	return blocks
}

func resultHeader(cfg *domain.Config, r *commands.ViewResult, f face) slack.Block {
	head := fmt.Sprintf("*%d tickets*", r.Total)
	if r.Total == 1 {
		head = "*1 ticket*"
	}
	if r.View != nil {
		head = "*" + escCut(r.View.Name, 100) + "* · " + head
	}
	if r.Layout == "calendar" {
		head += fmt.Sprintf(" due %s – %s", r.From.In(r.Loc).Format("Mon 2 Jan"), r.To.Add(-time.Second).In(r.Loc).Format("Mon 2 Jan"))
	} else if len(r.Tickets) > 0 {
		from := r.Page*r.PageSize + 1
		head += fmt.Sprintf(" · showing %d–%d", from, from+len(r.Tickets)-1)
	}
	if r.Group != "" && len(r.Groups) > 0 {
		var gs []string
		for i, g := range r.Groups {
			if i == 8 {
				gs = append(gs, fmt.Sprintf("+%d more", len(r.Groups)-8))
				break
			}
			gs = append(gs, fmt.Sprintf("%s %d", f.groupLabel(cfg, r.Group, g.Key), g.Count))
		}
		head += "\nBy " + r.Group + ": " + strings.Join(gs, " · ")
	}
	if !f.digest || !f.customer {
		// An agent's digest in a customer's channel keeps its query to itself.
		head += "\n`" + escCut(r.Query, 400) + "`"
	}
	return slack.NewSectionBlock(mrkdwn(cut(head, sectionBudget)), nil, nil)
}

// groupLabel shows a group's value as people know it.
func (f face) groupLabel(cfg *domain.Config, group, key string) string {
	switch {
	case key == "" && group == "assignee":
		return "Unassigned"
	case key == "":
		return "No " + group
	case group == "assignee":
		return f.person(key)
	case group == "status":
		return esc(f.status(cfg, key))
	case group == "type":
		return esc(cfg.TypeLabel(key))
	}
	return escCut(key, 60)
}

// listLines: compact rows, with a header line per group.
func listLines(cfg *domain.Config, r *commands.ViewResult, f face) []string {
	counts := map[string]int{}
	for _, g := range r.Groups {
		counts[g.Key] = g.Count
	}
	var lines []string
	prev := "\x00"
	for _, t := range r.Tickets {
		if r.Group != "" {
			if k := commands.GroupKey(t, r.Group); k != prev {
				lines = append(lines, fmt.Sprintf("*%s* (%d)", f.groupLabel(cfg, r.Group, k), counts[k]))
				prev = k
			}
		}
		lines = append(lines, ticketLine(cfg, r, f, t))
	}
	return lines
}

// ticketLine is one compact row: key, title, status, priority, assignee,
// SLA and blocked marks.
func ticketLine(cfg *domain.Config, r *commands.ViewResult, f face, t *domain.Ticket) string {
	s := fmt.Sprintf("`%s` %s · %s · %s · %s", t.Key(), escCut(t.Title, 90), esc(f.status(cfg, t.Status)), esc(t.Priority), f.person(t.AssigneeID))
	if m := f.mark(r, t); m != "" {
		s += " · " + m
	}
	if r.Blocked[t.ID] {
		s += " · :no_entry: blocked"
	}
	if sn := r.Snippets[t.ID]; sn != "" {
		s += "\n> " + snippetText(sn)
	}
	return s
}

// slaMark: breached, else the time to the ticket's next SLA threshold
// (sla_due_at: a warning or the deadline).
func slaMark(r *commands.ViewResult, t *domain.Ticket) string {
	switch {
	case r.Breached[t.ID]:
		return ":red_circle: SLA breached"
	case t.SLADueAt == nil:
		return ""
	case t.SLADueAt.Before(r.Now):
		return ":large_orange_circle: SLA due"
	}
	return ":stopwatch: SLA " + shortIn(t.SLADueAt.Sub(r.Now))
}

// shortIn writes a duration ahead coarsely: 45m, 3h, 2d.
func shortIn(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// packLines joins lines into as few sections as fit.
func packLines(lines []string) []slack.Block {
	var out []slack.Block
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, slack.NewSectionBlock(mrkdwn(cur.String()), nil, nil))
			cur.Reset()
		}
	}
	for _, l := range lines {
		l = cut(l, 600)
		if utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(l)+1 > sectionBudget {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	flush()
	return out
}

// cardsBlocks: a card per ticket with its main actions, as sections and
// buttons (Slack's card and carousel blocks are not universally
// available, and the emulator, like older clients, refuses them).
func cardsBlocks(cfg *domain.Config, r *commands.ViewResult, f face) []slack.Block {
	var out []slack.Block
	for _, t := range r.Tickets {
		text := fmt.Sprintf("*%s* %s\n%s · %s · %s · %s", t.Key(), escCut(t.Title, 200), esc(f.status(cfg, t.Status)),
			esc(t.Priority), f.person(t.AssigneeID), esc(t.CustomerKey))
		if m := f.mark(r, t); m != "" {
			text += "\n" + m
		}
		if r.Blocked[t.ID] {
			text += "\n:no_entry: blocked"
		}
		if sn := r.Snippets[t.ID]; sn != "" {
			text += "\n> " + snippetText(sn)
		}
		out = append(out, slack.NewDividerBlock(), slack.NewSectionBlock(mrkdwn(text), nil, nil))
		if f.customer {
			continue
		}
		done := cfg.Status(t.Status) != nil && cfg.Status(t.Status).Done()
		var els []slack.BlockElement
		if !done {
			els = append(els, slack.NewButtonBlockElement(actTimerStart, t.Key(), plain("▶ Start timer")),
				slack.NewButtonBlockElement(actAssignMe, t.Key(), plain("Assign to me")))
		}
		var opts []*slack.OptionBlockObject
		if wf := cfg.WorkflowFor(t.Type); wf != nil {
			for _, s := range wf.Next(t.Status) {
				opts = append(opts, slack.NewOptionBlockObject(t.Key()+"|"+s, plain(cut(cfg.StatusLabel(s), maxOptionText)), nil))
			}
		}
		if len(opts) > 0 {
			els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Move to…"), actStatus, opts...))
		}
		if len(els) > 0 {
			out = append(out, slack.NewActionBlock("", els...))
		}
	}
	return out
}

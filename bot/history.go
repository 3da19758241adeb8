package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// History pages: buttons carry "KEY|page".
const (
	actHistoryPage = "history_page"
	historyPage    = 15
)

// showHistory answers `/ticket KEY history` and the card's History with
// one page of the ticket's events, newest first, in the reader's time
// zone; Previous/Next replace it in place.
func (b *Bot) showHistory(ctx context.Context, a domain.Actor, responseURL, key string, page int, replace bool) {
	t, es, err := b.svc.TicketEvents(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	loc := b.userLoc(ctx, a.UserID)
	blocks := historyBlocks(b.svc.Config(), t, es, page, loc, time.Now(), !a.IsAgent())
	text := "History of " + t.Key()
	switch {
	case strings.HasPrefix(responseURL, "dm:"):
		b.dmBlocks(ctx, strings.TrimPrefix(responseURL, "dm:"), text, blocks)
	case replace:
		b.replaceOriginal(ctx, responseURL, text, blocks)
	default:
		b.reply(ctx, responseURL, text, blocks...)
	}
}

// historyBlocks lays out one page of a newest-first history: a heading,
// the lines in sections under Slack's 3000 characters, the page buttons.
func historyBlocks(cfg *domain.Config, t *domain.Ticket, es []*domain.Event, page int, loc *time.Location, now time.Time, customer bool) []slack.Block {
	pages := max(1, (len(es)+historyPage-1)/historyPage)
	page = min(max(page, 0), pages-1)
	lines := historyLines(cfg, es[min(page*historyPage, len(es)):min((page+1)*historyPage, len(es))], loc, now, customer)
	head := fmt.Sprintf("*History of %s* %s — %d events, newest first; times in %s", t.Key(), escCut(t.Title, 200), len(es), esc(loc.String()))
	if pages > 1 {
		head += fmt.Sprintf(" (page %d of %d)", page+1, pages)
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil, slack.SectionBlockOptionBlockID("history_head"))}
	if len(lines) == 0 {
		lines = []string{"_Nothing recorded yet._"}
	}
	var chunk strings.Builder
	flush := func() {
		if chunk.Len() > 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk.String()), nil, nil))
			chunk.Reset()
		}
	}
	for _, l := range lines {
		l = cut(l, 600)
		if chunk.Len()+len(l)+1 > 2900 {
			flush()
		}
		chunk.WriteString(l + "\n")
	}
	flush()
	var nav []slack.BlockElement
	if page > 0 {
		nav = append(nav, slack.NewButtonBlockElement(actHistoryPage+"_prev", t.Key()+"|"+strconv.Itoa(page-1), plain("Previous")))
	}
	if page < pages-1 {
		nav = append(nav, slack.NewButtonBlockElement(actHistoryPage+"_next", t.Key()+"|"+strconv.Itoa(page+1), plain("Next")))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("history_nav", nav...))
	}
	return blocks
}

// historyLines words events one a line: what changed, by whom, when (in
// loc, the date left out for today) and through what.
func historyLines(cfg *domain.Config, es []*domain.Event, loc *time.Location, now time.Time, customer bool) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, fmt.Sprintf("• %s by %s, %s%s", eventSentence(cfg, e, customer), actorName(e.Actor), whenIn(e.At, loc, now), viaName(e.Channel)))
	}
	return out
}

// whenIn is a time as its reader reads it: 14:02 today, Tue 2 Dec 14:02
// this year, 2 Dec 2025 14:02 before.
func whenIn(at time.Time, loc *time.Location, now time.Time) string {
	at, now = at.In(loc), now.In(loc)
	switch {
	case at.Year() == now.Year() && at.YearDay() == now.YearDay():
		return at.Format("15:04")
	case at.Year() == now.Year():
		return at.Format("Mon 2 Jan 15:04")
	}
	return at.Format("2 Jan 2006 15:04")
}

func actorName(ref string) string {
	switch {
	case ref == "" || ref == "unknown":
		return "someone"
	case ref == domain.SystemActor("").Ref():
		return "deskbot"
	case strings.HasPrefix(ref, "api:"):
		return "`" + esc(ref) + "`"
	case strings.Contains(ref, "@"):
		return esc(ref)
	}
	return "<@" + esc(ref) + ">"
}

var channelNames = map[string]string{
	domain.ChannelSlack: "Slack", domain.ChannelEmail: "email", domain.ChannelScheduler: "the scheduler",
	domain.ChannelCLI: "the command line", domain.ChannelAPI: "the API", domain.ChannelAutomation: "an automation",
	commands.ChannelPortal: "the ticket page",
}

func viaName(ch string) string {
	if ch == "" {
		return ""
	}
	if n, ok := channelNames[ch]; ok {
		return " via " + n
	}
	return " via " + esc(ch)
}

// change words "old → new", "set to new" or "cleared".
func change(old, new string) string {
	old, new = escCut(old, 120), escCut(new, 120)
	switch {
	case old == "" && new == "":
		return "changed"
	case old == "":
		return "set to " + new
	case new == "":
		return old + " → cleared"
	}
	return old + " → " + new
}

var linkWords = map[string]string{
	domain.LinkBlocks: "Blocks", domain.LinkBlocks + "_by": "Blocked by",
	domain.LinkParent: "Parent of", domain.LinkParent + "_by": "Child of",
	domain.LinkFollowUp: "Follows up", domain.LinkFollowUp + "_by": "Followed up in",
}

// eventSentence words one event; customer words statuses as the
// customer's card does.
func eventSentence(cfg *domain.Config, e *domain.Event, customer bool) string {
	status := cfg.StatusLabel
	if customer {
		status = cfg.CustomerStatusLabel
	}
	label := func(s string) string {
		if s == "" {
			return ""
		}
		return status(s)
	}
	switch e.Kind {
	case domain.EventCreated:
		return "Created"
	case domain.EventStatus:
		return "Status " + change(label(e.OldValue), label(e.NewValue))
	case domain.EventDismissed:
		return "Closed as not a ticket"
	case domain.EventAssigned:
		if e.NewValue == "" {
			return "Unassigned (was " + actorName(e.OldValue) + ")"
		}
		return "Assigned to " + actorName(e.NewValue)
	case domain.EventPriority:
		return "Priority " + change(e.OldValue, e.NewValue)
	case domain.EventSeverity:
		return "Severity " + change(e.OldValue, e.NewValue)
	case domain.EventType:
		return "Type " + change(cfg.TypeLabel(e.OldValue), cfg.TypeLabel(e.NewValue))
	case domain.EventTitle:
		return "Title " + change(e.OldValue, e.NewValue)
	case commands.EventDescription:
		return "Description changed"
	case domain.EventField:
		return fieldLabel(cfg, e.Field) + " " + change(e.OldValue, e.NewValue)
	case domain.EventComment:
		if e.NewValue == "internal" {
			return "Internal note"
		}
		return "Reply"
	case domain.EventCommentEdit:
		return "Comment edited"
	case domain.EventCommentDel:
		return "Comment deleted"
	case domain.EventFirstReply:
		return "First response"
	case domain.EventLinked:
		return firstNonEmpty(linkWords[e.Field], "Linked: "+esc(e.Field)) + " " + esc(e.NewValue)
	case domain.EventTimerStarted:
		return "Timer started"
	case domain.EventTimerStopped:
		return "Timer stopped (" + esc(e.NewValue) + ")"
	case domain.EventTimeLogged:
		return "Logged " + esc(e.NewValue)
	case domain.EventTimeEdited:
		return "Time entry " + esc(e.Field) + " " + change(e.OldValue, e.NewValue)
	case domain.EventTimeDeleted:
		return "Time entry deleted"
	case domain.EventMoved:
		return "Moved from customer " + change(e.OldValue, e.NewValue)
	case domain.EventTag:
		if e.NewValue != "" {
			return "Tag +" + esc(e.NewValue)
		}
		return "Tag -" + esc(e.OldValue)
	case domain.EventSLAPolicy:
		return "SLA policy " + change(e.OldValue, e.NewValue)
	case domain.EventAutomation:
		return fmt.Sprintf("Automation “%s”: %s", escCut(e.Field, 100), escCut(e.NewValue, 300))
	case domain.EventReminder:
		return "Customer reminded (" + escCut(e.NewValue, 200) + ")"
	case domain.EventFixed:
		return "Fixed in " + esc(e.NewValue)
	case domain.EventSurvey:
		return "Rated " + esc(e.NewValue) + "/5"
	case commands.EventOriginalDeleted:
		return "The message it came from was deleted"
	case domain.EventMerged:
		if e.Field == "merged_from" {
			return esc(e.NewValue) + " merged into this ticket"
		}
		return "Merged into " + esc(e.NewValue) + " (was " + label(e.OldValue) + ")"
	case domain.EventUnmerged:
		if e.Field == "merged_from" {
			return esc(e.OldValue) + " unmerged from this ticket"
		}
		return "Unmerged from " + esc(e.OldValue) + ", back to " + label(e.NewValue)
	}
	s := esc(strings.ReplaceAll(e.Kind, "_", " "))
	if e.Field != "" {
		s += " " + esc(e.Field)
	}
	return capitalize(s) + ": " + change(e.OldValue, e.NewValue)
}

func fieldLabel(cfg *domain.Config, name string) string {
	if name == "due" {
		return "Due date"
	}
	if f := cfg.Field(name); f != nil && f.Label != "" {
		return esc(f.Label)
	}
	return capitalize(esc(name))
}

package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// Action IDs of the card's controls. Values carry the ticket key.
const (
	actTimerStart = "timer_start"
	actTimerStop  = "timer_stop"
	actAssignMe   = "assign_me"
	actStatus     = "status"
	actLogTime    = "log_time"
	actClose      = "close"
	actNotTicket  = "not_ticket"
)

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// slackDate shows a time in each reader's own time zone.
func slackDate(t time.Time, format string) string {
	return fmt.Sprintf("<!date^%d^%s|%s>", t.Unix(), format, t.UTC().Format("2006-01-02 15:04 UTC"))
}

func userRef(id string) string {
	switch {
	case id == "":
		return "_unassigned_"
	case strings.HasPrefix(id, "api:"):
		return "`" + id + "`" // a REST API token (domain.APIToken.Actor), no Slack user
	case strings.HasPrefix(id, "tracker:"):
		return "`" + id + "`" // an issue tracker (webhooks, reconcile), no Slack user
	}
	return "<@" + id + ">"
}

// cardBlocks renders a ticket's card: what it is, where it stands, and the
// controls to work it. Only the workflow's allowed moves are offered.
func cardBlocks(cfg *domain.Config, v *commands.CardView) []slack.Block {
	t := v.Ticket
	done := cfg.Status(t.Status) != nil && cfg.Status(t.Status).Done()
	title := fmt.Sprintf("*%s* %s", t.Key(), escCut(t.Title, 400))
	if done {
		title = fmt.Sprintf("~*%s*~ %s", t.Key(), escCut(t.Title, 400))
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(title), nil, nil, slack.SectionBlockOptionBlockID("title"))}
	requester := t.RequesterName
	if t.RequesterID != "" {
		requester = userRef(t.RequesterID)
	} else if t.RequesterEmail != "" {
		requester = esc(t.RequesterEmail)
	}
	fields := []*slack.TextBlockObject{
		mrkdwn("*Status*\n" + esc(cfg.StatusLabel(t.Status))),
		mrkdwn("*Priority*\n" + priorityText(t)),
		mrkdwn("*Assignee*\n" + userRef(t.AssigneeID)),
		mrkdwn("*Customer*\n" + escCut(v.Customer.Name, 100)),
		mrkdwn("*Type*\n" + esc(cfg.TypeLabel(t.Type))),
		mrkdwn("*Requester*\n" + cut(requester, 200)),
	}
	if t.Version != "" {
		fields = append(fields, mrkdwn("*Version*\n"+esc(t.Version)))
	}
	fields = append(fields, mrkdwn("*Time logged*\n"+domain.FormatDuration(v.Logged)))
	if v.SLA != nil {
		fields = append(fields, mrkdwn("*SLA*\n"+slaLine(v.SLA)))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil, slack.SectionBlockOptionBlockID("fields")))
	if d := strings.TrimSpace(t.Description); d != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(escCut(d, 1200)), nil, nil, slack.SectionBlockOptionBlockID("description")))
	}
	var notes []slack.MixedElement
	if t.DueAt != nil {
		due := ":calendar: Due " + slackDate(*t.DueAt, "{date_short_pretty} {time}")
		if t.DuePublic {
			due += " (the customer sees it)"
		}
		notes = append(notes, mrkdwn(due))
	}
	for _, e := range v.Running {
		notes = append(notes, mrkdwn(fmt.Sprintf(":stopwatch: %s has a timer running since %s", userRef(e.UserID), slackDate(e.StartedAt, "{time}"))))
	}
	notes = append(notes, linkNotes(v)...)
	notes = append(notes, tagCcNotes(v)...) // cardmore.go
	notes = append(notes, mergeNotes(v, false)...)
	notes = append(notes, issueNotes(v)...) // escalate.go
	notes = append(notes, mrkdwn(fmt.Sprintf("Opened %s via %s", slackDate(t.CreatedAt, "{date_short_pretty} {time}"), esc(t.Source))))
	if v.OriginalDeleted {
		notes = append(notes, mrkdwn(originalDeleted))
	}
	if len(notes) > 10 {
		notes = notes[len(notes)-10:]
	}
	blocks = append(blocks, slack.NewContextBlock("context", notes...))
	if actions := cardActions(cfg, v, done); len(actions) > 0 {
		blocks = append(blocks, slack.NewActionBlock("actions", actions...))
	}
	return blocks
}

func cardActions(cfg *domain.Config, v *commands.CardView, done bool) []slack.BlockElement {
	key := v.Ticket.Key()
	var els []slack.BlockElement
	if !done {
		els = append(els, slack.NewButtonBlockElement(actTimerStart, key, plain(":arrow_forward: Start timer")).WithStyle(slack.StylePrimary))
	}
	if len(v.Running) > 0 {
		els = append(els, slack.NewButtonBlockElement(actTimerStop, key, plain(":stop_button: Stop timer")))
	}
	if !done {
		els = append(els, slack.NewButtonBlockElement(actAssignMe, key, plain("Assign to me")))
	}
	if len(v.Next) > 0 {
		opts := make([]*slack.OptionBlockObject, 0, len(v.Next))
		for _, s := range v.Next {
			opts = append(opts, slack.NewOptionBlockObject(key+"|"+s, plain(cut(cfg.StatusLabel(s), maxOptionText)), nil))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Move to…"), actStatus, opts...)
		els = append(els, sel)
	}
	els = append(els, slack.NewButtonBlockElement(actLogTime, key, plain("Log time")))
	els = append(els, slack.NewButtonBlockElement(actEdit, key, plain("Edit")))
	els = append(els, slack.NewButtonBlockElement(actNote, key, plain(":lock: Internal note")))
	if reply := replyButton(v.Ticket); reply != nil { // email tickets (reply.go)
		els = append(els, reply)
	}
	if !done && v.Ticket.Source != domain.SourceChannel && v.Ticket.Source != domain.SourceReaction {
		for _, s := range v.Next {
			if st := cfg.Status(s); st != nil && st.Category == domain.CategoryClosed {
				els = append(els, slack.NewButtonBlockElement(actClose, key+"|"+s, plain("Close")).WithStyle(slack.StyleDanger))
				break
			}
		}
	}
	if !done && (v.Ticket.Source == domain.SourceChannel || v.Ticket.Source == domain.SourceReaction) {
		els = append(els, slack.NewButtonBlockElement(actNotTicket, key, plain("Not a ticket")))
	}
	if more := cardMore(key, cardMoreOptions(cfg, v, done)); more != nil { // cardmore.go
		els = append(els, more)
	}
	return els
}

// cardText is the notification fallback of a card.
func cardText(t *domain.Ticket) string {
	return cut(fmt.Sprintf("%s %s", t.Key(), esc(t.Title)), 300)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var slaIcons = map[sla.Status]string{
	sla.OnTrack: ":large_green_circle: on track", sla.AtRisk: ":large_orange_circle: at risk",
	sla.Breached: ":red_circle: breached", sla.Paused: ":double_vertical_bar: paused", sla.Met: ":white_check_mark: met",
}

// slaLine is the card's SLA state: where the clock that matters most
// stands, and business time left on it.
func slaLine(v *commands.SLAView) string {
	state := slaIcons[v.Status]
	target := targetNames[v.Target]
	switch v.Status {
	case sla.OnTrack, sla.AtRisk:
		return fmt.Sprintf("%s — %s due %s (%s business time left)", state, target, slackDate(v.Due, "{date_short_pretty} {time}"), domain.FormatDuration(v.Left))
	case sla.Breached:
		if !v.Due.IsZero() {
			return fmt.Sprintf("%s — %s was due %s", state, target, slackDate(v.Due, "{date_short_pretty} {time}"))
		}
	case sla.Paused:
		return fmt.Sprintf("%s — waiting on the customer, %s left on %s", state, domain.FormatDuration(v.Left), target)
	}
	return fmt.Sprintf("%s — %s", state, target)
}

// customerCardBlocks renders the customer's face of a card, for a channel
// the customer reads: the status in their words, priority, who works on
// it by name, the SLA promise, what it waits on; none of our timers, time
// or mentions. assignee is the assignee's name ("" when unassigned). Its
// one agent control, Agent actions, opens the working face privately.
func customerCardBlocks(cfg *domain.Config, v *commands.CardView, assignee string) []slack.Block {
	t := v.Ticket
	done := cfg.Status(t.Status) != nil && cfg.Status(t.Status).Done()
	title := fmt.Sprintf("*%s* %s", t.Key(), escCut(t.Title, 400))
	if done {
		title = fmt.Sprintf("~*%s*~ %s", t.Key(), escCut(t.Title, 400))
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(title), nil, nil, slack.SectionBlockOptionBlockID("title"))}
	who := "_not assigned yet_"
	if assignee != "" {
		who = escCut(assignee, 100)
	}
	requester := firstNonEmpty(t.RequesterName, t.RequesterEmail)
	fields := []*slack.TextBlockObject{
		mrkdwn("*Status*\n" + esc(cfg.CustomerStatusLabel(t.Status))),
		mrkdwn("*Priority*\n" + priorityText(t)),
		mrkdwn("*Assignee*\n" + who),
		mrkdwn("*Customer*\n" + escCut(v.Customer.Name, 100)),
		mrkdwn("*Type*\n" + esc(cfg.TypeLabel(t.Type))),
	}
	if requester != "" {
		fields = append(fields, mrkdwn("*Requester*\n"+escCut(requester, 200)))
	}
	if t.Version != "" {
		fields = append(fields, mrkdwn("*Version*\n"+esc(t.Version)))
	}
	if v.SLA != nil {
		if p := slaPromise(v.SLA); p != "" {
			fields = append(fields, mrkdwn("*Our promise*\n"+p))
		}
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil, slack.SectionBlockOptionBlockID("fields")))
	if d := strings.TrimSpace(t.Description); d != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(escCut(d, 1200)), nil, nil, slack.SectionBlockOptionBlockID("description")))
	}
	var notes []slack.MixedElement
	if t.DueAt != nil && t.DuePublic {
		notes = append(notes, mrkdwn(":calendar: Due "+slackDate(*t.DueAt, "{date_short_pretty} {time}")))
	}
	notes = append(notes, linkNotes(v)...)
	notes = append(notes, tagCcNotes(v)...) // cardmore.go
	notes = append(notes, mergeNotes(v, true)...)
	notes = append(notes, mrkdwn(fmt.Sprintf("Opened %s", slackDate(t.CreatedAt, "{date_short_pretty} {time}"))))
	if v.OriginalDeleted {
		notes = append(notes, mrkdwn(originalDeleted))
	}
	blocks = append(blocks, slack.NewContextBlock("context", notes...))
	els := []slack.BlockElement{}
	if !done && (t.Source == domain.SourceChannel || t.Source == domain.SourceReaction) {
		els = append(els, slack.NewButtonBlockElement(actNotTicket, t.Key(), plain("Not a ticket")))
	}
	els = append(els, slack.NewButtonBlockElement(actWork, t.Key(), plain(":wrench: Agent actions")))
	return append(blocks, slack.NewActionBlock("actions", els...))
}

// slaPromise is the SLA as promised to the customer: the next deadline
// and what it is for, without our alert levels.
func slaPromise(v *commands.SLAView) string {
	target := targetNames[v.Target]
	switch v.Status {
	case sla.OnTrack, sla.AtRisk, sla.Breached:
		if !v.Due.IsZero() {
			return fmt.Sprintf("%s by %s", capitalize(target), slackDate(v.Due, "{date_short_pretty} {time}"))
		}
	case sla.Paused:
		return "On hold while we wait for your reply"
	case sla.Met:
		return "Met"
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// originalDeleted is the card's note once the message a ticket came from is gone.
const originalDeleted = ":wastebasket: The message this ticket came from was deleted; the ticket keeps its description."

// priorityText is the priority, with the severity when the ticket has one.
func priorityText(t *domain.Ticket) string {
	if t.Severity == "" {
		return esc(t.Priority)
	}
	return esc(t.Priority) + " · severity " + esc(t.Severity)
}

// linkNotes are a card's dependencies and follow-ups, on either face (the
// customer's view hides other customers' keys before it gets here).
func linkNotes(v *commands.CardView) []slack.MixedElement {
	var notes []slack.MixedElement
	for _, l := range []struct {
		prefix string
		keys   []string
	}{
		{":no_entry: Blocked by ", v.Blockers},
		{":link: Blocks ", v.Blocks},
		{":leftwards_arrow_with_hook: Follows up ", v.FollowsUp},
		{":arrow_right: Followed up in ", v.FollowedUpBy},
	} {
		if len(l.keys) > 0 {
			notes = append(notes, mrkdwn(l.prefix+strings.Join(l.keys, ", ")))
		}
	}
	return notes
}

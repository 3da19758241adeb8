package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

const slaHelp = "*`/desk sla`*\n" +
	"• `/desk sla ACME-42` explains the ticket's SLA clocks: what counted, what was skipped as closed or holiday, what paused.\n" +
	"• `/desk sla report [customer] [period]` gives compliance per customer and priority (met / breached, median first response); period as for reports: this-month (default), last-month, 2026-10…"

// slaCommand answers `/desk sla …`.
func (b *Bot) slaCommand(ctx context.Context, a domain.Actor, responseURL, args string) {
	word, rest := firstWord(args)
	switch {
	case word == "" || word == "help":
		b.reply(ctx, responseURL, slaHelp)
	case word == "report":
		b.slaReport(ctx, a, responseURL, rest)
	case domain.IsKey(word):
		v, err := b.svc.SLAState(ctx, a, word)
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		b.reply(ctx, responseURL, "SLA of "+v.Ticket.Key(), slaExplainBlocks(v, !a.IsAgent())...)
	default:
		b.reply(ctx, responseURL, slaHelp)
	}
}

// slaExplainBlocks explains a ticket's clocks. A customer reads what we
// promised and how the clock counted, never our alert levels or alerts.
func slaExplainBlocks(v *commands.SLAView, customer bool) []slack.Block {
	head := fmt.Sprintf("*%s* %s\nPolicy *%s* · calendar *%s* (%s) · priority *%s*", v.Ticket.Key(), escCut(v.Ticket.Title, 150),
		esc(v.Policy), esc(v.Calendar), esc(v.Location.String()), esc(v.Priority))
	if v.Policy == "" {
		return []slack.Block{slack.NewSectionBlock(mrkdwn(head+"\nNo SLA policy applies to this ticket."), nil, nil)}
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}
	for _, c := range v.Clocks {
		state := slaIcons[c.Status]
		if customer {
			state = customerClockWords[c.Status]
		}
		lines := []string{fmt.Sprintf("*%s* — %s, target %s of business time, used %s, left %s",
			targetNames[c.Target], state, domain.FormatDuration(c.Clock.Target), domain.FormatDuration(c.Used), domain.FormatDuration(c.Remaining))}
		if !c.Due.IsZero() {
			lines = append(lines, "Due "+slackDate(c.Due, "{date_short_pretty} {time}"))
		}
		lines = append(lines, explainLines(c.Explain, v.Location)...)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(cut(strings.Join(lines, "\n"), maxSectionText)), nil, nil))
	}
	for _, al := range v.Alerts {
		if len(blocks) >= maxBlocks-1 || customer {
			break
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Alert sent %s: %s %s", slackDate(al.AlertedAt, "{date_short_pretty} {time}"), esc(targetNames[al.Target]), esc(al.Threshold)))))
	}
	return blocks
}

// customerClockWords: where a clock stands, in a customer's words.
var customerClockWords = map[sla.Status]string{
	sla.OnTrack: "running", sla.AtRisk: "running", sla.Breached: "past its target",
	sla.Paused: "on hold while we wait for your reply", sla.Met: "met",
}

var segmentWords = map[sla.SegmentKind]string{
	sla.SegmentCounted: "counted", sla.SegmentClosed: "closed (skipped)", sla.SegmentHoliday: "holiday (skipped)", sla.SegmentPaused: "paused (waiting on customer)",
}

// explainLines lists the clock's spans in the calendar's zone, the most
// recent last, at most 25 so the section stays readable.
func explainLines(segs []sla.Segment, loc *time.Location) []string {
	var out []string
	if len(segs) > 25 {
		out = append(out, fmt.Sprintf("…%d earlier spans", len(segs)-25))
		segs = segs[len(segs)-25:]
	}
	for _, s := range segs {
		note := ""
		if s.Note != "" {
			note = " — " + esc(s.Note)
		}
		out = append(out, fmt.Sprintf("`%s → %s` %s%s", s.From.In(loc).Format("Mon 02 Jan 15:04"), s.To.In(loc).Format("Mon 15:04"), segmentWords[s.Kind], note))
	}
	return out
}

func (b *Bot) slaReport(ctx context.Context, a domain.Actor, responseURL, args string) {
	key, period := "", "this-month"
	for _, w := range strings.Fields(args) {
		if commands.IsPeriod(w) {
			period = w
		} else {
			key = strings.ToUpper(strings.TrimPrefix(w, "#"))
		}
	}
	r, err := b.svc.SLAReportPeriod(ctx, a, key, period, b.userLoc(ctx, a.UserID))
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	lines := []string{fmt.Sprintf("*SLA compliance, %s* (tickets opened in the period)", esc(r.Label))}
	row := func(label string, r commands.SLAReportRow) string {
		return fmt.Sprintf("%s — %d tickets · first response %s · resolution %s · median first response %s",
			label, r.Tickets, compliance(r.FirstResponse), compliance(r.Resolution), domain.FormatDuration(r.MedianFirstResponse))
	}
	for i, r := range r.Rows {
		if i == 40 {
			lines = append(lines, "…more rows: narrow it to one customer")
			break
		}
		lines = append(lines, row(fmt.Sprintf("• *%s* %s", esc(r.CustomerKey), esc(r.Priority)), r))
	}
	lines = append(lines, row("*All*", r.Total))
	b.reply(ctx, responseURL, cut(strings.Join(lines, "\n"), maxMessageText))
}

func compliance(c commands.SLACompliance) string {
	rate, ok := c.Rate()
	if !ok {
		return fmt.Sprintf("— (%d open)", c.Open)
	}
	return fmt.Sprintf("%.0f%% met (%d met, %d breached, %d open)", rate*100, c.Met, c.Breached, c.Open)
}

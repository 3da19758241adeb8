package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

// timeReport answers `/time report acme last-month`: a summary for the
// person who asked and the CSV in a DM with them — billing figures are
// not for the channel the command was typed in.
func (b *Bot) timeReport(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, args string) {
	key, period := firstWord(args)
	if key == "" {
		b.reply(ctx, cmd.ResponseURL, "Write it like `/time report acme last-month` (also this-week, 2026-10, 2026-10-01..2026-10-15).")
		return
	}
	if period == "" {
		period = "this-month"
	}
	r, err := b.svc.ReportPeriod(ctx, a, strings.TrimPrefix(key, "#"), period)
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	r.Names = map[string]string{}
	for _, e := range r.Engineers {
		if u, err := b.ppl.user(ctx, e.Key); err == nil {
			r.Names[e.Key] = firstNonEmpty(u.RealName, u.Name)
		}
	}
	b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("Time report for %s, %s", esc(r.Project.Name), esc(r.Period.Label)), reportBlocks(r)...)
	var csv bytes.Buffer
	if err := commands.ReportCSV(&csv, r); err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	dm, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{a.UserID}})
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	name := fmt.Sprintf("%s-time-%s.csv", strings.ToLower(r.Project.Key), strings.ReplaceAll(r.Period.Label, " ", "-"))
	err = b.retry(ctx, "files.upload", func() error {
		_, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(csv.Bytes()), FileSize: csv.Len(), Filename: name, Title: name,
			Channel: dm.ID, InitialComment: fmt.Sprintf("%s time, %s: one line per entry, ready for your accounting tool.", r.Project.Name, r.Period.Label),
		})
		return err
	})
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
	}
}

func money(r *commands.Report, cents int64) string {
	return domain.FormatCents(cents) + " " + r.Currency
}

func hours(seconds int64) string { return domain.FormatDuration(time.Duration(seconds) * time.Second) }

func reportBlocks(r *commands.Report) []slack.Block {
	t := r.Total
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(cut(fmt.Sprintf("%s — %s", r.Project.Name, r.Period.Label), maxHeaderText))),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn("*Worked*\n" + hours(t.Seconds)), mrkdwn("*Billable*\n" + hours(t.BillableSeconds)),
			mrkdwn("*Not billable*\n" + hours(t.NonBillableSeconds())), mrkdwn("*Billed (rounded)*\n" + hours(t.BilledSeconds)),
			mrkdwn("*Amount*\n" + money(r, t.Amount)), mrkdwn(fmt.Sprintf("*Entries*\n%d", t.Entries)),
		}, nil),
	}
	if r.Running > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(":stopwatch: %d timers started in this period still run; their time is not counted yet.", r.Running))))
	}
	for _, l := range r.Locks {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(":lock: %s was invoiced at %s.", l.Start.Format("2006-01"), money(r, l.Amount)))))
	}
	blocks = append(blocks, groupSection("By ticket", r, r.Tickets, false), groupSection("By engineer", r, r.Engineers, true))
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Hours per week*\n"+weekChart(r.Weeks)), nil, nil))
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	return blocks
}

// groupSection lists the largest groups in one section, summarising the rest.
func groupSection(title string, r *commands.Report, groups []billing.Group, people bool) slack.Block {
	lines := []string{"*" + title + "*"}
	for i, g := range groups {
		if i == 15 {
			lines = append(lines, fmt.Sprintf("…and %d more (all in the CSV)", len(groups)-15))
			break
		}
		name := fmt.Sprintf("*%s* %s", esc(g.Key), escCut(g.Label, 60))
		if people {
			name = userRef(g.Key)
		}
		lines = append(lines, fmt.Sprintf("• %s — %s worked, %s billed, %s", name, hours(g.Seconds), hours(g.BilledSeconds), money(r, g.Amount)))
	}
	if len(groups) == 0 {
		lines = append(lines, "_No time logged._")
	}
	return slack.NewSectionBlock(mrkdwn(cut(strings.Join(lines, "\n"), maxSectionText)), nil, nil)
}

// weekChart draws hours per week as bars that read on a phone too.
func weekChart(weeks []billing.Week) string {
	var most int64
	for _, w := range weeks {
		most = max(most, w.Seconds)
	}
	var b strings.Builder
	b.WriteString("```")
	for _, w := range weeks {
		n := 0
		if most > 0 {
			n = int(w.Seconds * 20 / most)
		}
		fmt.Fprintf(&b, "\n%s %-20s %s", w.Start.Format("Jan 02"), strings.Repeat("█", n), hours(w.Seconds))
	}
	b.WriteString("\n```")
	return b.String()
}

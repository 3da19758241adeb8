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
	in := parseReportArgs(args)
	if in.problem != "" {
		b.reply(ctx, cmd.ResponseURL, in.problem)
		return
	}
	var reports []*commands.Report
	if in.customer == "" {
		rs, err := b.svc.ReportAll(ctx, a, in.period)
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, reportUnderstood(in, err))
			return
		}
		reports = rs
	} else {
		r, err := b.svc.ReportPeriod(ctx, a, in.customer, in.period)
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, reportUnderstood(in, err))
			return
		}
		reports = []*commands.Report{r}
	}
	if len(reports) == 0 {
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("No time logged on any customer for %s.", esc(in.period)))
		return
	}
	var csv bytes.Buffer
	for i, r := range reports {
		r.Names = map[string]string{}
		for _, e := range r.Engineers {
			if u, err := b.people.user(ctx, e.Key); err == nil {
				r.Names[e.Key] = firstNonEmpty(u.RealName, u.Name)
			}
		}
		var one bytes.Buffer
		if err := commands.ReportCSV(&one, r); err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		if i > 0 {
			// One file for the accountant: the header once.
			_, rest, _ := strings.Cut(one.String(), "\n")
			one.Reset()
			one.WriteString(rest)
		}
		csv.Write(one.Bytes())
	}
	r := reports[0]
	name := fmt.Sprintf("%s-time-%s.csv", strings.ToLower(r.Customer.Key), strings.ReplaceAll(r.Period.Label, " ", "-"))
	comment := fmt.Sprintf("%s time, %s: one line per entry, ready for your accounting tool.", r.Customer.Name, r.Period.Label)
	if in.customer == "" {
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("Time report for every customer, %s", esc(in.period)), allReportsBlocks(reports)...)
		name = fmt.Sprintf("all-customers-time-%s.csv", strings.ReplaceAll(r.Period.Label, " ", "-"))
		comment = fmt.Sprintf("Time of every customer, %s: one line per entry, ready for your accounting tool.", r.Period.Label)
	} else {
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("Time report for %s, %s", esc(r.Customer.Name), esc(r.Period.Label)), reportBlocks(r)...)
	}
	dm, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{a.UserID}})
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
		return
	}
	err = b.call("files.upload", func() error {
		_, err := b.ui.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(csv.Bytes()), FileSize: csv.Len(), Filename: name, Title: name,
			Channel: dm.ID, InitialComment: comment,
		})
		return err
	})
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
	}
}

// reportUnderstood says what was read when a report is refused.
func reportUnderstood(in reportArgs, err error) error {
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND && in.customer != "":
		return domain.Errorf(domain.ENOTFOUND, "I read `%s` as the customer. %s Write it like %s.", esc(in.customer), domain.ErrorMessage(err), reportForm)
	case domain.ErrorField(err) == "period":
		return domain.Errorf(domain.EINVALID, "I read `%s` as the period. %s Write it like %s.", esc(in.period), domain.ErrorMessage(err), reportForm)
	}
	return err
}

// allReportsBlocks sums up each customer's time in a line, then the total.
func allReportsBlocks(rs []*commands.Report) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(cut("Every customer — "+rs[0].Period.Label, maxHeaderText)))}
	var lines []string
	var seconds, billable int64
	for i, r := range rs {
		if i == 40 {
			lines = append(lines, fmt.Sprintf("…and %d more in the CSV.", len(rs)-i))
			break
		}
		t := r.Total
		seconds, billable = seconds+t.Seconds, billable+t.BillableSeconds
		lines = append(lines, fmt.Sprintf("*%s* %s — worked %s, billable %s, %s", esc(r.Customer.Key), esc(r.Customer.Name),
			hours(t.Seconds), hours(t.BillableSeconds), money(r, t.Amount)))
	}
	for _, chunk := range chunkLines(lines, 2900) {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("In all: worked %s, billable %s. Each customer's period is in their own time zone; the CSV is in your DM.",
		hours(seconds), hours(billable)))))
	return blocks
}

func chunkLines(lines []string, max int) []string {
	var out []string
	var cur strings.Builder
	for _, l := range lines {
		if cur.Len() > 0 && cur.Len()+len(l)+1 > max {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func money(r *commands.Report, cents int64) string {
	return domain.FormatCents(cents) + " " + r.Currency
}

func hours(seconds int64) string { return domain.FormatDuration(time.Duration(seconds) * time.Second) }

func reportBlocks(r *commands.Report) []slack.Block {
	t := r.Total
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(cut(fmt.Sprintf("%s — %s", r.Customer.Name, r.Period.Label), maxHeaderText))),
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

package bot

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// releaseCommand: /desk release 4.2.2 [fixes ACME-42 GLOBEX-7 …].
func (b *Bot) releaseCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	f := strings.Fields(text)
	if len(f) == 0 {
		released, err := b.svc.Released(ctx)
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		if len(released) == 0 {
			b.reply(ctx, responseURL, "No releases known yet: any version goes. Register one with `/desk release 4.2.1`.")
			return
		}
		b.reply(ctx, responseURL, "Released: "+esc(strings.Join(released, ", ")))
		return
	}
	if len(f) == 1 {
		// Tickets waiting on an engineering issue shipped in it (escalate.go).
		keys, err := b.svc.ReleaseIssueTickets(ctx, a, f[0])
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		if len(keys) > 0 {
			rep, err := b.svc.ReleaseFixes(ctx, a, f[0], keys)
			if err != nil {
				b.fail(ctx, responseURL, err)
				return
			}
			b.reply(ctx, responseURL, releaseText(rep)+"\n_Their engineering issues shipped in it._")
			return
		}
		v, added, err := b.svc.RegisterRelease(ctx, a, f[0])
		switch {
		case err != nil:
			b.fail(ctx, responseURL, err)
		case added:
			b.reply(ctx, responseURL, fmt.Sprintf(":package: Release *%s* registered: tickets and customers may name it.", esc(v)))
		default:
			b.reply(ctx, responseURL, fmt.Sprintf("Release *%s* was already registered.", esc(v)))
		}
		return
	}
	if strings.ToLower(f[1]) != "fixes" || len(f) < 3 {
		b.reply(ctx, responseURL, "Say `/desk release 4.2.2` or `/desk release 4.2.2 fixes ACME-42 GLOBEX-7`.")
		return
	}
	rep, err := b.svc.ReleaseFixes(ctx, a, f[0], f[2:])
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, releaseText(rep))
}

func releaseText(r *commands.ReleaseReport) string {
	head := fmt.Sprintf(":package: *%s*", esc(r.Version))
	if r.New {
		head += " registered."
	}
	lines := []string{head}
	if len(r.Resolved) > 0 {
		lines = append(lines, "Resolved, customers told: "+esc(strings.Join(r.Resolved, ", ")))
	}
	if len(r.Already) > 0 {
		lines = append(lines, "Already done, customers told: "+esc(strings.Join(r.Already, ", ")))
	}
	keys := make([]string, 0, len(r.Refused))
	for k := range r.Refused {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf(":warning: *%s* not resolved: %s", esc(k), esc(r.Refused[k])))
	}
	return strings.Join(lines, "\n")
}

// versionsCommand: /desk versions [weeks].
func (b *Bot) versionsCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	weeks := 8
	if w, err := strconv.Atoi(strings.TrimSpace(text)); err == nil {
		weeks = w
	}
	rep, err := b.svc.VersionReport(ctx, a, weeks)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, versionsText(rep))
}

// maxVersionRows keeps the chart readable and within one message.
const maxVersionRows = 25

// versionsText draws the report as a fixed-width chart: a spark line of
// the weekly incoming tickets per version, so a release whose line jumps
// stands out.
func versionsText(r *commands.VersionReport) string {
	if len(r.Rows) == 0 {
		return "No tickets yet."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Tickets per version* — incoming each week since %s, and open now\n```\n", r.Weeks[0].Format("Jan 2"))
	rows := r.Rows
	if len(rows) > maxVersionRows {
		rows = rows[:maxVersionRows]
	}
	width := len("version")
	for _, row := range rows {
		width = max(width, utf8.RuneCountInString(versionLabel(row)))
	}
	fmt.Fprintf(&b, "%-*s  %-*s  %5s  %4s  %s\n", width, "version", len(r.Weeks), "weekly", "in", "open", "customers now")
	line := func(row *commands.VersionRow) {
		in := 0
		for _, n := range row.Incoming {
			in += n
		}
		customers := strings.Join(row.Customers, ", ")
		if len(row.Customers) > 6 {
			customers = strings.Join(row.Customers[:6], ", ") + fmt.Sprintf(" +%d", len(row.Customers)-6)
		}
		fmt.Fprintf(&b, "%-*s  %s  %5d  %4d  %s\n", width, versionLabel(row), spark(row.Incoming), in, row.Open, customers)
	}
	for _, row := range rows {
		line(row)
	}
	if len(r.Rows) > maxVersionRows {
		fmt.Fprintf(&b, "…and %d more versions\n", len(r.Rows)-maxVersionRows)
	}
	total := *r.Total
	total.Version = "all"
	line(&total)
	b.WriteString("```")
	return b.String()
}

// versionLabel is a row's version; versions are canonical semver (or
// "all"), so they need no escaping.
func versionLabel(row *commands.VersionRow) string {
	if row.Version == "" {
		return "(none)"
	}
	return row.Version
}

var sparkBars = []rune("▁▂▃▄▅▆▇█")

// spark draws counts as bars scaled to the largest; a zero is a dot.
func spark(ns []int) string {
	top := 0
	for _, n := range ns {
		top = max(top, n)
	}
	out := make([]rune, len(ns))
	for i, n := range ns {
		switch {
		case n == 0:
			out[i] = '·'
		default:
			out[i] = sparkBars[(n*(len(sparkBars)-1)+top-1)/top]
		}
	}
	return string(out)
}

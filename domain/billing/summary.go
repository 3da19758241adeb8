package billing

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Totals add up priced lines.
type Totals struct {
	Entries         int
	Seconds         int64 // all time worked
	BillableSeconds int64 // worked on billable entries
	BilledSeconds   int64 // billed, after rounding and minimums
	Amount          int64 // cents
}

// NonBillableSeconds is the time worked that bills nothing.
func (t Totals) NonBillableSeconds() int64 { return t.Seconds - t.BillableSeconds }

func (t *Totals) add(l *Line) {
	t.Entries++
	t.Seconds += l.Seconds
	if l.Billable {
		t.BillableSeconds += l.Seconds
	}
	t.BilledSeconds += l.BilledSeconds
	t.Amount += l.Amount
}

// Group is the totals of one ticket (Key: ACME-42, Label: its title) or
// one engineer (Key: user ID).
type Group struct {
	Key, Label string
	Totals
}

// Week is the totals of the week starting Monday Start.
type Week struct {
	Start time.Time
	Totals
}

// Summary is what a report shows above its lines.
type Summary struct {
	Tickets   []Group // by key, ACME-2 before ACME-10
	Engineers []Group // most time first
	Weeks     []Week  // every week the period touches, empty ones too, for the chart
	Total     Totals
}

// Summarize totals lines per ticket, engineer and week (weeks in loc).
func Summarize(lines []Line, p Period, loc *time.Location) Summary {
	var s Summary
	tickets, engineers := map[string]*Group{}, map[string]*Group{}
	for w := WeekStart(p.From.In(loc)); w.Before(p.To); w = w.AddDate(0, 0, 7) {
		s.Weeks = append(s.Weeks, Week{Start: w})
	}
	for i := range lines {
		l := &lines[i]
		s.Total.add(l)
		group(tickets, l.Ticket, l.Title).add(l)
		group(engineers, l.User, l.User).add(l)
		if w := weekIndex(s.Weeks, WeekStart(l.Start.In(loc))); w >= 0 {
			s.Weeks[w].add(l)
		}
	}
	s.Tickets = sorted(tickets, func(a, b *Group) int { return CompareKeys(a.Key, b.Key) })
	s.Engineers = sorted(engineers, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Key, b.Key))
	})
	return s
}

func group(m map[string]*Group, key, label string) *Group {
	g := m[key]
	if g == nil {
		g = &Group{Key: key, Label: label}
		m[key] = g
	}
	return g
}

func weekIndex(weeks []Week, start time.Time) int {
	return slices.IndexFunc(weeks, func(w Week) bool { return w.Start.Equal(start) })
}

func sorted(m map[string]*Group, by func(a, b *Group) int) []Group {
	gs := make([]*Group, 0, len(m))
	for _, g := range m {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, by)
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = *g
	}
	return out
}

// CompareKeys orders ticket keys by customer, then number: ACME-2 < ACME-10.
func CompareKeys(a, b string) int {
	ap, an, _ := strings.Cut(a, "-")
	bp, bn, _ := strings.Cut(b, "-")
	x, _ := strconv.ParseInt(an, 10, 64)
	y, _ := strconv.ParseInt(bn, 10, 64)
	return cmp.Or(cmp.Compare(ap, bp), cmp.Compare(x, y), cmp.Compare(a, b))
}

// Hours writes seconds as decimal hours with four places (1.5000), which
// spreadsheets import; four places keep a second's error under 0.0001 h.
func Hours(seconds int64) string {
	// Integer arithmetic: ten-thousandths of an hour, rounded half up.
	tt := (seconds*10000 + 1800) / 3600
	return strconv.FormatInt(tt/10000, 10) + "." + pad4(tt%10000)
}

func pad4(n int64) string {
	s := strconv.FormatInt(n, 10)
	return strings.Repeat("0", 4-len(s)) + s
}

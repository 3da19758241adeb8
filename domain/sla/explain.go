package sla

import (
	"slices"
	"time"
)

// SegmentKind says why a stretch of time did or did not count.
type SegmentKind int

const (
	SegmentCounted SegmentKind = iota // open hours, clock running
	SegmentClosed                     // outside open hours
	SegmentHoliday                    // a holiday date (the whole date, 00:00-24:00 wall clock)
	SegmentPaused                     // open hours, but the clock was paused (Note says why)
)

func (k SegmentKind) String() string {
	switch k {
	case SegmentCounted:
		return "counted"
	case SegmentClosed:
		return "closed"
	case SegmentHoliday:
		return "holiday"
	case SegmentPaused:
		return "paused"
	}
	return "unknown"
}

// Segment is a stretch of [From, To) and why it counted or not.
type Segment struct {
	From, To time.Time
	Kind     SegmentKind
	Note     string // the holiday as written, the pause's note, or "outside hours"
}

// Interval is [From, To); Note explains it (for pauses: the status).
type Interval struct {
	From, To time.Time
	Note     string
}

// ExplainSpan splits [from, to) into contiguous segments: counted, closed,
// holiday or paused. The calendar wins over pauses: a pause only shows where
// the clock would otherwise have run, so the Paused total is the business
// time the pauses actually cost, and Counted totals Between minus that.
// Where pauses overlap, the earliest-starting one names the segment.
func (c *Calendar) ExplainSpan(from, to time.Time, pauses []Interval) []Segment {
	if c == nil || c.loc == nil || !from.Before(to) {
		return nil
	}
	ps := slices.Clone(pauses)
	slices.SortStableFunc(ps, func(a, b Interval) int { return a.From.Compare(b.From) })

	var out []Segment
	add := func(a, b time.Time, k SegmentKind, note string) {
		if !a.Before(b) {
			return
		}
		a, b = a.In(c.loc), b.In(c.loc)
		if n := len(out); n > 0 && out[n-1].Kind == k && out[n-1].Note == note && out[n-1].To.Equal(a) {
			out[n-1].To = b
			return
		}
		out = append(out, Segment{From: a, To: b, Kind: k, Note: note})
	}
	cur := from
	c.walk(from, to, true, func(a, b time.Time, holiday string) bool {
		b = Earlier(b, to)
		add(cur, a, SegmentClosed, "outside hours")
		cur = b
		if holiday != "" {
			add(a, b, SegmentHoliday, holiday)
			return true
		}
		for _, p := range ps {
			if !p.To.After(a) || !p.From.Before(b) {
				continue
			}
			add(a, p.From, SegmentCounted, "")
			a = Later(a, p.From)
			add(a, Earlier(b, p.To), SegmentPaused, p.Note)
			a = Later(a, Earlier(b, p.To))
		}
		add(a, b, SegmentCounted, "")
		return true
	})
	add(cur, to, SegmentClosed, "outside hours")
	return out
}

package sla

import (
	"fmt"
	"slices"
	"time"
)

// PriorityChange sets the ticket's priority from At on.
type PriorityChange struct {
	At       time.Time
	Priority string
}

// StatusChange puts the ticket in Status from At on. Paused and Resolved
// come from the workflow: whether that status pauses the clock, and whether
// it counts as resolved.
type StatusChange struct {
	At               time.Time
	Status           string
	Paused, Resolved bool
}

// History is everything the clock needs about a ticket, as values.
type History struct {
	Created          time.Time
	Priority         []PriorityChange // first entry at Created
	Statuses         []StatusChange
	FirstResponse    *time.Time  // first public agent reply, nil if none
	CustomerMessages []time.Time // public customer messages
	AgentReplies     []time.Time // public agent replies
}

// Status of one clock at now.
type Status int

const (
	NotApplicable Status = iota // no target for this priority, or nothing to answer
	OnTrack                     // running, no warning fired yet
	AtRisk                      // running, a warning has fired
	Breached                    // the budget ran out before the clock stopped (sticky)
	Paused                      // not running; Due is unknown until it runs again
	Met                         // stopped (reply, resolution) at or before Due
)

func (s Status) String() string {
	if s < NotApplicable || s > Met {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return [...]string{"not applicable", "on track", "at risk", "breached", "paused", "met"}[s]
}

// Clock is one target's state at now.
type Clock struct {
	Target          time.Duration // budget of the priority in force (at MetAt if stopped)
	Due             time.Time     // when the budget runs (or ran) out; if Met early, the deadline it had; zero while Paused
	Used, Remaining time.Duration // business time; Remaining is never negative
	Status          Status
	MetAt           *time.Time  // when the clock stopped (reply, resolution), in time or not
	Warnings        []time.Time // known instants warnings fire, sorted; past ones included
	Explain         []Segment   // [start, now or MetAt)
}

// State holds the three clocks of a ticket at now.
type State struct {
	Priority                                string // in force at now
	FirstResponse, Resolution, NextResponse Clock
}

// Next is the earliest instant after now at which a running clock changes on
// its own (a warning fires or it breaches): when the scheduler should look again.
func (s State) Next(now time.Time) (time.Time, bool) {
	var next time.Time
	for _, c := range []Clock{s.FirstResponse, s.Resolution, s.NextResponse} {
		if c.Status != OnTrack && c.Status != AtRisk {
			continue
		}
		for _, t := range append(slices.Clone(c.Warnings), c.Due) {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	return next, !next.IsZero()
}

// Compute is the SLA state of a ticket at now. History after now is
// ignored, so it can replay any past instant. See the package doc for rules.
func Compute(p *Policy, h History, now time.Time) State {
	if p == nil || p.Calendar == nil {
		return State{}
	}
	t := newTimeline(h, now)
	st := State{Priority: t.priorityAt(now)}

	var replies []time.Time
	if h.FirstResponse != nil {
		replies = append(replies, *h.FirstResponse)
	}
	replies = upTo(append(replies, h.AgentReplies...), now)
	var first time.Time
	if len(replies) > 0 {
		first = replies[0]
	}
	st.FirstResponse = t.clock(p, h.Created, first, now, func(t Target) time.Duration { return t.FirstResponse })
	st.Resolution = t.clock(p, h.Created, t.resolvedSince, now, func(t Target) time.Duration { return t.Resolution })
	if start, stop, ok := nextCycle(upTo(h.CustomerMessages, now), replies); ok {
		st.NextResponse = t.clock(p, start, stop, now, func(t Target) time.Duration { return t.NextResponse })
	}
	return st
}

// nextCycle finds the latest next-response cycle: it starts at the first
// customer message after an agent reply and stops at the next agent reply.
// Messages sharing an instant with a reply count as answered by it.
func nextCycle(msgs, replies []time.Time) (start, stop time.Time, ok bool) {
	seenReply, open := false, false
	for len(msgs) > 0 || len(replies) > 0 {
		if len(msgs) > 0 && (len(replies) == 0 || !replies[0].Before(msgs[0])) {
			if seenReply && !open {
				start, stop, ok, open = msgs[0], time.Time{}, true, true
			}
			msgs = msgs[1:]
			continue
		}
		seenReply = true
		if open {
			stop, open = replies[0], false
		}
		replies = replies[1:]
	}
	return start, stop, ok
}

// timeline is a History sorted and cut at now.
type timeline struct {
	prios         []PriorityChange
	inactive      []Interval // paused or resolved stretches, in order
	inactiveNow   bool
	resolvedSince time.Time // start of the current resolved run; zero if not resolved at now
}

func newTimeline(h History, now time.Time) timeline {
	var t timeline
	for _, p := range h.Priority {
		if !p.At.After(now) {
			t.prios = append(t.prios, p)
		}
	}
	slices.SortStableFunc(t.prios, func(a, b PriorityChange) int { return a.At.Compare(b.At) })
	var sts []StatusChange
	for _, s := range h.Statuses {
		if !s.At.After(now) {
			sts = append(sts, s)
		}
	}
	slices.SortStableFunc(sts, func(a, b StatusChange) int { return a.At.Compare(b.At) })
	for i, s := range sts {
		if !s.Paused && !s.Resolved {
			t.resolvedSince = time.Time{}
			continue
		}
		to := now
		if i+1 < len(sts) {
			to = sts[i+1].At
		}
		note := fmt.Sprintf("status %q", s.Status)
		if s.Resolved {
			note += " (resolved)"
			if t.resolvedSince.IsZero() {
				t.resolvedSince = s.At
			}
		} else {
			t.resolvedSince = time.Time{}
		}
		t.inactive = append(t.inactive, Interval{From: s.At, To: to, Note: note})
	}
	if n := len(sts); n > 0 {
		t.inactiveNow = sts[n-1].Paused || sts[n-1].Resolved
	}
	return t
}

// priorityAt is the priority in force at at (the first one if at precedes them all).
func (t timeline) priorityAt(at time.Time) string {
	prio := ""
	for i, p := range t.prios {
		if i == 0 || !p.At.After(at) {
			prio = p.Priority
		}
	}
	return prio
}

// active is [start, limit) minus the inactive stretches.
func (t timeline) active(start, limit time.Time) []Interval {
	var out []Interval
	cur := start
	for _, iv := range t.inactive {
		if !iv.From.Before(limit) {
			break
		}
		if iv.From.After(cur) {
			out = append(out, Interval{From: cur, To: iv.From})
		}
		cur = Later(cur, iv.To)
	}
	if cur.Before(limit) {
		out = append(out, Interval{From: cur, To: limit})
	}
	return out
}

// clock runs one target from start until stop (zero: not stopped by now).
func (t timeline) clock(p *Policy, start, stop, now time.Time, pick func(Target) time.Duration) Clock {
	stopped, limit := !stop.IsZero(), now
	if stopped {
		limit = Later(stop, start)
	}
	target := pick(p.Targets[t.priorityAt(limit)])
	if target <= 0 {
		return Clock{}
	}
	cal := p.Calendar
	active := t.active(start, limit)
	running := !stopped && !t.inactiveNow
	if running && (len(active) == 0 || active[len(active)-1].To.Before(limit)) {
		active = append(active, Interval{From: limit, To: limit})
	}
	c := Clock{Target: target, Explain: cal.ExplainSpan(start, limit, t.inactive)}
	for _, a := range active {
		c.Used += cal.Between(a.From, a.To)
	}
	c.Remaining = max(target-c.Used, 0)

	// reach is when the clock has used budget: along the active stretches,
	// and past now (assuming no further pause) if it is running.
	reach := func(budget time.Duration) (time.Time, bool) {
		for i, a := range active {
			if running && i == len(active)-1 {
				return cal.Add(a.From, budget), true
			}
			if avail := cal.Between(a.From, a.To); budget > avail {
				budget -= avail
				continue
			}
			return cal.Add(a.From, budget), true
		}
		return time.Time{}, false
	}
	for _, w := range p.Warnings {
		if u, ok := w.used(target); ok {
			if at, ok := reach(u); ok {
				c.Warnings = append(c.Warnings, at)
			}
		}
	}
	slices.SortFunc(c.Warnings, time.Time.Compare)
	c.Warnings = slices.CompactFunc(c.Warnings, time.Time.Equal)

	due, exhausted := reach(target)
	switch {
	case stopped:
		c.MetAt = &limit
		c.Status, c.Due = Met, due
		if !exhausted {
			c.Due = cal.Add(limit, c.Remaining) // the deadline it was heading for
		} else if due.Before(limit) {
			c.Status = Breached // an event at Due itself is in time
		}
	case exhausted && !due.After(now):
		c.Status, c.Due = Breached, due // once now reaches Due, the budget is gone
	case !running:
		c.Status = Paused
	default:
		c.Status, c.Due = OnTrack, due
		if len(c.Warnings) > 0 && !c.Warnings[0].After(now) {
			c.Status = AtRisk
		}
	}
	return c
}

func upTo(ts []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		if !t.After(now) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

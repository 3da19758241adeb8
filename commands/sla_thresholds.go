package commands

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// Threshold is one instant an SLA alert is due: a named warning or the
// deadline of one clock.
type Threshold struct {
	Target     string    // domain.TargetFirstResponse…
	Name       string    // "75%", "30m" or domain.ThresholdBreach
	At         time.Time // when it passes (or passed)
	CycleStart time.Time // tells next-response cycles apart; see domain.SLAAlert
	Clock      sla.Clock // the target's clock at now
}

// Breach reports whether the threshold is the deadline itself.
func (th Threshold) Breach() bool { return th.Name == domain.ThresholdBreach }

// slaTarget picks one clock out of a State.
type slaTarget struct {
	name string
	pick func(sla.State) sla.Clock
}

var slaTargets = []slaTarget{
	{domain.TargetFirstResponse, func(s sla.State) sla.Clock { return s.FirstResponse }},
	{domain.TargetResolution, func(s sla.State) sla.Clock { return s.Resolution }},
	{domain.TargetNextResponse, func(s sla.State) sla.Clock { return s.NextResponse }},
}

// SLAThresholds computes the state at now and the thresholds of every
// clock that runs, or ran out of budget without stopping, sorted by time;
// past ones included. Stopped and paused clocks have none: nothing is
// pending on them.
//
// sla.Clock.Warnings holds instants only (merged when two warnings fall
// together), while alerts need each warning by name: so each warning is
// computed on its own, with a copy of the policy that lists just it.
func SLAThresholds(p *sla.Policy, h sla.History, now time.Time) (sla.State, []Threshold) {
	st := sla.Compute(p, h, now)
	if p == nil {
		return st, nil
	}
	per := make([]sla.State, len(p.Warnings))
	for i, w := range p.Warnings {
		one := *p
		one.Warnings = []sla.Warning{w}
		per[i] = sla.Compute(&one, h, now)
	}
	var out []Threshold
	for _, tg := range slaTargets {
		c := tg.pick(st)
		if c.MetAt != nil || (c.Status != sla.OnTrack && c.Status != sla.AtRisk && c.Status != sla.Breached) {
			continue
		}
		start := h.Created
		if tg.name == domain.TargetNextResponse {
			// A running clock explains [its start, now): the first segment
			// begins at the customer message that opened the cycle, and
			// there is no segment only when that message came at now.
			start = now
			if len(c.Explain) > 0 {
				start = c.Explain[0].From
			}
		}
		for i, w := range p.Warnings {
			if ws := tg.pick(per[i]).Warnings; len(ws) == 1 {
				out = append(out, Threshold{Target: tg.name, Name: WarningName(w), At: ws[0], CycleStart: start, Clock: c})
			}
		}
		out = append(out, Threshold{Target: tg.name, Name: domain.ThresholdBreach, At: c.Due, CycleStart: start, Clock: c})
	}
	slices.SortStableFunc(out, func(a, b Threshold) int { return a.At.Compare(b.At) })
	return st, out
}

// WarningName writes a warning as an admin does in the config: "75%", "30m".
func WarningName(w sla.Warning) string {
	if w.Percent > 0 {
		return strconv.FormatFloat(w.Percent, 'f', -1, 64) + "%"
	}
	return ShortDuration(w.Before)
}

// ShortDuration writes a duration without trailing zero units: "30m", "1h", "1h30m", "45s".
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

package sla

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Target is the business-time budget of each clock; zero means no target.
type Target struct {
	FirstResponse, Resolution, NextResponse time.Duration
}

// TargetSpec is a Target as written in deskbot.yaml: "30m", "4h", "1h30m".
type TargetSpec struct {
	FirstResponse string `yaml:"first_response"`
	Resolution    string `yaml:"resolution"`
	NextResponse  string `yaml:"next_response"`
}

// PolicySpec is how an admin writes an SLA policy in deskbot.yaml. Which
// statuses pause the clock comes from the workflow, not from here.
type PolicySpec struct {
	Calendar string                `yaml:"calendar"` // name of a calendar
	Targets  map[string]TargetSpec `yaml:"targets"`  // by priority name, or by severity with SLABy
	// SLABy is what the targets are keyed by: "priority" (the default) or
	// "severity", as vendors' contracts are often written.
	SLABy    string   `yaml:"sla_by"`
	Warnings []string `yaml:"warnings"` // "75%" of the budget used, or "30m" of business time left
}

// Policy is a compiled PolicySpec.
type Policy struct {
	Name     string
	Calendar *Calendar
	Targets  map[string]Target
	// BySeverity: Targets are keyed by the ticket's severity, not its priority.
	BySeverity bool
	Warnings   []Warning
}

// Warning fires when Percent of the budget is used (if Percent > 0), or when
// Before of business time is left (a warning at least as long as a target is
// skipped for that target: it would fire at once).
type Warning struct {
	Percent float64
	Before  time.Duration
}

func (w Warning) String() string {
	if w.Percent > 0 {
		return strconv.FormatFloat(w.Percent, 'f', -1, 64) + "%"
	}
	return w.Before.String() + " before"
}

// used is how much of target is used when w fires; ok is false if w does not apply.
func (w Warning) used(target time.Duration) (time.Duration, bool) {
	u := target - w.Before
	if w.Percent > 0 {
		u = time.Duration(float64(target) * w.Percent / 100).Round(time.Second)
	}
	return u, u > 0 && u < target
}

// Compile resolves the calendar by name and parses durations. priorities are
// the configured priority names; targets for any other name are an error.
//
// With SLABy "severity" the targets are keyed by severity, and keys (the
// priorities) must be the configured severities instead.
func (p PolicySpec) Compile(name string, calendars map[string]*Calendar, priorities []string) (*Policy, error) {
	fail := func(format string, a ...any) (*Policy, error) {
		return nil, fmt.Errorf("policy %q: "+format, append([]any{name}, a...)...)
	}
	if p.Calendar == "" {
		return fail("calendar is required")
	}
	cal := calendars[p.Calendar]
	if cal == nil {
		return fail("unknown calendar %q (known: %s)", p.Calendar, strings.Join(slices.Sorted(maps.Keys(calendars)), ", "))
	}
	pol := &Policy{Name: name, Calendar: cal, Targets: map[string]Target{}}
	by := "priority"
	switch p.SLABy {
	case "", "priority":
	case "severity":
		by, pol.BySeverity = "severity", true
	default:
		return fail("sla_by %q: use priority or severity", p.SLABy)
	}
	for _, prio := range slices.Sorted(maps.Keys(p.Targets)) {
		if !slices.Contains(priorities, prio) {
			return fail("unknown %s %q (known: %s)", by, prio, strings.Join(priorities, ", "))
		}
		ts := p.Targets[prio]
		var t Target
		for _, f := range []struct {
			key, text string
			dst       *time.Duration
		}{
			{"first_response", ts.FirstResponse, &t.FirstResponse},
			{"resolution", ts.Resolution, &t.Resolution},
			{"next_response", ts.NextResponse, &t.NextResponse},
		} {
			if f.text == "" {
				continue // no target
			}
			d, err := parseDuration(f.text, " (leave it out for no target)")
			if err != nil {
				return fail("priority %q: %s %w", prio, f.key, err)
			}
			*f.dst = d
		}
		pol.Targets[prio] = t
	}
	for _, text := range p.Warnings {
		w, err := parseWarning(text)
		if err != nil {
			return fail("warning %w", err)
		}
		if slices.Contains(pol.Warnings, w) {
			return fail("warning %q is listed twice", text)
		}
		pol.Warnings = append(pol.Warnings, w)
	}
	return pol, nil
}

// parseDuration accepts Go durations of whole positive seconds. Days are
// refused: in business time "1d" could mean 24 open hours (three 8-hour
// days) or one business day (whose length varies), and guessing wrong
// moves deadlines by days. Admins write hours instead.
var dayUnit = regexp.MustCompile(`\d[dw]`) // "2d", "1w", "1d12h"

func parseDuration(s, zeroHint string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil && dayUnit.MatchString(s):
		return 0, fmt.Errorf("%q: days and weeks are ambiguous in business time; write business hours, like \"16h\"", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration like \"30m\" or \"4h\"", s)
	case d <= 0:
		return 0, fmt.Errorf("%q must be positive%s", s, zeroHint)
	case d%time.Second != 0:
		return 0, fmt.Errorf("%q must be whole seconds", s)
	}
	return d, nil
}

func parseWarning(s string) (Warning, error) {
	if num, ok := strings.CutSuffix(strings.TrimSpace(s), "%"); ok {
		pct, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		switch {
		case err != nil || pct != pct: // NaN
			return Warning{}, fmt.Errorf("%q is not a percentage like \"75%%\" or a duration like \"30m\"", s)
		case pct <= 0 || pct >= 100:
			return Warning{}, fmt.Errorf("%q must be between 0%% and 100%%, exclusive", s)
		}
		return Warning{Percent: pct}, nil
	}
	if _, err := time.ParseDuration(strings.TrimSpace(s)); err != nil && !dayUnit.MatchString(s) {
		return Warning{}, fmt.Errorf("%q is not a percentage like \"75%%\" or a duration like \"30m\"", s)
	}
	d, err := parseDuration(s, "")
	return Warning{Before: d}, err
}

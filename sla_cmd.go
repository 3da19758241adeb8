package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

const slaUsage = `Usage: deskbot sla simulate [flags]

Computes the first-response and resolution deadlines of a ticket from
DESKBOT_CONFIG (or the built-in defaults), with the same code the server
runs, and explains which hours counted and which were skipped (closed,
holiday, paused). Check calendars before holidays and DST changes.

Times are RFC3339 (2026-12-24T16:00:00Z) or "2026-12-24 16:00" on the
wall clock of the policy's calendar. Only DESKBOT_CONFIG is read from
the environment.
`

// slaCommands is the table behind `deskbot sla`.
func slaCommands() []subcommand {
	return []subcommand{
		{"simulate", "[flags]", "compute and explain a ticket's SLA deadlines", func(c *cli, args []string) error {
			return slaSimulate(c, args, strings.TrimSpace(c.getenv("DESKBOT_CONFIG")), time.Now())
		}},
	}
}

func slaCmd(c *cli, args []string) error {
	usage := "Usage: deskbot sla SUBCOMMAND\n\nSubcommands:\n" + listing("deskbot sla", slaCommands()) + "\nEach subcommand takes --help.\n"
	return dispatch(c, "deskbot sla", slaCommands(), usage, args, "")
}

// simulation is what the flags ask for.
type simulation struct {
	policy, priority, created string
	pauses                    pauseFlags
	json                      bool
}

type pauseFlags []string

func (p *pauseFlags) String() string     { return strings.Join(*p, ", ") }
func (p *pauseFlags) Set(v string) error { *p = append(*p, v); return nil }

func simulateFlags(s *simulation) *flagSet {
	fs := newFlags("sla simulate", slaUsage)
	fs.StringVar(&s.policy, "policy", "", "SLA policy (default: default_sla_policy)")
	fs.StringVar(&s.priority, "priority", "", "ticket priority (default: default_priority)")
	fs.StringVar(&s.created, "created", "", "when the ticket is created (default: now)")
	fs.Var(&s.pauses, "pause", "FROM/TO: the clock is paused (waiting on customer) in [FROM, TO); repeatable")
	fs.BoolVar(&s.json, "json", false, "print JSON for scripts")
	return fs
}

func slaSimulate(c *cli, args []string, configPath string, now time.Time) error {
	var s simulation
	if err := simulateFlags(&s).parse(c, args, 0); err != nil {
		return err
	}
	cfg, err := domain.LoadConfig(configPath)
	if err != nil {
		return err
	}
	res, err := simulate(cfg, s, now)
	if err != nil {
		return fmt.Errorf("sla simulate: %w", err)
	}
	if s.json {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.print(c.stdout)
	return nil
}

// simResult is the simulation, as --json prints it.
type simResult struct {
	Policy   string      `json:"policy"`
	Calendar string      `json:"calendar"`
	TimeZone string      `json:"time_zone"`
	Priority string      `json:"priority"`
	Created  time.Time   `json:"created"`
	Pauses   []simPause  `json:"pauses"`
	Targets  []simTarget `json:"targets"`
	loc      *time.Location
}

type simPause struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

type simTarget struct {
	Target   string       `json:"target"`
	Budget   string       `json:"budget"` // business time; "" when the priority has no target
	Due      *time.Time   `json:"due,omitempty"`
	Warnings []simWarning `json:"warnings"`
	Segments []simSegment `json:"segments"`
}

type simWarning struct {
	Threshold string    `json:"threshold"`
	At        time.Time `json:"at"`
}

type simSegment struct {
	Kind     string    `json:"kind"` // counted, closed, holiday or paused
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Duration string    `json:"duration"`
	Seconds  int64     `json:"seconds"`
	Note     string    `json:"note,omitempty"`
}

func simulate(cfg *domain.Config, s simulation, now time.Time) (*simResult, error) {
	name := slaFirstSet(s.policy, cfg.DefaultSLAPolicy)
	p := cfg.Policy(name)
	if p == nil {
		return nil, fmt.Errorf("no SLA policy %q; policies: %s", name, strings.Join(cfg.PolicyNames(), ", "))
	}
	prio := slaFirstSet(s.priority, cfg.DefaultPriority)
	if !cfg.HasPriority(prio) {
		return nil, fmt.Errorf("no priority %q; priorities: %s", prio, strings.Join(cfg.Priorities, ", "))
	}
	loc := p.Calendar.Location()
	created := now.Truncate(time.Second)
	if s.created != "" {
		var err error
		if created, err = parseSimTime(s.created, loc); err != nil {
			return nil, fmt.Errorf("--created: %w", err)
		}
	}
	pauses, err := parsePauses(s.pauses, created, loc)
	if err != nil {
		return nil, err
	}
	res := &simResult{Policy: p.Name, Calendar: p.Calendar.Name(), TimeZone: loc.String(), Priority: prio,
		Created: created.In(loc), Pauses: []simPause{}, loc: loc}
	h := sla.History{Created: created, Priority: []sla.PriorityChange{{At: created, Priority: prio}},
		Statuses: []sla.StatusChange{{At: created, Status: "open"}}}
	var ivs []sla.Interval
	at := created // when the clock runs again after the last pause: Due is known then
	for _, pz := range pauses {
		res.Pauses = append(res.Pauses, simPause{pz.From.In(loc), pz.To.In(loc)})
		ivs = append(ivs, sla.Interval{From: pz.From, To: pz.To, Note: "paused"})
		h.Statuses = append(h.Statuses, sla.StatusChange{At: pz.From, Status: "paused", Paused: true},
			sla.StatusChange{At: pz.To, Status: "open"})
		at = sla.Later(at, pz.To)
	}
	_, ths := commands.SLAThresholds(p, h, at)
	for _, tg := range []string{domain.TargetFirstResponse, domain.TargetResolution} {
		res.Targets = append(res.Targets, simTargetOf(p, prio, tg, created, ths, ivs))
	}
	return res, nil
}

func simTargetOf(p *sla.Policy, prio, target string, created time.Time, ths []commands.Threshold, pauses []sla.Interval) simTarget {
	st := simTarget{Target: target, Warnings: []simWarning{}, Segments: []simSegment{}}
	budget := p.Targets[prio].FirstResponse
	if target == domain.TargetResolution {
		budget = p.Targets[prio].Resolution
	}
	if budget <= 0 {
		return st
	}
	st.Budget = commands.ShortDuration(budget)
	for _, th := range ths {
		switch {
		case th.Target != target:
		case th.Breach():
			due := th.At
			st.Due = &due
		default:
			st.Warnings = append(st.Warnings, simWarning{th.Name, th.At})
		}
	}
	if st.Due == nil {
		return st
	}
	for _, seg := range p.Calendar.ExplainSpan(created, *st.Due, pauses) {
		d := seg.To.Sub(seg.From)
		st.Segments = append(st.Segments, simSegment{Kind: seg.Kind.String(), From: seg.From, To: seg.To,
			Duration: commands.ShortDuration(d), Seconds: int64(d / time.Second), Note: seg.Note})
	}
	return st
}

func (r *simResult) print(w io.Writer) {
	fmt.Fprintf(w, "Policy %s (calendar %s, %s), priority %s\n", r.Policy, r.Calendar, r.TimeZone, r.Priority)
	fmt.Fprintf(w, "Created %s\n", slaWall(r.Created, r.loc))
	for _, p := range r.Pauses {
		fmt.Fprintf(w, "Paused  %s → %s\n", slaWall(p.From, r.loc), slaWall(p.To, r.loc))
	}
	for _, t := range r.Targets {
		label := strings.ToUpper(t.Target[:1]) + strings.ReplaceAll(t.Target[1:], "_", " ")
		if t.Budget == "" {
			fmt.Fprintf(w, "\n%s: no target for priority %s\n", label, r.Priority)
			continue
		}
		fmt.Fprintf(w, "\n%s: %s of business time\n  due      %s\n", label, t.Budget, slaWall(*t.Due, r.loc))
		for _, wa := range t.Warnings {
			fmt.Fprintf(w, "  warning  %s at %s\n", wa.Threshold, slaWall(wa.At, r.loc))
		}
		for _, s := range t.Segments {
			to := slaWall(s.To, r.loc)
			if slaSameDay(s.From, s.To, r.loc) {
				to = s.To.In(r.loc).Format("15:04:05 MST")
			}
			fmt.Fprintf(w, "  %-8s %s → %s  %s", s.Kind, slaWall(s.From, r.loc), to, s.Duration)
			if s.Note != "" && s.Kind != "counted" {
				fmt.Fprintf(w, "  (%s)", s.Note)
			}
			fmt.Fprintln(w)
		}
	}
}

func slaWall(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2006-01-02 15:04:05 MST")
}

func slaSameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

var simLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

// parseSimTime reads RFC3339, or a wall-clock time in the calendar's zone.
func parseSimTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range simLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2026-12-24T16:00:00Z or \"2026-12-24 16:00\"", s)
}

// parsePauses reads FROM/TO pairs, sorted, with overlapping ones merged
// (the clock is either paused or not) and cut to start at creation.
func parsePauses(raw []string, created time.Time, loc *time.Location) ([]sla.Interval, error) {
	var out []sla.Interval
	for _, r := range raw {
		a, b, ok := strings.Cut(r, "/")
		if !ok {
			return nil, fmt.Errorf("--pause %q: write FROM/TO", r)
		}
		from, err := parseSimTime(a, loc)
		if err != nil {
			return nil, fmt.Errorf("--pause: %w", err)
		}
		to, err := parseSimTime(b, loc)
		if err != nil {
			return nil, fmt.Errorf("--pause: %w", err)
		}
		if !from.Before(to) {
			return nil, fmt.Errorf("--pause %q: it must end after it starts", r)
		}
		if !to.After(created) {
			continue // over before the ticket existed
		}
		out = append(out, sla.Interval{From: sla.Later(from, created), To: to})
	}
	slices.SortFunc(out, func(a, b sla.Interval) int { return a.From.Compare(b.From) })
	var merged []sla.Interval
	for _, iv := range out {
		if n := len(merged); n > 0 && !iv.From.After(merged[n-1].To) {
			merged[n-1].To = sla.Later(merged[n-1].To, iv.To)
			continue
		}
		merged = append(merged, iv)
	}
	return merged, nil
}

func slaFirstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

package domain

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/deskbot/deskbot/domain/automation"
)

// StaleConfig chases tickets that wait on the customer: after
// RemindAfter of business time in a waiting status (on the ticket's SLA
// calendar) a reminder goes to the ticket's thread (and mail thread);
// CloseAfter more without an answer closes the ticket. Zero turns a step off.
type StaleConfig struct {
	RemindAfter Duration `yaml:"remind_after"`
	CloseAfter  Duration `yaml:"close_after"`
	Line        int      `yaml:"-"`
}

// SurveyConfig: when OnResolve is set, resolving a ticket asks its
// customer a one-click satisfaction question in the ticket's thread.
type SurveyConfig struct {
	OnResolve bool   `yaml:"on_resolve"`
	Question  string `yaml:"question"`
	Line      int    `yaml:"-"`
}

// DefaultSurveyQuestion applies when survey.question is not set.
const DefaultSurveyQuestion = "How did we do?"

func (s *StaleConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain StaleConfig
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

func (s *SurveyConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain SurveyConfig
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

// validateRules checks what the rules need: per-type SLA pauses, groups,
// admins, the automations themselves, stale chasing and the survey. It
// runs after the other sections, whose names the rules refer to.
func (c *Config) validateRules(p *problems) {
	statuses := c.statusNames()
	for _, t := range c.Types {
		for _, s := range t.PausesSLA {
			if c.Status(s) == nil {
				p.add(t.Line, "type %q: pauses_sla %s", t.Name, unknown("status", s, statuses))
			}
		}
	}
	for _, u := range c.Slack.Admins {
		if !IsUserID(u) {
			p.add(c.Slack.Line, "slack: admins %q must be a Slack user ID like U0123ABCD, not a name", u)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Groups)) {
		if !nameRE.MatchString(name) {
			p.add(0, "group name %q: use lower-case letters, digits and _ (like l1)", name)
		}
		if len(c.Groups[name]) == 0 {
			p.add(0, "group %q has no members", name)
		}
		for _, u := range c.Groups[name] {
			if !IsUserID(u) {
				p.add(0, "group %q: %q must be a Slack user ID like U0123ABCD, not a name", name, u)
			}
		}
	}
	for _, pr := range automation.Compile(c.Automations, c.automationSchema()) {
		p.add(pr.Line, "%s", pr.Msg)
	}
	if c.Stale.CloseAfter.Duration > 0 && c.Stale.RemindAfter.Duration == 0 {
		p.add(c.Stale.Line, "stale_tickets: close_after needs remind_after: the customer is reminded before a ticket is closed")
	}
	if c.Survey.Question == "" {
		c.Survey.Question = DefaultSurveyQuestion
	}
}

// automationSchema gives the rule compiler the config's names.
func (c *Config) automationSchema() *automation.Schema {
	s := &automation.Schema{
		Priorities: c.Priorities, Sources: Sources(), Policies: slices.Sorted(maps.Keys(c.SLAPolicies)),
		Statuses: c.statusNames(), Groups: c.Groups, Fields: map[string]automation.Field{},
		Severities: c.Severities,
		CheckDue: func(v string) error {
			_, err := ParseDue(v, time.Now(), time.UTC)
			if err != nil {
				return errors.New(ErrorMessage(err))
			}
			return nil
		},
	}
	for _, t := range c.Types {
		s.Types = append(s.Types, t.Name)
	}
	for _, f := range c.Fields {
		f := f
		s.Fields[f.Name] = automation.Field{Kind: f.Kind, Normalize: func(v string) (string, error) {
			out, err := f.Normalize(v)
			if err != nil {
				return "", errors.New(ErrorMessage(err))
			}
			return out, nil
		}}
	}
	return s
}

// Rules lists the automations on an event, in config order.
func (c *Config) Rules(on string) []*automation.Rule {
	var out []*automation.Rule
	for _, r := range c.Automations {
		if r.On == on {
			out = append(out, r)
		}
	}
	return out
}

// Rule returns the automation with that name, or nil.
func (c *Config) Rule(name string) *automation.Rule {
	for _, r := range c.Automations {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// PausesSLAFor reports whether a ticket of a type in a status has its SLA
// clocks paused: the type's own pauses_sla list when it has one, else the
// status's pauses_sla.
func (c *Config) PausesSLAFor(typ, status string) bool {
	if t := c.Type(typ); t != nil && t.PausesSLA != nil {
		return slices.Contains(t.PausesSLA, status)
	}
	return c.PausesSLA(status)
}

// WorkflowStatuses lists the statuses a workflow uses (its initial one
// and every status its transitions name), in the config's status order.
func (c *Config) WorkflowStatuses(w *Workflow) []string {
	used := map[string]bool{w.Initial: true}
	for _, t := range w.Transitions {
		for _, s := range t.From {
			used[s] = true
		}
		for _, s := range t.To {
			used[s] = true
		}
	}
	var out []string
	for _, s := range c.Statuses {
		if used[s.Name] {
			out = append(out, s.Name)
		}
	}
	return out
}

// MapStatus tells the status a ticket in status takes when its type
// changes to toType: the same status when the new workflow uses it, else
// the new workflow's first status of the same category, else of the
// closest category (new, open, waiting, resolved, closed in that order;
// the earlier one on a tie), else the workflow's initial status. A
// change of type never finishes a ticket nor reopens one: a ticket not
// done maps to a status not done while the workflow has one, and a done
// ticket to a done status.
func (c *Config) MapStatus(status, toType string) string {
	w := c.WorkflowFor(toType)
	if w == nil {
		return status
	}
	statuses := c.WorkflowStatuses(w)
	if slices.Contains(statuses, status) {
		return status
	}
	from := c.Status(status)
	if from == nil {
		return w.Initial
	}
	want := slices.Index(categories, from.Category)
	best, bestD := w.Initial, 4*len(categories)
	for _, name := range statuses {
		// Distance in categories, doubled so that a later category one
		// step away loses to an earlier one step away; crossing between
		// done and not done costs more than any distance.
		st := c.Status(name)
		d := slices.Index(categories, st.Category) - want
		if d > 0 {
			d = d*2 + 1
		} else {
			d = -d * 2
		}
		if st.Done() != from.Done() {
			d += 2 * len(categories)
		}
		if d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

// ReleasedVersions lists the versions the config declares released (the
// versions: of its semantic-version fields), sorted oldest first.
func (c *Config) ReleasedVersions() []string {
	var out []string
	for _, f := range c.Fields {
		if f.Kind != FieldSemver {
			continue
		}
		for _, v := range f.Versions {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := ParseSemver(out[i])
		b, _ := ParseSemver(out[j])
		return a.Compare(b) < 0
	})
	return out
}

// BlockedBy reports whether moving to status needs the ticket's blockers
// resolved first: started statuses (work under way) and resolved ones.
// Closing stays possible, since a blocked ticket may be dropped.
func (c *Config) BlockedBy(status string) bool {
	st := c.Status(status)
	return st != nil && (st.Started || st.Category == CategoryResolved)
}

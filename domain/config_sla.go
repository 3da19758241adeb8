package domain

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/deskbot/deskbot/domain/sla"
)

// CalendarDef is a business calendar as written under calendars:.
type CalendarDef struct {
	sla.CalendarSpec `yaml:",inline"`
	Line             int `yaml:"-"`
}

// PolicyDef is an SLA policy as written under sla_policies:.
type PolicyDef struct {
	sla.PolicySpec `yaml:",inline"`
	Line           int `yaml:"-"`
}

// SLASettings say who hears about SLA alerts and how often deadlines are checked.
type SLASettings struct {
	// EscalationChannel receives a post for every breach (a channel ID).
	EscalationChannel string `yaml:"escalation_channel"`
	// OnCall are the agents (user IDs) DMed about tickets nobody is assigned to.
	OnCall []string `yaml:"on_call"`
	// ScanInterval is how often the scheduler looks for due deadlines; the
	// look-up is one index range scan, so seconds are cheap and keep alert lag low.
	ScanInterval Duration `yaml:"scan_interval"`
	Line         int      `yaml:"-"`
}

// DefaultSLAScanInterval applies when sla.scan_interval is not set.
const DefaultSLAScanInterval = 2 * time.Second

func (d *CalendarDef) UnmarshalYAML(n *yaml.Node) error {
	d.Line = n.Line
	return decodeStrict(n, &d.CalendarSpec)
}

// UnmarshalYAML also checks the keys of each priority's targets: a typo
// like first_reponse would otherwise silently mean "no target".
func (d *PolicyDef) UnmarshalYAML(n *yaml.Node) error {
	d.Line = n.Line
	var errs []string
	if err := collect(&errs, decodeStrict(n, &d.PolicySpec)); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "targets" || n.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		prios := n.Content[i+1].Content
		for j := 1; j < len(prios); j += 2 {
			var ts sla.TargetSpec
			if err := collect(&errs, decodeStrict(prios[j], &ts)); err != nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

func (s *SLASettings) UnmarshalYAML(n *yaml.Node) error {
	type plain SLASettings
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

// Policy returns the compiled SLA policy with that name, or nil.
func (c *Config) Policy(name string) *sla.Policy { return c.policies[name] }

// PolicyFor returns the policy a ticket runs on: the one named, else the
// default (a customer whose policy left the config keeps an SLA); nil when
// the config has no policies.
func (c *Config) PolicyFor(name string) *sla.Policy {
	if p := c.policies[name]; p != nil {
		return p
	}
	return c.policies[c.DefaultSLAPolicy]
}

// Calendar returns the compiled business calendar with that name, or nil.
func (c *Config) Calendar(name string) *sla.Calendar { return c.calendars[name] }

// PolicyNames lists the SLA policies, sorted.
func (c *Config) PolicyNames() []string { return slices.Sorted(maps.Keys(c.policies)) }

// PausesSLA reports whether a ticket in this status stops its SLA clocks
// without being done (waiting on the customer, by default).
func (c *Config) PausesSLA(status string) bool {
	st := c.Status(status)
	return st != nil && st.PausesSLA
}

var (
	calendarNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`) // "24x7" is a fine name
)

// validateSLA compiles calendars then policies, so a deadline can never
// meet a calendar or policy that failed to compile.
func (c *Config) validateSLA(p *problems) {
	c.calendars = map[string]*sla.Calendar{}
	for _, name := range slices.Sorted(maps.Keys(c.Calendars)) {
		def := c.Calendars[name]
		if def == nil {
			p.add(0, "calendar %q is empty", name)
			continue
		}
		if !calendarNameRE.MatchString(name) {
			p.add(def.Line, "calendar name %q: use letters, digits, _ and - (like business or 24x7)", name)
		}
		cal, err := def.Compile(name)
		if err != nil {
			p.add(def.Line, "%v", err)
			continue
		}
		c.calendars[name] = cal
	}
	c.policies = map[string]*sla.Policy{}
	for _, name := range slices.Sorted(maps.Keys(c.SLAPolicies)) {
		def := c.SLAPolicies[name]
		if def == nil {
			p.add(0, "policy %q is empty", name)
			continue
		}
		if !nameRE.MatchString(name) {
			p.add(def.Line, "policy name %q: use lower-case letters, digits and _ (like gold)", name)
		}
		if _, ok := c.Calendars[def.Calendar]; ok && c.calendars[def.Calendar] == nil {
			continue // its calendar is broken and already reported
		}
		keys := c.Priorities
		if def.SLABy == "severity" {
			keys = c.Severities
		}
		pol, err := def.Compile(name, c.calendars, keys)
		if err != nil {
			p.add(def.Line, "%v", err)
			continue
		}
		c.policies[name] = pol
	}
	c.validateSLADefault(p)
	c.validateSLASettings(p)
}

func (c *Config) validateSLADefault(p *problems) {
	names := slices.Sorted(maps.Keys(c.SLAPolicies))
	switch {
	case c.DefaultSLAPolicy == "" && len(names) == 1:
		c.DefaultSLAPolicy = names[0]
	case c.DefaultSLAPolicy == "" && len(names) > 1:
		p.add(0, "default_sla_policy: name the policy of customers that have none (defined: %s)", strings.Join(names, ", "))
	case c.DefaultSLAPolicy != "" && c.SLAPolicies[c.DefaultSLAPolicy] == nil:
		p.add(0, "default_sla_policy: %s", unknown("policy", c.DefaultSLAPolicy, names))
	}
}

func (c *Config) validateSLASettings(p *problems) {
	s := &c.SLA
	if s.EscalationChannel != "" && !IsChannelID(s.EscalationChannel) {
		p.add(s.Line, "sla: escalation_channel %q must be a channel ID like C0123ABCD (channel details → About), not a name", s.EscalationChannel)
	}
	for _, u := range s.OnCall {
		if !IsUserID(u) {
			p.add(s.Line, "sla: on_call %q must be a Slack user ID like U0123ABCD, not a name", u)
		}
	}
	switch {
	case s.ScanInterval.Duration == 0:
		s.ScanInterval.Duration = DefaultSLAScanInterval
	case s.ScanInterval.Duration < 100*time.Millisecond:
		p.add(s.Line, "sla: scan_interval %s is too short; use 100ms or more", s.ScanInterval.Duration)
	}
}

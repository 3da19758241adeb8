package domain

import (
	"fmt"
	"github.com/deskbot/deskbot/domain/query"
	"regexp"
	"slices"
	"sort"
	"strings"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// validate returns every problem, each prefixed with its line.
func (c *Config) validate() []string {
	var p problems
	c.validatePriorities(&p)
	statuses := c.validateStatuses(&p)
	fields := c.validateFields(&p)
	c.validateWorkflows(&p, statuses, fields)
	c.validateTypes(&p, fields)
	c.validateSLA(&p)
	c.validateTime(&p)
	c.validateRules(&p)
	c.validateTrackers(&p)
	c.validateSearch(&p)
	if c.Slack.TicketEmoji == "" {
		c.Slack.TicketEmoji = "ticket"
	}
	c.Slack.TicketEmoji = strings.Trim(c.Slack.TicketEmoji, ":")
	return p.list
}

type problems struct{ list []string }

func (p *problems) add(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		p.list = append(p.list, fmt.Sprintf("%d: %s", line, msg))
	} else {
		p.list = append(p.list, " "+msg)
	}
}

func unknown(what, name string, known []string) string {
	if s, ok := query.Suggest(name, known); ok {
		return fmt.Sprintf("%s %q is not defined (did you mean %q?)", what, name, s)
	}
	return fmt.Sprintf("%s %q is not defined; defined: %s", what, name, strings.Join(known, ", "))
}

func (c *Config) validatePriorities(p *problems) {
	if len(c.Priorities) == 0 {
		p.add(0, "priorities: at least one priority is needed")
	}
	seen := map[string]bool{}
	for _, pr := range c.Priorities {
		if !nameRE.MatchString(pr) {
			p.add(0, "priority %q: names are lower-case letters, digits and _", pr)
		}
		if seen[pr] {
			p.add(0, "priority %q is listed twice", pr)
		}
		seen[pr] = true
	}
	if c.DefaultPriority == "" && len(c.Priorities) > 0 {
		c.DefaultPriority = c.Priorities[len(c.Priorities)/2]
	} else if c.DefaultPriority != "" && !seen[c.DefaultPriority] {
		p.add(0, "default_priority: %s", unknown("priority", c.DefaultPriority, c.Priorities))
	}
}

func (c *Config) validateStatuses(p *problems) []string {
	var names []string
	if len(c.Statuses) == 0 {
		p.add(0, "statuses: at least one status is needed")
	}
	for _, s := range c.Statuses {
		switch {
		case !nameRE.MatchString(s.Name):
			p.add(s.Line, "status name %q: use lower-case letters, digits and _ (like waiting)", s.Name)
		case slices.Contains(names, s.Name):
			p.add(s.Line, "status %q is defined twice", s.Name)
		}
		if !slices.Contains(categories, s.Category) {
			p.add(s.Line, "status %q: category %q must be one of %s", s.Name, s.Category, strings.Join(categories, ", "))
		}
		if s.Label == "" {
			s.Label = s.Name
		}
		names = append(names, s.Name)
	}
	return names
}

func (c *Config) validateFields(p *problems) []string {
	var names []string
	for _, f := range c.Fields {
		switch {
		case !nameRE.MatchString(f.Name):
			p.add(f.Line, "field name %q: use lower-case letters, digits and _", f.Name)
		case slices.Contains(names, f.Name):
			p.add(f.Line, "field %q is defined twice", f.Name)
		}
		names = append(names, f.Name)
		if !slices.Contains(fieldKinds, f.Kind) {
			p.add(f.Line, "field %q: kind %q must be one of %s", f.Name, f.Kind, strings.Join(fieldKinds, ", "))
			continue
		}
		if f.Pattern != "" {
			if f.Kind != FieldText {
				p.add(f.Line, "field %q: pattern only applies to text fields", f.Name)
			} else if re, err := regexp.Compile(`^(?:` + f.Pattern + `)$`); err != nil {
				p.add(f.Line, "field %q: pattern %q is not a valid regular expression: %v", f.Name, f.Pattern, err)
			} else {
				f.re = re
			}
		}
		if (f.Kind == FieldEnum || f.Kind == FieldMulti) && len(f.Options) == 0 {
			p.add(f.Line, "field %q: a %s field needs options", f.Name, f.Kind)
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			p.add(f.Line, "field %q: min %g is greater than max %g", f.Name, *f.Min, *f.Max)
		}
		for i, v := range f.Versions {
			sv, ok := ParseSemver(v)
			if !ok {
				p.add(f.Line, "field %q: version %q is not a semantic version like 4.2.1", f.Name, v)
				continue
			}
			f.Versions[i] = sv.String()
		}
	}
	return names
}

func (c *Config) validateWorkflows(p *problems, statuses, fields []string) {
	if len(c.Workflows) == 0 {
		p.add(0, "workflows: at least one workflow is needed")
	}
	names := make([]string, 0, len(c.Workflows))
	for n := range c.Workflows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		w := c.Workflows[name]
		if w == nil {
			p.add(0, "workflow %q is empty", name)
			continue
		}
		w.Name = name
		if !slices.Contains(statuses, w.Initial) {
			p.add(w.Line, "workflow %q: initial %s", name, unknown("status", w.Initial, statuses))
		}
		if len(w.Transitions) == 0 {
			p.add(w.Line, "workflow %q has no transitions", name)
		}
		for _, t := range w.Transitions {
			for _, s := range t.From {
				if s != "*" && !slices.Contains(statuses, s) {
					p.add(t.Line, "workflow %q: transition from %s", name, unknown("status", s, statuses))
				}
			}
			if len(t.To) == 0 {
				p.add(t.Line, "workflow %q: a transition needs a 'to'", name)
			}
			for _, s := range t.To {
				if !slices.Contains(statuses, s) {
					p.add(t.Line, "workflow %q: transition to %s", name, unknown("status", s, statuses))
				}
			}
			for _, f := range t.Requires {
				if !slices.Contains(fields, f) {
					p.add(t.Line, "workflow %q: transition requires %s", name, unknown("field", f, fields))
				}
			}
		}
	}
}

func (c *Config) validateTypes(p *problems, fields []string) {
	var names []string
	if len(c.Types) == 0 {
		p.add(0, "types: at least one ticket type is needed")
	}
	wfNames := make([]string, 0, len(c.Workflows))
	for n := range c.Workflows {
		wfNames = append(wfNames, n)
	}
	sort.Strings(wfNames)
	for _, t := range c.Types {
		switch {
		case !nameRE.MatchString(t.Name):
			p.add(t.Line, "type name %q: use lower-case letters, digits and _", t.Name)
		case slices.Contains(names, t.Name):
			p.add(t.Line, "type %q is defined twice", t.Name)
		}
		names = append(names, t.Name)
		if t.Label == "" {
			t.Label = t.Name
		}
		if c.Workflows[t.Workflow] == nil {
			p.add(t.Line, "type %q: %s", t.Name, unknown("workflow", t.Workflow, wfNames))
		}
		for _, f := range t.Fields {
			if !slices.Contains(fields, f) {
				p.add(t.Line, "type %q: %s", t.Name, unknown("field", f, fields))
			}
		}
		if t.DefaultPriority != "" && !c.HasPriority(t.DefaultPriority) {
			p.add(t.Line, "type %q: default_priority %s", t.Name, unknown("priority", t.DefaultPriority, c.Priorities))
		}
	}
	if c.DefaultType == "" && len(c.Types) > 0 {
		c.DefaultType = c.Types[0].Name
	} else if c.DefaultType != "" && !slices.Contains(names, c.DefaultType) {
		p.add(0, "default_type: %s", unknown("type", c.DefaultType, names))
	}
}

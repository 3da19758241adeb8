package domain

import (
	"slices"
	"strings"
)

// Workflow is the set of status moves a ticket type allows.
type Workflow struct {
	Name        string        `yaml:"-"`
	Initial     string        `yaml:"initial"`
	Transitions []*Transition `yaml:"transitions"`
	Line        int           `yaml:"-"`
}

// Transition allows moves from any status in From ("*" for any) to any in To.
// Requires lists fields that must have a value before the move.
type Transition struct {
	From     StringList `yaml:"from"`
	To       StringList `yaml:"to"`
	Requires []string   `yaml:"requires"`
	Line     int        `yaml:"-"`
}

// StringList reads either one string or a list of strings.
type StringList []string

// Next lists the statuses a ticket in status from may move to, in config order.
func (w *Workflow) Next(from string) []string {
	var out []string
	for _, t := range w.Transitions {
		if !t.matchesFrom(from) {
			continue
		}
		for _, to := range t.To {
			if to != from && !slices.Contains(out, to) {
				out = append(out, to)
			}
		}
	}
	return out
}

func (t *Transition) matchesFrom(from string) bool {
	return slices.Contains(t.From, "*") || slices.Contains(t.From, from)
}

// CheckMove tells whether a ticket may move from one status to another with
// the field values it has; the error says why not, naming the allowed moves
// or the missing fields.
func (w *Workflow) CheckMove(c *Config, from, to string, fields Fields) error {
	if c.Status(to) == nil {
		return FieldErrorf("status", "%q is not a status. Statuses: %s.", to, strings.Join(c.statusNames(), ", "))
	}
	if from == to {
		return Errorf(EINVALID, "The ticket is already %s.", c.StatusLabel(to))
	}
	var missing []string
	allowed := false
	for _, t := range w.Transitions {
		if !t.matchesFrom(from) || !slices.Contains(t.To, to) {
			continue
		}
		need := missingFields(t.Requires, fields)
		if len(need) == 0 {
			return nil
		}
		allowed = true
		missing = need
	}
	if allowed {
		labels := make([]string, len(missing))
		for i, f := range missing {
			labels[i] = f
			if d := c.Field(f); d != nil {
				labels[i] = d.label()
			}
		}
		return FieldErrorf("status", "Set %s before moving the ticket to %s.", strings.Join(labels, " and "), c.StatusLabel(to))
	}
	next := w.Next(from)
	if len(next) == 0 {
		return Errorf(EINVALID, "A %s ticket cannot change status.", c.StatusLabel(from))
	}
	labels := make([]string, len(next))
	for i, s := range next {
		labels[i] = c.StatusLabel(s)
	}
	return FieldErrorf("status", "A ticket cannot go from %s to %s. From %s it can go to: %s.",
		c.StatusLabel(from), c.StatusLabel(to), c.StatusLabel(from), strings.Join(labels, ", "))
}

func missingFields(required []string, fields Fields) []string {
	var out []string
	for _, f := range required {
		if strings.TrimSpace(fields[f]) == "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *Config) statusNames() []string {
	out := make([]string, len(c.Statuses))
	for i, s := range c.Statuses {
		out[i] = s.Name
	}
	return out
}

// Package automation is deskbot's rule engine, as pure functions: rules
// written in the config (event → conditions → actions) are compiled once,
// checked against the config's names with line numbers, and matched
// against the facts of a ticket event. Executing actions is the use
// cases' business (package commands); this package only decides which
// rules fire and explains why.
package automation

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Events a rule can be on.
const (
	OnCreated       = "created"
	OnUpdated       = "updated" // a field changed; Rule.Field narrows it to one
	OnStatusChanged = "status_changed"
	OnCommentAdded  = "comment_added" // Rule.By narrows it to customer or agent comments
	OnSLAWarning    = "sla_warning"
	OnSLABreach     = "sla_breach"
	// Time-based: the scheduler's scan raises them with the time elapsed.
	OnNoCustomerReply = "no_customer_reply" // business time since the agents' last public reply, unanswered
	OnIdle            = "idle"              // wall time since anything last happened on the ticket
)

// events lists every event a rule can be on.
var events = []string{OnCreated, OnUpdated, OnStatusChanged, OnCommentAdded, OnSLAWarning, OnSLABreach, OnNoCustomerReply, OnIdle}

// Who wrote a comment.
const (
	ByCustomer = "customer"
	ByAgent    = "agent"
	BySystem   = "system" // deskbot's own notes: they trigger no comment rule
)

// updatedFields are the built-in fields an updated rule may name; custom
// fields are named as the config defines them.
var updatedFields = []string{"priority", "assignee", "title", "type", "tags", "sla_policy"}

// Timed reports whether rules on this event are raised by the scheduler's scan.
func Timed(on string) bool { return on == OnNoCustomerReply || on == OnIdle }

// Rule is one automation: when On happens and If holds, do Then.
type Rule struct {
	Name        string
	Description string
	On          string
	Field       string        // updated: only changes of this field
	By          string        // comment_added: only comments by customer or agent
	After       time.Duration // time-based events: how long
	If          *Cond         // nil always holds
	Then        []*Action
	Line        int

	node *yaml.Node
}

// UnmarshalYAML keeps the node: Compile reads it with the config's names
// at hand, so that every problem of every rule is reported with its line.
func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	r.node, r.Line = n, n.Line
	return nil
}

// Event is what happened to a ticket.
type Event struct {
	Kind    string
	Fields  []string      // updated: the fields that changed
	By      string        // comment_added: ByCustomer, ByAgent or BySystem
	Elapsed time.Duration // time-based: how long the ticket has been so
}

// Triggered reports whether the rule is on this event.
func (r *Rule) Triggered(ev Event) bool {
	if r.On != ev.Kind {
		return false
	}
	switch r.On {
	case OnUpdated:
		if r.Field == "" {
			return len(ev.Fields) > 0
		}
		for _, f := range ev.Fields {
			if f == r.Field {
				return true
			}
		}
		return false
	case OnCommentAdded:
		if r.By == "" {
			return ev.By == ByCustomer || ev.By == ByAgent
		}
		return ev.By == r.By
	case OnNoCustomerReply, OnIdle:
		return ev.Elapsed >= r.After
	}
	return true
}

// Match returns the rules an event fires, in config order. skip, if set,
// leaves rules out (those already running, so a rule's own changes never
// trigger it again). It allocates only for the result.
func Match(rules []*Rule, ev Event, f *Facts, skip func(*Rule) bool) []*Rule {
	var out []*Rule
	for _, r := range rules {
		if !r.Triggered(ev) || (skip != nil && skip(r)) {
			continue
		}
		if r.If == nil || r.If.Match(f) {
			out = append(out, r)
		}
	}
	return out
}

// Explain tells whether the rule's conditions hold for the facts and why:
// the conditions that hold, or the first that does not.
func (r *Rule) Explain(f *Facts) (bool, string) {
	if r.If == nil {
		return true, "no conditions"
	}
	return r.If.Explain(f)
}

// Trigger describes the rule's event in words: "a customer comment".
func (r *Rule) Trigger() string {
	switch r.On {
	case OnCreated:
		return "ticket created"
	case OnUpdated:
		if r.Field != "" {
			return r.Field + " changed"
		}
		return "ticket updated"
	case OnStatusChanged:
		return "status changed"
	case OnCommentAdded:
		if r.By != "" {
			return r.By + " comment"
		}
		return "comment added"
	case OnSLAWarning:
		return "SLA warning"
	case OnSLABreach:
		return "SLA breach"
	case OnNoCustomerReply:
		return fmt.Sprintf("no customer reply for %s business time", shortDuration(r.After))
	case OnIdle:
		return fmt.Sprintf("idle for %s", shortDuration(r.After))
	}
	return r.On
}

// Actions describes what the rule does, one phrase per action.
func (r *Rule) Actions() string {
	parts := make([]string, len(r.Then))
	for i, a := range r.Then {
		parts[i] = a.String()
	}
	return strings.Join(parts, "; ")
}

func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// Conditions describes the rule's conditions, "always" when it has none.
func (r *Rule) Conditions() string {
	if r.If == nil || (r.If.Op == opAll && len(r.If.Subs) == 0) {
		return "always"
	}
	return r.If.String()
}

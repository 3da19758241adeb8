package automation

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/deskbot/deskbot/domain/query"
)

// Schema is what the config defines, for checking rules against it.
type Schema struct {
	Types, Statuses, Priorities, Sources, Policies []string
	Severities                                     []string
	// CheckDue tells whether a set_due value reads as a due date.
	CheckDue func(string) error
	Groups   map[string][]string
	Fields   map[string]Field
}

// Field is a custom field as rules need it.
type Field struct {
	Kind string // the config's field kind; "multi" values are comma lists
	// Normalize checks a value and returns its canonical form.
	Normalize func(string) (string, error)
}

// Problem is something wrong in a rule, at a line of the config file.
type Problem struct {
	Line int
	Msg  string
}

var (
	ruleNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$`)
	userRE     = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	channelRE  = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	emailRE    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	tagRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// MaxRules bounds the list: rules run inside the transaction of every change.
const MaxRules = 500

// Compile checks decoded rules against the schema and fills them in. It
// returns every problem; rules are only usable when there is none.
func Compile(rules []*Rule, s *Schema) []Problem {
	c := &compiler{s: s}
	if len(rules) > MaxRules {
		c.add(0, "automations: %d rules; at most %d run on each change", len(rules), MaxRules)
	}
	names := map[string]int{}
	for _, r := range rules {
		if r == nil || r.node == nil {
			c.add(0, "automations: an empty rule")
			continue
		}
		c.compileRule(r)
		if r.Name != "" {
			if prev, ok := names[r.Name]; ok {
				c.add(r.Line, "automation %q is defined twice (first on line %d)", r.Name, prev)
			}
			names[r.Name] = r.Line
		}
	}
	return c.problems
}

// ParseRules decodes and compiles rules written as a YAML list.
func ParseRules(data []byte, s *Schema) ([]*Rule, []Problem) {
	var rules []*Rule
	if err := yaml.Unmarshal(data, &rules); err != nil {
		return nil, []Problem{{0, err.Error()}}
	}
	if ps := Compile(rules, s); len(ps) > 0 {
		return nil, ps
	}
	return rules, nil
}

type compiler struct {
	s        *Schema
	problems []Problem
}

func (c *compiler) add(line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{line, fmt.Sprintf(format, args...)})
}

func (c *compiler) unknown(line int, what, name string, known []string) {
	if s, ok := query.Suggest(name, known); ok {
		c.add(line, "%s %q is not defined (did you mean %q?)", what, name, s)
		return
	}
	c.add(line, "%s %q is not defined; defined: %s", what, name, strings.Join(known, ", "))
}

// keys checks a mapping's keys and returns its values by key.
func (c *compiler) keys(n *yaml.Node, what string, known []string) (map[string]*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		c.add(n.Line, "%s: expected a mapping of keys", what)
		return nil, false
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) {
			if s, ok := query.Suggest(k.Value, known); ok {
				c.add(k.Line, "%s: unknown key %q (did you mean %q?)", what, k.Value, s)
			} else {
				c.add(k.Line, "%s: unknown key %q; known keys: %s", what, k.Value, strings.Join(known, ", "))
			}
			continue
		}
		out[k.Value] = n.Content[i+1]
	}
	return out, true
}

func (c *compiler) scalar(n *yaml.Node, what string) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		line := 0
		if n != nil {
			line = n.Line
		}
		c.add(line, "%s: expected a single value", what)
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// list reads one value or a list of values.
func (c *compiler) list(n *yaml.Node, what string) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{strings.TrimSpace(n.Value)}
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if v, ok := c.scalar(item, what); ok {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			c.add(n.Line, "%s: the list is empty", what)
		}
		return out
	}
	c.add(n.Line, "%s: expected a value or a list of values", what)
	return nil
}

var ruleKeys = []string{"name", "description", "on", "field", "by", "after", "if", "then"}

func (c *compiler) compileRule(r *Rule) {
	k, ok := c.keys(r.node, "automation", ruleKeys)
	if !ok {
		return
	}
	what := "automation"
	if n := k["name"]; n == nil {
		c.add(r.Line, "automation: a rule needs a name")
	} else if v, ok := c.scalar(n, "automation name"); ok {
		r.Name = v
		what = fmt.Sprintf("automation %q", v)
		if !ruleNameRE.MatchString(v) {
			c.add(n.Line, "%s: a name is 1 to 64 letters, digits, spaces and _ . -", what)
		}
	}
	if n := k["description"]; n != nil {
		r.Description, _ = c.scalar(n, what+": description")
	}
	c.trigger(r, k, what)
	r.If = nil
	if n := k["if"]; n != nil {
		r.If = c.cond(n, what)
	}
	r.Then = nil
	n := k["then"]
	if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		c.add(r.Line, "%s: 'then' needs a list of actions", what)
		return
	}
	for _, item := range n.Content {
		r.Then = append(r.Then, c.action(item, what)...)
	}
}

func (c *compiler) trigger(r *Rule, k map[string]*yaml.Node, what string) {
	n := k["on"]
	if n == nil {
		c.add(r.Line, "%s: 'on' names the event (%s)", what, strings.Join(events, ", "))
		return
	}
	r.On, _ = c.scalar(n, what+": on")
	if !slices.Contains(events, r.On) {
		c.unknown(n.Line, what+": event", r.On, events)
		return
	}
	if f := k["field"]; f != nil {
		r.Field, _ = c.scalar(f, what+": field")
		known := append(slices.Clone(updatedFields), c.fieldNames()...)
		switch {
		case r.On != OnUpdated:
			c.add(f.Line, "%s: 'field' only applies to on: updated", what)
		case !slices.Contains(known, r.Field):
			c.unknown(f.Line, what+": field", r.Field, known)
		}
	}
	if b := k["by"]; b != nil {
		r.By, _ = c.scalar(b, what+": by")
		switch {
		case r.On != OnCommentAdded:
			c.add(b.Line, "%s: 'by' only applies to on: comment_added", what)
		case r.By != ByCustomer && r.By != ByAgent:
			c.add(b.Line, "%s: by is customer or agent, not %q", what, r.By)
		}
	}
	a := k["after"]
	switch {
	case Timed(r.On) && a == nil:
		c.add(r.Line, "%s: on %s needs 'after' (like 8h)", what, r.On)
	case !Timed(r.On) && a != nil:
		c.add(a.Line, "%s: 'after' only applies to on: %s or %s", what, OnNoCustomerReply, OnIdle)
	case a != nil:
		v, _ := c.scalar(a, what+": after")
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			c.add(a.Line, "%s: after %q is not a duration like 30m or 8h", what, v)
		}
		r.After = d
	}
}

func (c *compiler) fieldNames() []string {
	names := make([]string, 0, len(c.s.Fields))
	for n := range c.s.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// The keys a condition can have.
var condKeys = []string{"all", "any", "not", "type", "status", "priority", "source", "customer", "tier",
	"assignee", "requester", "tag", "text_contains", "text_matches", "business_hours", "field"}

// cond compiles a condition: a list (all of it), a mapping of one key, or
// a mapping of several keys (all of them).
func (c *compiler) cond(n *yaml.Node, what string) *Cond {
	switch n.Kind {
	case yaml.SequenceNode:
		all := &Cond{Op: opAll, Line: n.Line}
		for _, item := range n.Content {
			if sub := c.cond(item, what); sub != nil {
				all.Subs = append(all.Subs, sub)
			}
		}
		return all
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			return c.condKey(n.Content[0], n.Content[1], what)
		}
		all := &Cond{Op: opAll, Line: n.Line}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if sub := c.condKey(n.Content[i], n.Content[i+1], what); sub != nil {
				all.Subs = append(all.Subs, sub)
			}
		}
		return all
	}
	c.add(n.Line, "%s: a condition is a mapping like {type: incident}, or a list of them", what)
	return nil
}

func (c *compiler) condKey(k, v *yaml.Node, what string) *Cond {
	line := k.Line
	key := k.Value
	switch key {
	case "all", "any":
		group := &Cond{Op: key, Line: line}
		switch v.Kind {
		case yaml.SequenceNode:
			for _, item := range v.Content {
				if sub := c.cond(item, what); sub != nil {
					group.Subs = append(group.Subs, sub)
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(v.Content); i += 2 {
				if sub := c.condKey(v.Content[i], v.Content[i+1], what); sub != nil {
					group.Subs = append(group.Subs, sub)
				}
			}
		}
		if len(v.Content) == 0 {
			c.add(line, "%s: %s needs a list of conditions", what, key)
		}
		return group
	case "not":
		sub := c.cond(v, what)
		if sub == nil {
			return nil
		}
		return &Cond{Op: opNot, Subs: []*Cond{sub}, Line: line}
	case "type", "status", "priority", "source":
		known := map[string][]string{"type": c.s.Types, "status": c.s.Statuses, "priority": c.s.Priorities, "source": c.s.Sources}[key]
		vals := c.list(v, what+": "+key)
		for _, val := range vals {
			if !slices.Contains(known, val) {
				c.unknown(v.Line, what+": "+key, val, known)
			}
		}
		return &Cond{Op: opIs, Fact: key, Values: vals, Line: line}
	case "customer":
		vals := c.list(v, what+": customer")
		for i := range vals {
			vals[i] = strings.ToUpper(vals[i])
		}
		return &Cond{Op: opIs, Fact: key, Values: vals, Line: line}
	case "tier":
		vals := c.list(v, what+": tier")
		for i := range vals {
			vals[i] = strings.ToLower(vals[i])
		}
		return &Cond{Op: opIs, Fact: key, Values: vals, Line: line}
	case "assignee", "requester":
		vals := c.list(v, what+": "+key)
		for _, val := range vals {
			if !userRE.MatchString(val) {
				c.add(v.Line, "%s: %s %q must be a Slack user ID like U0123ABCD", what, key, val)
			}
		}
		return &Cond{Op: opIs, Fact: key, Values: vals, Line: line}
	case "tag":
		return &Cond{Op: opHas, Fact: "tags", Values: c.tags(v, what), Line: line}
	case "text_contains":
		vals := c.list(v, what+": text_contains")
		for i := range vals {
			vals[i] = strings.ToLower(vals[i])
			if vals[i] == "" {
				c.add(v.Line, "%s: text_contains needs words to look for", what)
			}
		}
		return &Cond{Op: opContains, Fact: "text", Values: vals, Line: line}
	case "text_matches":
		return c.matches(v, "text", what, line)
	case "business_hours":
		var want bool
		if err := v.Decode(&want); err != nil || v.Kind != yaml.ScalarNode {
			c.add(v.Line, "%s: business_hours is true or false", what)
		}
		return &Cond{Op: opHours, Fact: "business_hours", Want: want, Line: line}
	case "field":
		return c.fieldCond(v, what, line)
	}
	if s, ok := query.Suggest(key, condKeys); ok {
		c.add(line, "%s: unknown condition %q (did you mean %q?)", what, key, s)
	} else {
		c.add(line, "%s: unknown condition %q; conditions: %s", what, key, strings.Join(condKeys, ", "))
	}
	return nil
}

func (c *compiler) matches(v *yaml.Node, fact, what string, line int) *Cond {
	pat, _ := c.scalar(v, what+": matches")
	re, err := regexp.Compile(pat)
	if err != nil {
		c.add(v.Line, "%s: %q is not a valid regular expression: %v", what, pat, err)
		re = regexp.MustCompile(`$^`)
	}
	return &Cond{Op: opMatches, Fact: fact, re: re, Line: line}
}

func (c *compiler) tags(v *yaml.Node, what string) []string {
	vals := c.list(v, what+": tag")
	for i, t := range vals {
		vals[i] = strings.ToLower(t)
		if !tagRE.MatchString(vals[i]) {
			c.add(v.Line, "%s: tag %q: use up to 32 lower-case letters, digits, _ and -", what, t)
		}
	}
	return vals
}

var builtinFacts = []string{"type", "status", "priority", "source", "customer", "tier", "assignee", "requester", "title"}

var fieldCondKeys = []string{"name", "is", "set", "contains", "matches", "above", "below"}

// fieldCond compiles field: {name: environment, is: production} and the
// other tests on one field, built-in or custom.
func (c *compiler) fieldCond(v *yaml.Node, what string, line int) *Cond {
	k, ok := c.keys(v, what+": field", fieldCondKeys)
	if !ok {
		return nil
	}
	name := ""
	if n := k["name"]; n != nil {
		name, _ = c.scalar(n, what+": field name")
	}
	known := append(slices.Clone(builtinFacts), c.fieldNames()...)
	def, custom := c.s.Fields[name]
	if name == "" {
		c.add(line, "%s: field needs a name", what)
		return nil
	} else if !slices.Contains(known, name) {
		c.unknown(line, what+": field", name, known)
		return nil
	}
	delete(k, "name")
	if len(k) != 1 {
		c.add(line, "%s: field %s needs exactly one test of: is, set, contains, matches, above, below", what, name)
		return nil
	}
	for op, n := range k {
		cond := &Cond{Op: op, Fact: name, Line: line, Multi: custom && def.Kind == "multi"}
		switch op {
		case "is":
			cond.Values = c.list(n, what+": field "+name)
			for i, val := range cond.Values {
				if custom && def.Normalize != nil {
					norm, err := def.Normalize(val)
					if err != nil {
						c.add(n.Line, "%s: field %s: %v", what, name, err)
					}
					cond.Values[i] = norm
				}
			}
		case "set":
			if err := n.Decode(&cond.Want); err != nil || n.Kind != yaml.ScalarNode {
				c.add(n.Line, "%s: field %s: set is true or false", what, name)
			}
		case "contains":
			cond.Values = c.list(n, what+": field "+name)
			for i := range cond.Values {
				cond.Values[i] = strings.ToLower(cond.Values[i])
			}
		case "matches":
			return c.matches(n, name, what, line)
		case "above", "below":
			s, _ := c.scalar(n, what+": field "+name)
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				c.add(n.Line, "%s: field %s: %s needs a number, not %q", what, name, op, s)
			}
			cond.Num = f
		}
		return cond
	}
	return nil
}

var actionKeys = map[string][]string{
	ActAssign: {"user", AssignRoundRobin, AssignLeastLoaded},
	ActPost:   {"channel", "text"},
	ActDM:     {"to", "text"},
	ActEmail:  {"to", "subject", "text"},
}

// action compiles one list item of then: a mapping of one action (two or
// more set_field pairs expand to one action each).
func (c *compiler) action(n *yaml.Node, what string) []*Action {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		c.add(n.Line, "%s: each action is one key, like {set_priority: urgent}; actions: %s", what, strings.Join(actionKinds, ", "))
		return nil
	}
	k, v := n.Content[0], n.Content[1]
	a := &Action{Kind: k.Value, Line: k.Line}
	what = fmt.Sprintf("%s: %s", what, k.Value)
	switch a.Kind {
	case ActSetField:
		return c.setFields(v, what, k.Line)
	case ActSetPriority:
		a.Value, _ = c.scalar(v, what)
		if !slices.Contains(c.s.Priorities, a.Value) {
			c.unknown(v.Line, what+": priority", a.Value, c.s.Priorities)
		}
	case ActSetSeverity:
		a.Value, _ = c.scalar(v, what)
		if !slices.Contains(c.s.Severities, a.Value) {
			c.unknown(v.Line, what+": severity", a.Value, c.s.Severities)
		}
	case ActSetDue:
		a.Value, _ = c.scalar(v, what)
		if words := strings.Fields(a.Value); len(words) > 1 && words[len(words)-1] == "public" {
			a.Value, a.Public = strings.Join(words[:len(words)-1], " "), true
		}
		if c.s.CheckDue != nil {
			if err := c.s.CheckDue(a.Value); err != nil {
				c.add(v.Line, "%s: %v", what, err)
			}
		}
	case ActAssign:
		c.assign(a, v, what)
	case ActApplySLA:
		a.Value, _ = c.scalar(v, what)
		if !slices.Contains(c.s.Policies, a.Value) {
			c.unknown(v.Line, what+": policy", a.Value, c.s.Policies)
		}
	case ActAddTag, ActRemoveTag:
		if tags := c.tags(v, what); len(tags) == 1 {
			a.Value = tags[0]
		} else if len(tags) > 1 {
			c.add(v.Line, "%s: one tag per action", what)
		}
	case ActSetStatus:
		a.Value, _ = c.scalar(v, what)
		if !slices.Contains(c.s.Statuses, a.Value) {
			c.unknown(v.Line, what+": status", a.Value, c.s.Statuses)
		}
	case ActPost:
		c.message(a, v, what, "channel")
		if !channelRE.MatchString(a.Value) {
			c.add(v.Line, "%s: channel %q must be a channel ID like C0123ABCD (channel details → About), not a name", what, a.Value)
		}
	case ActDM:
		c.message(a, v, what, "to")
		if a.To != ToAssignee && a.To != ToRequester && !userRE.MatchString(a.To) {
			c.add(v.Line, "%s: to %q must be a Slack user ID like U0123ABCD, assignee or requester", what, a.To)
		}
	case ActEmail:
		c.message(a, v, what, "to")
		if a.To != ToRequester && !emailRE.MatchString(a.To) {
			c.add(v.Line, "%s: to %q must be an email address or requester", what, a.To)
		}
	case ActNote:
		a.Text, _ = c.scalar(v, what)
		if a.Text == "" {
			c.add(v.Line, "%s: a note needs text", what)
		}
	default:
		if s, ok := query.Suggest(a.Kind, actionKinds); ok {
			c.add(k.Line, "%s: unknown action (did you mean %q?)", what, s)
		} else {
			c.add(k.Line, "%s: unknown action; actions: %s", what, strings.Join(actionKinds, ", "))
		}
		return nil
	}
	return []*Action{a}
}

func (c *compiler) setFields(v *yaml.Node, what string, line int) []*Action {
	if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
		c.add(v.Line, "%s: expected field: value pairs, like {environment: production}", what)
		return nil
	}
	var out []*Action
	for i := 0; i+1 < len(v.Content); i += 2 {
		name := v.Content[i].Value
		def, ok := c.s.Fields[name]
		if !ok {
			c.unknown(v.Content[i].Line, what+": field", name, c.fieldNames())
			continue
		}
		val, _ := c.scalar(v.Content[i+1], what+": "+name)
		if def.Normalize != nil {
			norm, err := def.Normalize(val)
			if err != nil {
				c.add(v.Content[i+1].Line, "%s: %v", what, err)
			}
			val = norm
		}
		out = append(out, &Action{Kind: ActSetField, Field: name, Value: val, Line: line})
	}
	return out
}

func (c *compiler) assign(a *Action, v *yaml.Node, what string) {
	if v.Kind == yaml.ScalarNode {
		a.Assign, a.Value = AssignUser, strings.TrimSpace(v.Value)
	} else {
		k, ok := c.keys(v, what, actionKeys[ActAssign])
		if !ok {
			return
		}
		if len(k) != 1 {
			c.add(v.Line, "%s: one of user, round_robin, least_loaded", what)
			return
		}
		for mode, n := range k {
			a.Assign = mode
			val, _ := c.scalar(n, what+": "+mode)
			if mode == AssignUser {
				a.Value = val
			} else {
				a.Group = val
			}
		}
	}
	if a.Assign == AssignUser {
		if !userRE.MatchString(a.Value) {
			c.add(v.Line, "%s: %q must be a Slack user ID like U0123ABCD", what, a.Value)
		}
		return
	}
	members, ok := c.s.Groups[a.Group]
	if !ok {
		names := make([]string, 0, len(c.s.Groups))
		for g := range c.s.Groups {
			names = append(names, g)
		}
		sort.Strings(names)
		c.unknown(v.Line, what+": group", a.Group, names)
		return
	}
	a.Members = members
}

// message reads a post, dm or email: the shorthand value (the channel or
// recipient alone) or a mapping with its text.
func (c *compiler) message(a *Action, v *yaml.Node, what, target string) {
	set := func(val string) {
		if target == "channel" {
			a.Value = val
		} else {
			a.To = val
		}
	}
	if v.Kind == yaml.ScalarNode {
		set(strings.TrimSpace(v.Value))
		return
	}
	k, ok := c.keys(v, what, actionKeys[a.Kind])
	if !ok {
		return
	}
	if n := k[target]; n != nil {
		val, _ := c.scalar(n, what+": "+target)
		set(val)
	} else {
		c.add(v.Line, "%s: needs %s", what, target)
	}
	if n := k["text"]; n != nil {
		a.Text, _ = c.scalar(n, what+": text")
	}
	if n := k["subject"]; n != nil {
		a.Subject, _ = c.scalar(n, what+": subject")
	}
}

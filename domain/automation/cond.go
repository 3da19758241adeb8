package automation

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Condition operators. all, any and not combine; the others test one fact.
const (
	opAll      = "all"
	opAny      = "any"
	opNot      = "not"
	opIs       = "is"       // the fact is one of Values
	opSet      = "set"      // the fact has a value (Want) or not
	opContains = "contains" // the fact contains one of Values, ignoring case
	opMatches  = "matches"  // the fact matches re
	opAbove    = "above"    // the fact is a number above Num
	opBelow    = "below"    // the fact is a number below Num
	opHas      = "has"      // the ticket carries one of the tags in Values
	opHours    = "hours"    // the event happened in business hours (Want) or not
)

// Cond is a compiled condition.
type Cond struct {
	Op     string
	Subs   []*Cond
	Fact   string // what a leaf tests: a built-in (type, priority…), "text", or a custom field
	Values []string
	Want   bool
	Num    float64
	Multi  bool // the fact is a multi-choice field: "a,b" is one of Values if a or b is
	Line   int

	re *regexp.Regexp
}

// Facts are what conditions test: one ticket at the moment of one event.
// The caller fills them once per event; matching only reads them.
type Facts struct {
	Type, Status, Priority, Source string
	Customer, Tier                 string // the customer's key (upper case) and contract tier
	Assignee, Requester            string // Slack user IDs (the requester's email when it has none)
	Title                          string
	Fields                         map[string]string // custom fields, canonical values
	Tags                           []string
	// Text is what text conditions read: the title, the description and,
	// for a comment event, the comment.
	Text string
	// BusinessHours: the event happened while the ticket's business
	// calendar was open.
	BusinessHours bool

	lower string // Text in lower case, made on first use
}

// Get returns a fact by name: a built-in or a custom field.
func (f *Facts) Get(name string) string {
	switch name {
	case "type":
		return f.Type
	case "status":
		return f.Status
	case "priority":
		return f.Priority
	case "source":
		return f.Source
	case "customer":
		return f.Customer
	case "tier":
		return f.Tier
	case "assignee":
		return f.Assignee
	case "requester":
		return f.Requester
	case "title":
		return f.Title
	case "text":
		return f.Text
	}
	return f.Fields[name]
}

func (f *Facts) lowerText() string {
	if f.lower == "" && f.Text != "" {
		f.lower = strings.ToLower(f.Text)
	}
	return f.lower
}

// Match reports whether the condition holds.
func (c *Cond) Match(f *Facts) bool {
	switch c.Op {
	case opAll:
		for _, s := range c.Subs {
			if !s.Match(f) {
				return false
			}
		}
		return true
	case opAny:
		for _, s := range c.Subs {
			if s.Match(f) {
				return true
			}
		}
		return false
	case opNot:
		return !c.Subs[0].Match(f)
	case opHas:
		for _, t := range f.Tags {
			if slices.Contains(c.Values, t) {
				return true
			}
		}
		return false
	case opHours:
		return f.BusinessHours == c.Want
	}
	return c.leaf(f, f.Get(c.Fact))
}

func (c *Cond) leaf(f *Facts, v string) bool {
	switch c.Op {
	case opIs:
		if c.Multi {
			for part := range strings.SplitSeq(v, ",") {
				if slices.Contains(c.Values, part) {
					return true
				}
			}
			return false
		}
		return slices.Contains(c.Values, v)
	case opSet:
		return (v != "") == c.Want
	case opContains:
		lv := strings.ToLower(v)
		if c.Fact == "text" {
			lv = f.lowerText()
		}
		for _, want := range c.Values {
			if strings.Contains(lv, want) {
				return true
			}
		}
		return false
	case opMatches:
		return c.re.MatchString(v)
	case opAbove, opBelow:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		if c.Op == opAbove {
			return n > c.Num
		}
		return n < c.Num
	}
	return false
}

// Explain tells whether the condition holds and why, in words: the
// conditions that hold (joined by "; "), or the first that does not.
func (c *Cond) Explain(f *Facts) (bool, string) {
	switch c.Op {
	case opAll:
		var why []string
		for _, s := range c.Subs {
			ok, w := s.Explain(f)
			if !ok {
				return false, w
			}
			why = append(why, w)
		}
		return true, strings.Join(why, "; ")
	case opAny:
		var why []string
		for _, s := range c.Subs {
			ok, w := s.Explain(f)
			if ok {
				return true, w
			}
			why = append(why, w)
		}
		return false, "none of: " + strings.Join(why, "; ")
	case opNot:
		ok, w := c.Subs[0].Explain(f)
		return !ok, "not (" + w + ")"
	}
	ok := c.Match(f)
	return ok, c.describe(f, ok)
}

// describe words a leaf, with the ticket's own value when it fails.
func (c *Cond) describe(f *Facts, ok bool) string {
	v := f.Get(c.Fact)
	shown := v
	if shown == "" {
		shown = "not set"
	}
	switch c.Op {
	case opIs:
		want := c.Values[0]
		if len(c.Values) > 1 {
			want = "one of " + strings.Join(c.Values, ", ")
		}
		if ok {
			return fmt.Sprintf("%s is %s", c.Fact, v)
		}
		return fmt.Sprintf("%s is %s, not %s", c.Fact, shown, want)
	case opSet:
		if v != "" {
			return c.Fact + " is set"
		}
		return c.Fact + " is not set"
	case opContains:
		quoted := make([]string, len(c.Values))
		for i, w := range c.Values {
			quoted[i] = strconv.Quote(w)
		}
		if ok {
			return fmt.Sprintf("%s contains %s", c.Fact, strings.Join(quoted, " or "))
		}
		return fmt.Sprintf("%s does not contain %s", c.Fact, strings.Join(quoted, " or "))
	case opMatches:
		if ok {
			return fmt.Sprintf("%s matches /%s/", c.Fact, c.re)
		}
		return fmt.Sprintf("%s does not match /%s/", c.Fact, c.re)
	case opAbove, opBelow:
		word := "above"
		if c.Op == opBelow {
			word = "below"
		}
		if ok {
			return fmt.Sprintf("%s is %s (%s %g)", c.Fact, v, word, c.Num)
		}
		return fmt.Sprintf("%s is %s, not %s %g", c.Fact, shown, word, c.Num)
	case opHas:
		if ok {
			return "tagged " + strings.Join(c.Values, " or ")
		}
		return "not tagged " + strings.Join(c.Values, " or ")
	case opHours:
		if f.BusinessHours {
			return "during business hours"
		}
		return "outside business hours"
	}
	return c.Op
}

// String writes the condition in words, for listings: "type is incident;
// any of (tagged vip, text contains "outage")".
func (c *Cond) String() string {
	switch c.Op {
	case opAll, opAny:
		parts := make([]string, len(c.Subs))
		for i, s := range c.Subs {
			parts[i] = s.String()
		}
		if c.Op == opAll {
			return strings.Join(parts, "; ")
		}
		return "any of (" + strings.Join(parts, ", ") + ")"
	case opNot:
		return "not (" + c.Subs[0].String() + ")"
	case opIs:
		if len(c.Values) > 1 {
			return fmt.Sprintf("%s is one of %s", c.Fact, strings.Join(c.Values, ", "))
		}
		return fmt.Sprintf("%s is %s", c.Fact, c.Values[0])
	case opSet:
		if c.Want {
			return c.Fact + " is set"
		}
		return c.Fact + " is not set"
	case opContains:
		quoted := make([]string, len(c.Values))
		for i, w := range c.Values {
			quoted[i] = strconv.Quote(w)
		}
		return fmt.Sprintf("%s contains %s", c.Fact, strings.Join(quoted, " or "))
	case opMatches:
		return fmt.Sprintf("%s matches /%s/", c.Fact, c.re)
	case opAbove, opBelow:
		return fmt.Sprintf("%s %s %g", c.Fact, c.Op, c.Num)
	case opHas:
		return "tagged " + strings.Join(c.Values, " or ")
	case opHours:
		if c.Want {
			return "during business hours"
		}
		return "outside business hours"
	}
	return c.Op
}

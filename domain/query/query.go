package query

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Op is the comparison a Filter or Cond applies. Ops are strings so that a
// logged or stored query stays readable without this package.
type Op string

const (
	Eq       Op = "eq"       // field is any of Values
	Lt       Op = "lt"       // field < Values[0]
	Le       Op = "le"       // field <= Values[0]
	Gt       Op = "gt"       // field > Values[0]
	Ge       Op = "ge"       // field >= Values[0]
	Between  Op = "between"  // Values[0] <= field <= Values[1] (both ends inclusive)
	Prefix   Op = "prefix"   // field starts with any of Values (version:4.2.* gives "4.2.")
	Contains Op = "contains" // field contains any of Values (text)
	Range    Op = "range"    // Resolved dates only: From <= field < To
)

// Vocabulary holds the values that come from configuration at run time.
// A nil list means "not checked": the value is kept as typed. A matching
// value is rewritten to the vocabulary's own spelling, so storage can compare
// exactly.
type Vocabulary struct {
	Statuses, Priorities, Types, Customers, Fields []string
	Severities                                     []string
}

// Query is the parsed, unresolved form: it is what saved views store (via
// String) and it does not depend on who runs it or when.
type Query struct {
	Filters []Filter  // all ANDed
	Text    []string  // bare words and bare "phrases", each must be contained (ANDed)
	Sort    []SortKey // empty: the caller picks its default
	Group   string    // "" when not grouped (group:none)
	Layout  string    // "list" unless as: says otherwise
	Limit   int       // 0: the caller picks its default
}

// Filter is one key:value term.
type Filter struct {
	Field  string // canonical key, or "field.<name>" for custom fields
	Op     Op
	Values []string // Eq/Prefix/Contains: any of (OR); comparisons: one; Between: two; dates stay symbolic ("2d", "today") until Resolve
	Negate bool     // leading "-": the whole term is negated
	Pos    int      // byte span of the term in the input, for error reporting
	End    int
}

// SortKey is one sort: entry; sort:-created gives {created, true}.
type SortKey struct {
	Field string
	Desc  bool
}

// String returns the canonical form of q. For any q returned by Parse,
// Parse(q.String()) returns a query Equal to q.
func (q *Query) String() string {
	var b strings.Builder
	sp := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	for _, f := range q.Filters {
		sp()
		if f.Negate {
			b.WriteByte('-')
		}
		b.WriteString(f.Field)
		b.WriteByte(':')
		switch f.Op {
		case Lt, Le, Gt, Ge:
			b.WriteString(opPrefix[f.Op])
			b.WriteString(first(f.Values))
		case Between:
			b.WriteString(first(f.Values))
			b.WriteString("..")
			if len(f.Values) > 1 {
				b.WriteString(f.Values[1])
			}
		default:
			for i, v := range f.Values {
				if i > 0 {
					b.WriteByte(',')
				}
				if f.Op == Prefix {
					// Prefixes came from bare text, so they never need quotes.
					b.WriteString(v + "*")
				} else {
					b.WriteString(quote(v))
				}
			}
		}
	}
	for _, t := range q.Text {
		sp()
		b.WriteString(quote(t))
	}
	if len(q.Sort) > 0 {
		sp()
		b.WriteString("sort:")
		for i, s := range q.Sort {
			if i > 0 {
				b.WriteByte(',')
			}
			if s.Desc {
				b.WriteByte('-')
			}
			b.WriteString(s.Field)
		}
	}
	if q.Group != "" {
		sp()
		b.WriteString("group:" + q.Group)
	}
	if q.Layout != "" && q.Layout != "list" {
		sp()
		b.WriteString("as:" + q.Layout)
	}
	if q.Limit > 0 {
		sp()
		b.WriteString("limit:")
		b.WriteString(strconv.Itoa(q.Limit))
	}
	return b.String()
}

// Equal reports whether q and o mean the same query. Positions are ignored
// because a round trip through String moves every term.
func (q *Query) Equal(o *Query) bool {
	layout := func(s string) string {
		if s == "" {
			return "list"
		}
		return s
	}
	return slices.EqualFunc(q.Filters, o.Filters, func(a, b Filter) bool {
		return a.Field == b.Field && a.Op == b.Op && a.Negate == b.Negate && slices.Equal(a.Values, b.Values)
	}) && slices.Equal(q.Text, o.Text) && slices.Equal(q.Sort, o.Sort) &&
		q.Group == o.Group && layout(q.Layout) == layout(o.Layout) && q.Limit == o.Limit
}

var opPrefix = map[Op]string{Lt: "<", Le: "<=", Gt: ">", Ge: ">="}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// quote returns s bare when the lexer would read it back unchanged as a plain
// value or word, and quoted otherwise. It errs on the side of quoting: a
// quoted value is always literal.
func quote(s string) string {
	if !needsQuote(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func needsQuote(s string) bool {
	return s == "" || strings.ContainsAny(s, "\"\\,|:*") || strings.IndexFunc(s, unicode.IsSpace) >= 0 ||
		strings.ContainsAny(s[:1], "-<>") || strings.Contains(s, "..") || strings.HasPrefix(s, "//")
}

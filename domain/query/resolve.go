package query

import (
	"slices"
	"strconv"
	"time"
)

// Env is everything a query's meaning depends on besides its text. Passing
// it in keeps parsing and resolving pure and testable.
type Env struct {
	Now time.Time
	Loc *time.Location // the user's zone for calendar days; nil means UTC
	Me  string         // user id that "me" stands for; "" makes "me" an error
}

// Resolved is a Query with every relative value made concrete: the form
// storage translates to SQL.
type Resolved struct {
	Conds  []Cond // all ANDed, in query order
	Text   []string
	Sort   []SortKey
	Group  string
	Layout string
	Limit  int
}

// Cond is one resolved condition. A row matches when
//
//	field is any of Values (Eq), starts with any (Prefix), contains any
//	(Contains), compares to Values[0] (Lt..Ge, by CompareVersions for
//	version), lies in [Values[0], Values[1]] (Between), or From <= field < To
//	(Range; a zero bound is open), or Null and the field is unset;
//
// and Negate inverts the whole: -assignee:alice also matches unassigned
// tickets, -assignee:none matches assigned ones.
type Cond struct {
	Field    string
	Op       Op
	Values   []string
	Null     bool
	From, To time.Time // Range only, in UTC
	Negate   bool
}

// Resolve computes the concrete form of q for env.
func (q *Query) Resolve(env Env) (*Resolved, error) {
	loc := env.Loc
	if loc == nil {
		loc = time.UTC
	}
	now := env.Now.In(loc)
	r := &Resolved{Text: slices.Clone(q.Text), Sort: slices.Clone(q.Sort), Group: q.Group, Layout: q.Layout, Limit: q.Limit}
	if r.Layout == "" {
		r.Layout = "list"
	}
	for _, f := range q.Filters {
		d := lookup(f.Field)
		if d == nil {
			return nil, &Error{Pos: f.Pos, End: f.End, Word: f.Field, Msg: "unknown key " + strconv.Quote(f.Field)}
		}
		if d.kind == kDate {
			c, err := resolveDate(d, f, now)
			if err != nil {
				return nil, err
			}
			r.Conds = append(r.Conds, c)
			continue
		}
		c := Cond{Field: f.Field, Op: f.Op, Negate: f.Negate}
		for _, v := range f.Values {
			switch {
			case f.Op != Eq:
			case v == "none" && d.nullable:
				c.Null = true
				continue
			case v == "me" && d.kind == kUser:
				if env.Me == "" {
					return nil, &Error{Pos: f.Pos, End: f.End, Word: v, Msg: `"me" needs a current user`, Hint: "use a user id instead"}
				}
				v = env.Me
			}
			c.Values = append(c.Values, v)
		}
		r.Conds = append(r.Conds, c)
	}
	return r, nil
}

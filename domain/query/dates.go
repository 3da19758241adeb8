package query

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

const dateLayout = "2006-01-02"

// calendarWords name whole calendar spans; "overdue" and "none" are special
// and live in dateWords only.
var (
	calendarWords = []string{"today", "yesterday", "tomorrow", "this-week", "last-week", "next-week", "this-month", "last-month", "next-month"}
	dateWords     = append(append([]string{}, calendarWords...), "overdue")
)

const dateHint = "want 2026-11-01, 2026-11-01..2026-11-30, 3h, 2d, 1w, today, yesterday, tomorrow, " +
	"this-week, last-week, next-week, this-month, last-month, next-month or overdue, optionally after <, <=, >, >="

// parseDate checks one date value and normalizes it (lower case, 02d -> 2d).
// It only validates: instants depend on now and the user's zone, so they
// are computed by Resolve.
func parseDate(d *keyDef, pt part) (Op, []string, error) {
	op, v := Eq, pt.text
	if !pt.quoted {
		op, v = cmpPrefix(v)
	}
	bad := func(hint string) (Op, []string, error) {
		e := errPart(pt, "bad date "+strconv.Quote(pt.text)+" for "+d.name, hint)
		if s, ok := Suggest(v, dateWords); ok && !strings.EqualFold(s, v) {
			e.Suggestion = s // a valid word used wrongly needs the hint, not itself
		}
		return "", nil, e
	}
	if lo, hi, ok := strings.Cut(v, ".."); ok && !pt.quoted {
		lo, okL := calendarValue(lo)
		hi, okH := calendarValue(hi)
		switch {
		case op != Eq:
			return bad("a range takes no <, <=, >, >=")
		case !okL || !okH:
			return bad("a range joins two dates or calendar words, e.g. 2026-11-01..2026-11-30")
		case isAbsDate(lo) && isAbsDate(hi) && lo > hi: // ISO dates sort as text
			return "", nil, errPart(pt, "reversed range "+strconv.Quote(pt.text)+" for "+d.name, "start must not be after end")
		}
		return Between, []string{lo, hi}, nil
	}
	if c, ok := calendarValue(v); ok {
		return op, []string{c}, nil
	}
	if n, unit, ok := parseRel(v); ok {
		return op, []string{strconv.Itoa(n) + string(unit)}, nil
	}
	switch l := strings.ToLower(v); {
	case l == "overdue" && !d.future:
		return bad("overdue applies to due only")
	case l == "none" && !d.nullable:
		return bad("every ticket has a " + d.name + " date")
	case (l == "overdue" || l == "none") && op != Eq:
		return bad(l + " takes no <, <=, >, >=")
	case l == "overdue" || l == "none":
		return Eq, []string{l}, nil
	}
	return bad(dateHint)
}

// calendarValue accepts an ISO date or a calendar word, normalized.
func calendarValue(s string) (string, bool) {
	if isAbsDate(s) {
		return s, true
	}
	l := strings.ToLower(s)
	return l, slices.Contains(calendarWords, l)
}

// isAbsDate accepts exactly YYYY-MM-DD naming a real day; time.Parse alone
// would also take signed years.
func isAbsDate(s string) bool {
	if len(s) != len(dateLayout) {
		return false
	}
	for i := range len(s) {
		if (s[i] == '-') != (i == 4 || i == 7) || s[i] != '-' && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	_, err := time.Parse(dateLayout, s)
	return err == nil
}

// parseRel parses 3h, 2d, 1w (1 to 9999 units).
func parseRel(s string) (int, byte, bool) {
	if len(s) < 2 || len(s) > 5 {
		return 0, 0, false
	}
	unit := s[len(s)-1] | 0x20
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 || s[0] < '0' || s[0] > '9' || unit != 'h' && unit != 'd' && unit != 'w' {
		return 0, 0, false
	}
	return n, unit, true
}

// span returns the calendar span [a, b) a date or word covers, with now
// already in the user's zone. Days start at local midnight, so a span over
// a DST change is 23 or 25 hours long; weeks start on Monday.
func span(v string, now time.Time) (a, b time.Time, ok bool) {
	loc := now.Location()
	y, m, d := now.Date()
	day := func(n int) time.Time { return time.Date(y, m, d+n, 0, 0, 0, 0, loc) }
	month := func(n int) time.Time { return time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, loc) }
	mon := -((int(now.Weekday()) + 6) % 7) // offset of this week's Monday
	switch v {
	case "today":
		return day(0), day(1), true
	case "yesterday":
		return day(-1), day(0), true
	case "tomorrow":
		return day(1), day(2), true
	case "this-week":
		return day(mon), day(mon + 7), true
	case "last-week":
		return day(mon - 7), day(mon), true
	case "next-week":
		return day(mon + 7), day(mon + 14), true
	case "this-month":
		return month(0), month(1), true
	case "last-month":
		return month(-1), month(0), true
	case "next-month":
		return month(1), month(2), true
	}
	if !isAbsDate(v) {
		return a, b, false
	}
	t, _ := time.Parse(dateLayout, v)
	y, m, d = t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc), true
}

// resolveDate turns a date Filter into [From, To) in UTC. See the package
// doc for what each form means.
func resolveDate(d *keyDef, f Filter, now time.Time) (Cond, error) {
	c := Cond{Field: f.Field, Op: Range, Negate: f.Negate}
	bad := func(msg string) (Cond, error) {
		return Cond{}, &Error{Pos: f.Pos, End: f.End, Word: strings.Join(f.Values, ".."), Msg: msg + " for " + f.Field,
			Hint: "start must not be after end"}
	}
	v := first(f.Values)
	switch n, unit, rel := parseRel(v); {
	case f.Op == Between:
		var a, b time.Time
		ok := len(f.Values) == 2
		if ok {
			var ok2 bool
			a, _, ok = span(f.Values[0], now)
			_, b, ok2 = span(f.Values[1], now)
			ok = ok && ok2
		}
		if !ok {
			return Cond{}, &Error{Pos: f.Pos, End: f.End, Word: f.Field, Msg: "bad range for " + f.Field}
		}
		if !a.Before(b) {
			return bad("reversed range " + strconv.Quote(f.Values[0]+".."+f.Values[1]))
		}
		c.From, c.To = a, b
	case v == "none":
		c.Op, c.Null = Eq, true
	case v == "overdue":
		c.To = now
	case rel:
		// Hours are exact; days and weeks are calendar days in the user's
		// zone, so "2d" from Saturday 10:00 is Monday 10:00 across DST.
		if unit == 'w' {
			n, unit = 7*n, 'd'
		}
		shift := func(sign int) time.Time {
			if unit == 'h' {
				return now.Add(time.Duration(sign*n) * time.Hour)
			}
			return now.AddDate(0, 0, sign*n)
		}
		switch t := shift(1); {
		case !d.future && (f.Op == Gt || f.Op == Ge): // older than
			c.To = shift(-1)
		case !d.future: // younger than, or within the last
			c.From = shift(-1)
		case f.Op == Eq: // within the next
			c.From, c.To = now, t
		case f.Op == Lt || f.Op == Le: // before now+n, overdue included
			c.To = t
		default: // after now+n
			c.From = t
		}
	default:
		a, b, ok := span(v, now)
		if !ok {
			return Cond{}, &Error{Pos: f.Pos, End: f.End, Word: v, Msg: "bad date " + strconv.Quote(v) + " for " + f.Field}
		}
		switch f.Op {
		case Eq:
			c.From, c.To = a, b
		case Lt:
			c.To = a
		case Le:
			c.To = b
		case Gt:
			c.From = b
		case Ge:
			c.From = a
		default:
			return Cond{}, &Error{Pos: f.Pos, End: f.End, Word: string(f.Op), Msg: "bad operator for " + f.Field}
		}
	}
	if !c.From.IsZero() {
		c.From = c.From.UTC()
	}
	if !c.To.IsZero() {
		c.To = c.To.UTC()
	}
	return c, nil
}

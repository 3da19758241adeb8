package sla

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	// Embedded zone data: the calendar must resolve "Europe/Paris" even in a
	// minimal container without /usr/share/zoneinfo. The system copy wins when present.
	_ "time/tzdata"
)

const day = 24 * 60 * 60 // seconds in a wall-clock day

// CalendarSpec is how an admin writes a calendar in deskbot.yaml.
type CalendarSpec struct {
	TimeZone   string              `yaml:"time_zone"`   // IANA name, e.g. "Europe/Paris"; required
	Hours      map[string][]string `yaml:"hours"`       // "mon".."sun", "mon-fri", "weekdays", "weekend", "daily" → "09:00-12:00", overnight "22:00-06:00"
	Holidays   []string            `yaml:"holidays"`    // "2026-12-25" (that date) or "12-25" (every year)
	AlwaysOpen bool                `yaml:"always_open"` // 24x7; hours must be empty, holidays still close their dates
}

// Calendar is a compiled CalendarSpec. It is immutable, so safe for concurrent use.
type Calendar struct {
	name       string
	loc        *time.Location
	week       [7][]span        // open wall-clock seconds per time.Weekday, sorted, merged
	dated      map[int64]string // day number (days since 1970-01-01) → holiday as written
	yearly     map[int]string   // month*100+day → holiday as written
	alwaysOpen bool
}

// span is [from,to) in seconds: wall seconds since midnight in week, unix seconds elsewhere.
type span struct{ from, to int64 }

// Name is the calendar's name in deskbot.yaml.
func (c *Calendar) Name() string { return c.name }

// Location is the calendar's time zone; Add and ExplainSpan return times in it.
func (c *Calendar) Location() *time.Location { return c.loc }

// Compile validates the spec. Errors name the calendar and the bad item.
func (s CalendarSpec) Compile(name string) (*Calendar, error) {
	fail := func(format string, a ...any) (*Calendar, error) {
		return nil, fmt.Errorf("calendar %q: "+format, append([]any{name}, a...)...)
	}
	c := &Calendar{name: name, alwaysOpen: s.AlwaysOpen, dated: map[int64]string{}, yearly: map[int]string{}}
	switch s.TimeZone {
	case "":
		return fail(`time_zone is required (an IANA name like "Europe/Paris" or "UTC")`)
	case "Local": // would silently follow whatever server deskbot runs on
		return fail(`time_zone "Local" is not allowed; name the zone, like "Europe/Paris"`)
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return fail("unknown time_zone %q", s.TimeZone)
	}
	c.loc = loc

	if s.AlwaysOpen {
		if len(s.Hours) > 0 {
			return fail("always_open is set, so hours must be empty")
		}
		for d := range c.week {
			c.week[d] = []span{{0, day}}
		}
	} else if err := c.compileHours(s.Hours); err != nil {
		return fail("%s", err)
	}

	for _, h := range s.Holidays {
		if t, err := time.Parse("2006-01-02", h); err == nil && len(h) == 10 {
			c.dated[t.Unix()/day] = h
		} else if t, err := time.Parse("2006-01-02", "2000-"+h); err == nil && len(h) == 5 { // 2000 is leap: "02-29" is valid
			c.yearly[int(t.Month())*100+t.Day()] = h
		} else {
			return fail("holiday %q is not a date (YYYY-MM-DD, or MM-DD for every year)", h)
		}
	}
	// Every weekday falls on every month-day sooner or later, so the calendar
	// opens again unless all 366 month-days are holidays: this keeps Add finite.
	if len(c.yearly) == 366 {
		return fail("every day of the year is a holiday")
	}
	return c, nil
}

// piece is one parsed range, remembered with where it came from for error messages.
type piece struct {
	span
	key, text string
}

func (c *Calendar) compileHours(hours map[string][]string) error {
	var days [7][]piece
	for _, key := range slices.Sorted(maps.Keys(hours)) {
		wds, ok := parseDays(key)
		if !ok {
			return fmt.Errorf("hours %q: unknown day; use mon..sun, a range like mon-fri, weekdays, weekend or daily", key)
		}
		for _, text := range hours[key] {
			from, to, err := parseRange(text)
			if err != nil {
				return fmt.Errorf("hours %q: %w", key, err)
			}
			for _, wd := range wds {
				if to > from {
					days[wd] = append(days[wd], piece{span{from, to}, key, text})
					continue
				}
				// Overnight: the part after midnight belongs to the next day,
				// so holidays and overlaps are judged on the date it falls on.
				days[wd] = append(days[wd], piece{span{from, day}, key, text})
				if to > 0 {
					next := (wd + 1) % 7
					days[next] = append(days[next], piece{span{0, to}, key, text})
				}
			}
		}
	}
	open := false
	for wd, ps := range days {
		slices.SortFunc(ps, func(a, b piece) int {
			if a.from != b.from {
				return int(a.from - b.from)
			}
			return strings.Compare(a.key+a.text, b.key+b.text)
		})
		for i := 1; i < len(ps); i++ {
			a, b := ps[i-1], ps[i]
			if b.from < a.to {
				from := ""
				if a.key != b.key {
					from = fmt.Sprintf(" from hours %q", a.key)
				}
				return fmt.Errorf("hours %q: %q overlaps %q%s on %s", b.key, b.text, a.text, from, dayNames[wd])
			}
		}
		for _, p := range ps { // merge touching ranges: 09:00-12:00 + 12:00-13:00
			if n := len(c.week[wd]); n > 0 && c.week[wd][n-1].to == p.from {
				c.week[wd][n-1].to = p.to
			} else {
				c.week[wd] = append(c.week[wd], p.span)
			}
			open = true
		}
	}
	if !open {
		return fmt.Errorf("no open hours; set hours or always_open: true")
	}
	return nil
}

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func parseDays(key string) ([]int, bool) {
	key = strings.ToLower(strings.TrimSpace(key))
	switch key {
	case "daily":
		return []int{0, 1, 2, 3, 4, 5, 6}, true
	case "weekdays":
		return []int{1, 2, 3, 4, 5}, true
	case "weekend":
		return []int{6, 0}, true
	}
	a, b, isRange := strings.Cut(key, "-")
	from, to := slices.Index(dayNames[:], a), slices.Index(dayNames[:], b)
	if !isRange {
		to = from
	}
	if from < 0 || to < 0 {
		return nil, false
	}
	var out []int
	for d := from; ; d = (d + 1) % 7 { // ranges may wrap: fri-mon
		out = append(out, d)
		if d == to {
			return out, true
		}
	}
}

// parseRange reads "HH:MM-HH:MM" into wall seconds; to <= from means overnight.
func parseRange(text string) (from, to int64, err error) {
	a, b, ok := strings.Cut(text, "-")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !ok || !isHHMM(a) || !isHHMM(b) {
		return 0, 0, fmt.Errorf("%q is not HH:MM-HH:MM", text)
	}
	for _, t := range []string{a, b} {
		if t[3] > '5' || t > "24:00" {
			return 0, 0, fmt.Errorf("%q: %s is not a time of day (00:00 to 24:00)", text, t)
		}
	}
	from, to = clock(a), clock(b)
	switch {
	case from == day:
		return 0, 0, fmt.Errorf("%q: 24:00 can only end a range", text)
	case from == to:
		return 0, 0, fmt.Errorf("%q is empty; write 00:00-24:00 for a whole day", text)
	}
	return from, to, nil
}

func isHHMM(s string) bool {
	return len(s) == 5 && s[2] == ':' && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[3]) && isDigit(s[4])
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func clock(s string) int64 {
	return int64((s[0]-'0')*10+(s[1]-'0'))*3600 + int64((s[3]-'0')*10+(s[4]-'0'))*60
}

// IsOpen reports whether t falls in open hours: the wall clock in the
// calendar's zone reads a time inside the hours, on a date that is no holiday.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c == nil || c.loc == nil {
		return false
	}
	_, off := t.In(c.loc).Zone()
	wall := t.Unix() + int64(off)
	d := floorDiv(wall, day)
	if _, hol := c.holiday(d); hol {
		return false
	}
	sec := wall - d*day
	for _, s := range c.week[weekday(d)] {
		if s.from <= sec && sec < s.to {
			return true
		}
	}
	return false
}

// Add returns the instant a business-time budget counted from start runs out.
// A budget that runs out exactly at closing time is due at closing time.
// A budget <= 0 returns start. The result is in the calendar's zone; a
// Calendar not made by Compile is never open and returns the zero Time.
func (c *Calendar) Add(start time.Time, budget time.Duration) time.Time {
	if c == nil || c.loc == nil {
		return time.Time{}
	}
	if budget <= 0 {
		return start.In(c.loc)
	}
	if c.alwaysOpen && len(c.dated)+len(c.yearly) == 0 {
		return start.Add(budget).In(c.loc)
	}
	var due time.Time
	left := budget
	c.walk(start, time.Time{}, false, func(a, b time.Time, _ string) bool {
		if d := b.Sub(a); left > d {
			left -= d
			return true
		}
		due = a.Add(left)
		return false
	})
	return due.In(c.loc)
}

// Between returns the business time in [from, to); zero if to is not after from.
func (c *Calendar) Between(from, to time.Time) time.Duration {
	if !from.Before(to) || c == nil || c.loc == nil {
		return 0
	}
	if c.alwaysOpen && len(c.dated)+len(c.yearly) == 0 {
		return to.Sub(from)
	}
	var sum time.Duration
	c.walk(from, to, false, func(a, b time.Time, _ string) bool {
		sum += Earlier(b, to).Sub(a)
		return true
	})
	return sum
}

// walk calls yield with each open span (and each holiday date if holidays is
// set, with its note) at or after from, in order, clipped to start at from,
// until yield returns false or a span would start at or after until (if set).
//
// It steps through stretches of constant UTC offset (between DST changes).
// Inside one, wall clock and instants differ by a constant, so each date's
// hours map to instants by plain subtraction: per-day work, never per-minute.
// A repeated hour (fall-back) is visited in both stretches, a skipped hour
// (spring-forward) in neither: business time is real elapsed time.
func (c *Calendar) walk(from, until time.Time, holidays bool, yield func(a, b time.Time, holiday string) bool) {
	u := from
	for closedDays := 0; ; {
		lt := u.In(c.loc)
		_, off := lt.Zone()
		o := int64(off)
		end := int64(1<<63 - 1) // no further offset change known
		if _, e := lt.ZoneBounds(); !e.IsZero() {
			end = e.Unix()
		}
		for d := floorDiv(u.Unix()+o, day); d*day-o < end; d++ {
			base := d*day - o
			if !until.IsZero() && !time.Unix(base, 0).Before(until) {
				return
			}
			emit := func(a, b int64, note string) bool {
				at, bt := Later(time.Unix(a, 0), u), time.Unix(min(b, end), 0)
				if !at.Before(bt) {
					return true
				}
				if !until.IsZero() && !at.Before(until) {
					return false
				}
				closedDays = 0
				return yield(at, bt, note)
			}
			if note, hol := c.holiday(d); hol {
				if holidays && !emit(base, base+day, note) {
					return
				}
			} else {
				for _, s := range c.week[weekday(d)] {
					if !emit(base+s.from, base+s.to, "") {
						return
					}
				}
			}
			// Compile guarantees the calendar opens again; this only stops a
			// hand-built Calendar with no hours from looping forever.
			if closedDays++; closedDays > 400*366 {
				return
			}
		}
		u = time.Unix(end, 0)
	}
}

func (c *Calendar) holiday(d int64) (string, bool) {
	if note, ok := c.dated[d]; ok {
		return note, true
	}
	if len(c.yearly) > 0 {
		_, m, dd := time.Unix(d*day, 0).UTC().Date()
		note, ok := c.yearly[int(m)*100+dd]
		return note, ok
	}
	return "", false
}

// weekday of a day number; 1970-01-01 was a Thursday.
func weekday(d int64) int { return int((d%7 + 7 + 4) % 7) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Earlier is the earlier of two times, Later the later: Go's min and max
// take ordered types only, and time.Time is a struct.
func Earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Later is the later of two times.
func Later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

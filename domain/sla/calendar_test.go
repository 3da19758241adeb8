package sla

import (
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	paris = "Europe/Paris"
	nyc   = "America/New_York"
	utc   = "UTC"
)

// addCases: expected deadlines worked out by hand. June 2026: Mon 1 … Fri 5,
// Sat 6, Sun 7, Mon 8. DST 2026: Paris 29 Mar (02:00 CET→03:00 CEST) and
// 25 Oct (03:00 CEST→02:00 CET); New York 8 Mar (02:00→03:00) and 1 Nov (02:00→01:00).
// "paris" is open weekdays 09-12 and 13-17 (7h a day).
var addCases = []struct {
	name   string
	cal    string
	start  time.Time
	budget time.Duration
	want   time.Time
}{
	{"same morning", "paris", at(paris, "2026-06-01 09:00"), 2 * time.Hour, at(paris, "2026-06-01 11:00")},
	{"across lunch break", "paris", at(paris, "2026-06-01 10:00"), 3 * time.Hour, at(paris, "2026-06-01 14:00")},      // 10-12, then 13-14
	{"ends exactly at lunch", "paris", at(paris, "2026-06-01 09:00"), 3 * time.Hour, at(paris, "2026-06-01 12:00")},   // not 13:00
	{"ends exactly at closing", "paris", at(paris, "2026-06-01 09:00"), 7 * time.Hour, at(paris, "2026-06-01 17:00")}, // not Tue 09:00
	{"one second past closing", "paris", at(paris, "2026-06-01 09:00"), 7*time.Hour + time.Second, at(paris, "2026-06-02 09:00:01")},
	{"created before opening", "paris", at(paris, "2026-06-01 07:30"), time.Hour, at(paris, "2026-06-01 10:00")},
	{"created during lunch", "paris", at(paris, "2026-06-01 12:30"), 30 * time.Minute, at(paris, "2026-06-01 13:30")},
	{"created after closing", "paris", at(paris, "2026-06-01 18:00"), time.Hour, at(paris, "2026-06-02 10:00")},
	{"created on saturday", "paris", at(paris, "2026-06-06 10:00"), time.Hour, at(paris, "2026-06-08 10:00")},
	{"created on sunday night", "paris", at(paris, "2026-06-07 23:59:59"), time.Hour, at(paris, "2026-06-08 10:00")},
	{"friday across weekend", "paris", at(paris, "2026-06-05 16:00"), 2 * time.Hour, at(paris, "2026-06-08 10:00")},           // 1h Fri, 1h Mon
	{"three full days", "paris", at(paris, "2026-06-01 09:00"), 21 * time.Hour, at(paris, "2026-06-03 17:00")},                // 3×7h, ends at closing
	{"five-day budget over a weekend", "paris", at(paris, "2026-06-01 10:00"), 35 * time.Hour, at(paris, "2026-06-08 10:00")}, // Mon 6h + Tue-Fri 28h = 34h, +1h Mon
	{"to the second", "paris", at(paris, "2026-06-01 16:59:59"), 2 * time.Second, at(paris, "2026-06-02 09:00:01")},
	{"dated holiday (Fri 1 May)", "paris", at(paris, "2026-04-30 16:00"), 2 * time.Hour, at(paris, "2026-05-04 10:00")}, // 1h Thu, Fri holiday, 1h Mon
	{"created on a dated holiday", "paris", at(paris, "2026-05-01 10:00"), time.Hour, at(paris, "2026-05-04 10:00")},
	{"yearly holiday 12-25 (Fri)", "paris", at(paris, "2026-12-24 16:30"), time.Hour, at(paris, "2026-12-28 09:30")},                          // 30m Thu, 30m Mon
	{"yearly holiday 07-14 (Tue)", "paris", at(paris, "2026-07-13 16:00"), 2 * time.Hour, at(paris, "2026-07-15 10:00")},                      // 1h Mon, 1h Wed
	{"yearly holiday in another year (Wed 2027-07-14)", "paris", at(paris, "2027-07-13 16:00"), 2 * time.Hour, at(paris, "2027-07-15 10:00")}, // 1h Tue, 1h Thu
	{"weekday calendar across Paris spring-forward weekend", "paris", at(paris, "2026-03-27 16:00"), 2 * time.Hour, at(paris, "2026-03-30 10:00")},
	{"weekday calendar across NY spring-forward weekend", "ny", at(nyc, "2026-03-06 16:00"), 2 * time.Hour, at(nyc, "2026-03-09 10:00")},
	{"overnight shift, plain night", "paris-night", at(paris, "2026-06-01 23:00"), 3 * time.Hour, at(paris, "2026-06-02 02:00")},
	{"overnight shift ends exactly at 06:00", "paris-night", at(paris, "2026-06-01 22:00"), 8 * time.Hour, at(paris, "2026-06-02 06:00")},
	{"overnight shift, started mid-morning", "paris-night", at(paris, "2026-06-02 10:00"), time.Hour, at(paris, "2026-06-02 23:00")},
	{"overnight shift across Paris spring-forward (7h night)", "paris-night", at(paris, "2026-03-28 22:00"), 7 * time.Hour, at(paris, "2026-03-29 06:00")},
	{"overnight shift across Paris spring-forward, next night", "paris-night", at(paris, "2026-03-28 22:00"), 7*time.Hour + 30*time.Minute, at(paris, "2026-03-29 22:30")},
	{"overnight shift across Paris fall-back (9h night)", "paris-night", at(paris, "2026-10-24 22:00"), 9 * time.Hour, at(utc, "2026-10-25 05:00")}, // 06:00 CET
	{"Paris fall-back: first 02:00 (CEST)", "paris-night", at(paris, "2026-10-24 22:00"), 4 * time.Hour, at(utc, "2026-10-25 00:00")},
	{"Paris fall-back: second 02:00 (CET)", "paris-night", at(paris, "2026-10-24 22:00"), 5 * time.Hour, at(utc, "2026-10-25 01:00")},
	{"overnight shift across NY spring-forward", "ny-night", at(nyc, "2026-03-07 22:00"), 7 * time.Hour, at(nyc, "2026-03-08 06:00")},
	{"overnight shift across NY fall-back", "ny-night", at(nyc, "2026-10-31 22:00"), 9 * time.Hour, at(utc, "2026-11-01 11:00")},         // 06:00 EST
	{"skipped hour never counts (Paris)", "paris-sunday-early", at(paris, "2026-03-29 01:30"), time.Hour, at(paris, "2026-03-29 03:30")}, // 30m CET + 30m CEST
	{"short sunday fills at 04:00", "paris-sunday-early", at(paris, "2026-03-29 00:00"), 2 * time.Hour, at(paris, "2026-03-29 04:00")},   // 01-02 CET + 03-04 CEST
	{"short sunday spills to next sunday", "paris-sunday-early", at(paris, "2026-03-29 00:00"), 3 * time.Hour, at(paris, "2026-04-05 02:00")},
	{"NY wall day: a 23h Sunday", "ny-wallday", at(nyc, "2026-03-08 00:00"), 24 * time.Hour, at(nyc, "2026-03-09 01:00")},
	{"NY wall day: a 25h Sunday", "ny-wallday", at(nyc, "2026-11-01 00:00"), 24 * time.Hour, at(nyc, "2026-11-01 23:00")},
	{"24x7 across Paris spring-forward: real time", "paris-247", at(paris, "2026-03-28 12:00"), 24 * time.Hour, at(paris, "2026-03-29 13:00")},
	{"24x7 across Paris fall-back: real time", "paris-247", at(paris, "2026-10-24 12:00"), 24 * time.Hour, at(paris, "2026-10-25 11:00")},
	{"24x7 with a yearly holiday", "ny-247-xmas", at(nyc, "2026-12-24 23:00"), 2 * time.Hour, at(nyc, "2026-12-26 01:00")},
	{"24x7 with holiday calendar across NY spring-forward", "ny-247-xmas", at(nyc, "2026-03-07 12:00"), 24 * time.Hour, at(nyc, "2026-03-08 13:00")},
	{"a year of weekdays: 260 × 8h", "office", at(utc, "2026-01-01 00:00"), 2080 * time.Hour, at(utc, "2026-12-30 17:00")}, // 2026 has 261 weekdays, the last Thu 31 Dec
	{"spring-forward in 2100, past tzdata's table (rule-based)", "paris-night", at(paris, "2100-03-27 22:00"), 7 * time.Hour, at(paris, "2100-03-28 06:00")},
	{"zero budget", "paris", at(paris, "2026-06-06 10:00"), 0, at(paris, "2026-06-06 10:00")},
	{"negative budget", "paris", at(paris, "2026-06-06 10:00"), -time.Hour, at(paris, "2026-06-06 10:00")},
}

func TestAdd(t *testing.T) {
	for _, tc := range addCases {
		t.Run(tc.name, func(t *testing.T) {
			c := cal(t, tc.cal)
			got := c.Add(tc.start, tc.budget)
			if !got.Equal(tc.want) {
				t.Fatalf("Add(%v, %v) = %v, want %v", tc.start, tc.budget, got, tc.want)
			}
			if got.Location() != c.Location() {
				t.Errorf("result in %v, want the calendar's zone %v", got.Location(), c.Location())
			}
		})
	}
}

// Between is the inverse of Add: the business time up to a deadline is the budget.
func TestBetweenInverseOfAdd(t *testing.T) {
	for _, tc := range addCases {
		if tc.budget <= 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			c := cal(t, tc.cal)
			due := c.Add(tc.start, tc.budget)
			if got := c.Between(tc.start, due); got != tc.budget {
				t.Fatalf("Between(start, Add(start, %v)) = %v", tc.budget, got)
			}
			// And one second less than the deadline leaves exactly one second.
			if got := c.Between(tc.start, due.Add(-time.Second)); got != tc.budget-time.Second {
				t.Fatalf("Between(start, due-1s) = %v, want %v", got, tc.budget-time.Second)
			}
		})
	}
}

func TestBetween(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cal      string
		from, to time.Time
		want     time.Duration
	}{
		{"one business day, closed to closed", "paris", at(paris, "2026-06-01 08:00"), at(paris, "2026-06-02 08:00"), 7 * time.Hour},
		{"a week", "paris", at(paris, "2026-06-01 00:00"), at(paris, "2026-06-08 00:00"), 35 * time.Hour},
		{"a week with a holiday", "paris", at(paris, "2026-04-27 00:00"), at(paris, "2026-05-04 00:00"), 28 * time.Hour},
		{"lunch only", "paris", at(paris, "2026-06-01 12:00"), at(paris, "2026-06-01 13:00"), 0},
		{"inside a range", "paris", at(paris, "2026-06-01 09:15"), at(paris, "2026-06-01 09:45:30"), 30*time.Minute + 30*time.Second},
		{"empty", "paris", at(paris, "2026-06-01 10:00"), at(paris, "2026-06-01 10:00"), 0},
		{"reversed", "paris", at(paris, "2026-06-02 10:00"), at(paris, "2026-06-01 10:00"), 0},
		{"spring-forward night is 7h", "paris-night", at(paris, "2026-03-28 12:00"), at(paris, "2026-03-29 12:00"), 7 * time.Hour},
		{"the next night is 8h", "paris-night", at(paris, "2026-03-29 12:00"), at(paris, "2026-03-30 12:00"), 8 * time.Hour},
		{"fall-back night is 9h", "paris-night", at(paris, "2026-10-24 12:00"), at(paris, "2026-10-25 12:00"), 9 * time.Hour},
		{"night shift tail on a holiday is closed", "paris-night", at(paris, "2026-12-24 12:00"), at(paris, "2026-12-26 12:00"), 2*time.Hour + 6*time.Hour}, // 24th 22-24, 26th 00-06
		{"24x7 spring weekend is 47h", "paris-247", at(paris, "2026-03-28 00:00"), at(paris, "2026-03-30 00:00"), 47 * time.Hour},
		{"24x7 fall weekend is 49h", "paris-247", at(paris, "2026-10-24 00:00"), at(paris, "2026-10-26 00:00"), 49 * time.Hour},
		{"24x7 minus christmas", "ny-247-xmas", at(nyc, "2026-12-24 00:00"), at(nyc, "2026-12-27 00:00"), 48 * time.Hour},
		{"a year of weekdays", "office", at(utc, "2026-01-01 00:00"), at(utc, "2027-01-01 00:00"), 261 * 8 * time.Hour}, // 2026: 365 days, 52 weeks + Thu → 260+1 weekdays
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal(t, tc.cal).Between(tc.from, tc.to); got != tc.want {
				t.Fatalf("Between(%v, %v) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

func TestIsOpen(t *testing.T) {
	for _, tc := range []struct {
		cal  string
		at   time.Time
		want bool
	}{
		{"paris", at(paris, "2026-06-01 09:00"), true},
		{"paris", at(paris, "2026-06-01 08:59:59"), false},
		{"paris", at(paris, "2026-06-01 11:59:59"), true},
		{"paris", at(paris, "2026-06-01 12:00"), false}, // lunch
		{"paris", at(paris, "2026-06-01 16:59:59"), true},
		{"paris", at(paris, "2026-06-01 17:00"), false}, // ranges are [from, to)
		{"paris", at(paris, "2026-06-06 10:00"), false}, // Saturday
		{"paris", at(paris, "2026-05-01 10:00"), false}, // dated holiday
		{"paris", at(paris, "2027-07-14 10:00"), false}, // yearly holiday, a Wednesday
		{"paris", at(utc, "2026-06-01 07:00"), true},    // any zone in, judged in Paris (09:00 CEST)
		{"paris-night", at(paris, "2026-06-02 05:59"), true},
		{"paris-night", at(paris, "2026-06-02 06:00"), false},
		{"paris-night", at(utc, "2026-10-25 01:30"), true}, // the repeated 02:30 (CET)
		{"paris-night", at(paris, "2026-12-24 23:00"), true},
		{"paris-night", at(paris, "2026-12-25 01:00"), false}, // tail of the 24th's shift falls on the holiday
		{"paris-night", at(paris, "2026-12-25 23:00"), false},
		{"paris-night", at(paris, "2026-12-26 01:00"), true}, // the 26th is no holiday
		{"paris-247", at(paris, "2026-03-29 03:00"), true},
		{"ny-247-xmas", at(nyc, "2026-12-25 12:00"), false},
	} {
		if got := cal(t, tc.cal).IsOpen(tc.at); got != tc.want {
			t.Errorf("%s.IsOpen(%v) = %v, want %v", tc.cal, tc.at, got, tc.want)
		}
	}
}

func TestCalendarConcurrentUse(t *testing.T) {
	c := cal(t, "paris")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			start := at(paris, "2026-06-01 10:00").Add(time.Duration(i) * time.Hour)
			if got := c.Between(start, c.Add(start, 35*time.Hour)); got != 35*time.Hour {
				t.Errorf("goroutine %d: %v", i, got)
			}
		})
	}
	wg.Wait()
}

func TestCalendarCompile(t *testing.T) {
	week := func(key string, ranges ...string) CalendarSpec {
		return CalendarSpec{TimeZone: paris, Hours: map[string][]string{key: ranges}}
	}
	allYear := CalendarSpec{TimeZone: utc, AlwaysOpen: true}
	for d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2000; d = d.AddDate(0, 0, 1) {
		allYear.Holidays = append(allYear.Holidays, d.Format("01-02"))
	}
	for _, tc := range []struct {
		name string
		spec CalendarSpec
		want string
	}{
		{"not HH:MM", week("mon", "9-17"), `calendar "eu": hours "mon": "9-17" is not HH:MM-HH:MM`},
		{"one time only", week("mon", "09:00"), `calendar "eu": hours "mon": "09:00" is not HH:MM-HH:MM`},
		{"hour out of range", week("mon", "25:00-26:00"), `calendar "eu": hours "mon": "25:00-26:00": 25:00 is not a time of day (00:00 to 24:00)`},
		{"minute out of range", week("mon", "09:60-10:00"), `calendar "eu": hours "mon": "09:60-10:00": 09:60 is not a time of day (00:00 to 24:00)`},
		{"24:00 start", week("mon", "24:00-06:00"), `calendar "eu": hours "mon": "24:00-06:00": 24:00 can only end a range`},
		{"empty range", week("mon", "09:00-09:00"), `calendar "eu": hours "mon": "09:00-09:00" is empty; write 00:00-24:00 for a whole day`},
		{"unknown day", week("funday", "09:00-17:00"), `calendar "eu": hours "funday": unknown day; use mon..sun, a range like mon-fri, weekdays, weekend or daily`},
		{"bad day range", week("mon-xyz", "09:00-17:00"), `calendar "eu": hours "mon-xyz": unknown day; use mon..sun, a range like mon-fri, weekdays, weekend or daily`},
		{"overlap in one key", week("mon", "09:00-12:00", "11:00-13:00"), `calendar "eu": hours "mon": "11:00-13:00" overlaps "09:00-12:00" on mon`},
		{"overlap across keys", CalendarSpec{TimeZone: paris, Hours: map[string][]string{"weekdays": {"09:00-17:00"}, "mon": {"12:00-14:00"}}},
			`calendar "eu": hours "mon": "12:00-14:00" overlaps "09:00-17:00" from hours "weekdays" on mon`},
		{"overnight tail overlaps next day", CalendarSpec{TimeZone: paris, Hours: map[string][]string{"mon": {"22:00-06:00"}, "tue": {"05:00-09:00"}}},
			`calendar "eu": hours "tue": "05:00-09:00" overlaps "22:00-06:00" from hours "mon" on tue`},
		{"sunday overnight wraps to monday", CalendarSpec{TimeZone: paris, Hours: map[string][]string{"sun": {"20:00-10:00"}, "mon-fri": {"09:00-17:00"}}},
			`calendar "eu": hours "mon-fri": "09:00-17:00" overlaps "20:00-10:00" from hours "sun" on mon`},
		{"no zone", CalendarSpec{AlwaysOpen: true}, `calendar "eu": time_zone is required (an IANA name like "Europe/Paris" or "UTC")`},
		{"unknown zone", CalendarSpec{TimeZone: "Europe/Pariss", AlwaysOpen: true}, `calendar "eu": unknown time_zone "Europe/Pariss"`},
		{"Local zone", CalendarSpec{TimeZone: "Local", AlwaysOpen: true}, `calendar "eu": time_zone "Local" is not allowed; name the zone, like "Europe/Paris"`},
		{"always open with hours", CalendarSpec{TimeZone: paris, AlwaysOpen: true, Hours: map[string][]string{"mon": {"09:00-17:00"}}}, `calendar "eu": always_open is set, so hours must be empty`},
		{"no hours", CalendarSpec{TimeZone: paris}, `calendar "eu": no open hours; set hours or always_open: true`},
		{"only empty days", CalendarSpec{TimeZone: paris, Hours: map[string][]string{"mon": {}, "sat": nil}}, `calendar "eu": no open hours; set hours or always_open: true`},
		{"impossible date", CalendarSpec{TimeZone: paris, AlwaysOpen: true, Holidays: []string{"2026-02-30"}}, `calendar "eu": holiday "2026-02-30" is not a date (YYYY-MM-DD, or MM-DD for every year)`},
		{"impossible yearly date", CalendarSpec{TimeZone: paris, AlwaysOpen: true, Holidays: []string{"02-30"}}, `calendar "eu": holiday "02-30" is not a date (YYYY-MM-DD, or MM-DD for every year)`},
		{"not a date", CalendarSpec{TimeZone: paris, AlwaysOpen: true, Holidays: []string{"christmas"}}, `calendar "eu": holiday "christmas" is not a date (YYYY-MM-DD, or MM-DD for every year)`},
		{"unpadded date", CalendarSpec{TimeZone: paris, AlwaysOpen: true, Holidays: []string{"2026-5-1"}}, `calendar "eu": holiday "2026-5-1" is not a date (YYYY-MM-DD, or MM-DD for every year)`},
		{"every day a holiday", allYear, `calendar "eu": every day of the year is a holiday`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.spec.Compile("eu")
			if err == nil {
				t.Fatalf("Compile = %v, want error %q", c, tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

func TestCalendarCompileAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   CalendarSpec
		open   []time.Time
		closed []time.Time
	}{
		{"wrapping day range fri-mon", CalendarSpec{TimeZone: utc, Hours: map[string][]string{"fri-mon": {"10:00-11:00"}}},
			[]time.Time{at(utc, "2026-06-05 10:00"), at(utc, "2026-06-06 10:00"), at(utc, "2026-06-07 10:00"), at(utc, "2026-06-08 10:00")},
			[]time.Time{at(utc, "2026-06-09 10:00"), at(utc, "2026-06-04 10:00")}},
		{"touching ranges merge", CalendarSpec{TimeZone: utc, Hours: map[string][]string{"mon": {"12:00-13:00", "09:00-12:00"}}},
			[]time.Time{at(utc, "2026-06-01 12:00"), at(utc, "2026-06-01 12:59")}, []time.Time{at(utc, "2026-06-01 13:00")}},
		{"22:00-00:00 has no tail", CalendarSpec{TimeZone: utc, Hours: map[string][]string{"mon": {"22:00-00:00"}}},
			[]time.Time{at(utc, "2026-06-01 23:59")}, []time.Time{at(utc, "2026-06-02 00:00")}},
		{"weekend and daily keys, spaces, upper case", CalendarSpec{TimeZone: utc, Hours: map[string][]string{"Weekend": {" 10:00 - 12:00 "}, "weekdays": {"08:00-09:00"}}},
			[]time.Time{at(utc, "2026-06-06 11:00"), at(utc, "2026-06-07 11:00"), at(utc, "2026-06-03 08:30")}, []time.Time{at(utc, "2026-06-03 11:00")}},
		{"yearly leap day", CalendarSpec{TimeZone: utc, AlwaysOpen: true, Holidays: []string{"02-29"}},
			[]time.Time{at(utc, "2027-02-28 12:00"), at(utc, "2027-03-01 12:00")}, []time.Time{at(utc, "2028-02-29 12:00")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.spec.Compile("x")
			if err != nil {
				t.Fatal(err)
			}
			for _, ts := range tc.open {
				if !c.IsOpen(ts) {
					t.Errorf("closed at %v, want open", ts)
				}
			}
			for _, ts := range tc.closed {
				if c.IsOpen(ts) {
					t.Errorf("open at %v, want closed", ts)
				}
			}
		})
	}
}

// A Calendar not made by Compile must not hang Add.
func TestZeroCalendar(t *testing.T) {
	var c Calendar
	if got := c.Add(at(utc, "2026-06-01 10:00"), time.Hour); !got.IsZero() {
		t.Errorf("Add = %v, want zero", got)
	}
	if c.Between(at(utc, "2026-06-01 10:00"), at(utc, "2026-06-02 10:00")) != 0 || c.IsOpen(at(utc, "2026-06-01 10:00")) {
		t.Error("zero calendar must be closed")
	}
}

func TestExplainSpan(t *testing.T) {
	c := cal(t, "paris")
	got := c.ExplainSpan(at(paris, "2026-04-30 11:00"), at(paris, "2026-05-04 10:00"),
		[]Interval{{From: at(paris, "2026-05-04 09:00"), To: at(paris, "2026-05-04 09:30"), Note: `status "waiting"`},
			{From: at(paris, "2026-04-30 18:00"), To: at(paris, "2026-04-30 19:00"), Note: "while closed"}})
	want := []Segment{
		{at(paris, "2026-04-30 11:00"), at(paris, "2026-04-30 12:00"), SegmentCounted, ""},
		{at(paris, "2026-04-30 12:00"), at(paris, "2026-04-30 13:00"), SegmentClosed, "outside hours"},
		{at(paris, "2026-04-30 13:00"), at(paris, "2026-04-30 17:00"), SegmentCounted, ""},
		{at(paris, "2026-04-30 17:00"), at(paris, "2026-05-01 00:00"), SegmentClosed, "outside hours"}, // the pause at 18:00 costs nothing
		{at(paris, "2026-05-01 00:00"), at(paris, "2026-05-02 00:00"), SegmentHoliday, "2026-05-01"},
		{at(paris, "2026-05-02 00:00"), at(paris, "2026-05-04 09:00"), SegmentClosed, "outside hours"},
		{at(paris, "2026-05-04 09:00"), at(paris, "2026-05-04 09:30"), SegmentPaused, `status "waiting"`},
		{at(paris, "2026-05-04 09:30"), at(paris, "2026-05-04 10:00"), SegmentCounted, ""},
	}
	if diff := diffSegments(got, want); diff != "" {
		t.Fatal(diff)
	}
}

func TestExplainSpanOverlappingPausesAndDST(t *testing.T) {
	c := cal(t, "paris-night")
	// Paris fall-back night, 9 real hours; two overlapping pauses.
	got := c.ExplainSpan(at(paris, "2026-10-24 21:00"), at(paris, "2026-10-25 07:00"), []Interval{
		{From: at(utc, "2026-10-24 21:00"), To: at(utc, "2026-10-24 23:00"), Note: "a"}, // 23:00-01:00 CEST
		{From: at(utc, "2026-10-24 22:00"), To: at(utc, "2026-10-25 00:30"), Note: "b"}, // overlaps a; b shows from 01:00 CEST
	})
	want := []Segment{
		{at(paris, "2026-10-24 21:00"), at(paris, "2026-10-24 22:00"), SegmentClosed, "outside hours"},
		{at(paris, "2026-10-24 22:00"), at(paris, "2026-10-24 23:00"), SegmentCounted, ""},
		{at(paris, "2026-10-24 23:00"), at(utc, "2026-10-24 23:00"), SegmentPaused, "a"},
		{at(utc, "2026-10-24 23:00"), at(utc, "2026-10-25 00:30"), SegmentPaused, "b"},
		{at(utc, "2026-10-25 00:30"), at(utc, "2026-10-25 05:00"), SegmentCounted, ""}, // 02:30 CEST … 06:00 CET
		{at(utc, "2026-10-25 05:00"), at(paris, "2026-10-25 07:00"), SegmentClosed, "outside hours"},
	}
	if diff := diffSegments(got, want); diff != "" {
		t.Fatal(diff)
	}
}

func diffSegments(got, want []Segment) string {
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		var g, w Segment
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !g.From.Equal(w.From) || !g.To.Equal(w.To) || g.Kind != w.Kind || g.Note != w.Note {
			b.WriteString("segment " + string(rune('0'+i%10)) + ":\n got: " + fmtSeg(g) + "\nwant: " + fmtSeg(w) + "\n")
		}
	}
	return b.String()
}

func fmtSeg(s Segment) string {
	return s.From.UTC().Format("01-02 15:04Z") + " → " + s.To.UTC().Format("01-02 15:04Z") + " " + s.Kind.String() + " " + s.Note
}

func BenchmarkAdd5Days(b *testing.B) {
	c := cal(b, "paris")
	start := at(paris, "2026-06-01 10:00")
	for b.Loop() {
		c.Add(start, 35*time.Hour)
	}
}

func BenchmarkAdd5DaysAcrossDST(b *testing.B) {
	c := cal(b, "paris")
	start := at(paris, "2026-03-26 10:00")
	for b.Loop() {
		c.Add(start, 35*time.Hour)
	}
}

// Baseline: what a plain time.Add costs in the same run.
func BenchmarkTimeAddBaseline(b *testing.B) {
	start := at(paris, "2026-06-01 10:00")
	var sink time.Time
	for b.Loop() {
		sink = start.Add(35 * time.Hour)
	}
	_ = sink
}

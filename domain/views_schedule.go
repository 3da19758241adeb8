package domain

import (
	"fmt"
	"strings"
	"time"
)

// Schedule is when a saved view's digest is posted: some weekdays at one
// local time in one zone ("mon 09:00 Europe/Paris"). A slot is one such
// instant; digests are sent once per slot.
type Schedule struct {
	Days         [7]bool // by time.Weekday
	Hour, Minute int
	Loc          *time.Location
}

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseSchedule reads "DAYS HH:MM [ZONE]": DAYS is daily, weekdays, or
// day names joined by commas (mon,thu; full names too); ZONE is an IANA
// zone, UTC when left out.
func ParseSchedule(s string) (Schedule, error) {
	var sc Schedule
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 3 {
		return sc, FieldErrorf("schedule", "Write a schedule like `mon 09:00 Europe/Paris`, `weekdays 08:30` or `daily 17:00 UTC`.")
	}
	switch days := strings.ToLower(words[0]); days {
	case "daily", "everyday":
		sc.Days = [7]bool{true, true, true, true, true, true, true}
	case "weekdays":
		sc.Days = [7]bool{false, true, true, true, true, true, false}
	default:
		for _, d := range strings.Split(days, ",") {
			i := weekdayIndex(d)
			if i < 0 {
				return sc, FieldErrorf("schedule", "%q is not a day: use mon, tue, wed, thu, fri, sat, sun, weekdays or daily.", d)
			}
			sc.Days[i] = true
		}
	}
	t, err := time.Parse("15:04", words[1])
	if err != nil {
		return sc, FieldErrorf("schedule", "%q is not a time of day like 09:00.", words[1])
	}
	sc.Hour, sc.Minute = t.Hour(), t.Minute()
	sc.Loc = time.UTC
	if len(words) == 3 {
		if sc.Loc, err = time.LoadLocation(words[2]); err != nil || words[2] == "" || words[2] == "Local" {
			return sc, FieldErrorf("schedule", "%q is not a time zone like Europe/Paris or UTC.", words[2])
		}
	}
	return sc, nil
}

func weekdayIndex(d string) int {
	for i, n := range weekdayNames {
		if d == n || len(d) > 3 && strings.HasPrefix(strings.ToLower(time.Weekday(i).String()), d) {
			return i
		}
	}
	return -1
}

// String is the canonical form ParseSchedule reads back.
func (sc Schedule) String() string {
	var days []string
	n := 0
	for i, on := range sc.Days {
		if on {
			days = append(days, weekdayNames[i])
			n++
		}
	}
	d := strings.Join(days, ",")
	switch {
	case n == 7:
		d = "daily"
	case n == 5 && !sc.Days[0] && !sc.Days[6]:
		d = "weekdays"
	}
	loc := "UTC"
	if sc.Loc != nil {
		loc = sc.Loc.String()
	}
	return fmt.Sprintf("%s %02d:%02d %s", d, sc.Hour, sc.Minute, loc)
}

// Last returns the latest slot at or before now (zero when the schedule
// has no day). A local time that a DST change skips fires at the time
// the clock jumps to, as time.Date normalises it.
func (sc Schedule) Last(now time.Time) time.Time {
	loc := sc.Loc
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	y, m, d := local.Date()
	for i := 0; i <= 7; i++ {
		slot := time.Date(y, m, d-i, sc.Hour, sc.Minute, 0, 0, loc)
		if sc.Days[slot.Weekday()] && !slot.After(now) {
			return slot.UTC()
		}
	}
	return time.Time{}
}

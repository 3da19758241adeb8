package domain

import (
	"strconv"
	"strings"
	"time"
)

// DueDefaultHour is the time of day a due date written without one falls
// at: the end of a working day.
const DueDefaultHour = 17

// ParseDue reads a due date as people write it, in loc: "fri", "fri 17:00",
// "today 15:30", "tomorrow", "2026-12-05", "2026-12-05 09:00", "+3d" or
// "3d" (days from today). Without a time it is DueDefaultHour:00. A week
// day is its next occurrence still ahead (today when its time is). "none"
// (also "clear", "-") clears it: the zero time.
func ParseDue(text string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	bad := func() (time.Time, error) {
		return time.Time{}, FieldErrorf("due", "%q is not a due date: write it like `fri 17:00`, `tomorrow`, `2026-12-05 09:00` or `+3d` (`none` clears it).", strings.TrimSpace(text))
	}
	words := strings.Fields(strings.ToLower(text))
	switch {
	case len(words) == 0 || len(words) > 2:
		return bad()
	case len(words) == 1 && (words[0] == "none" || words[0] == "clear" || words[0] == "-"):
		return time.Time{}, nil
	}
	hour, minute := DueDefaultHour, 0
	if len(words) == 2 {
		h, m, ok := clock(words[1])
		if !ok {
			return bad()
		}
		hour, minute = h, m
	}
	local := now.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	at := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
	}
	w := words[0]
	switch {
	case w == "today":
		return at(day), nil
	case w == "tomorrow":
		return at(day.AddDate(0, 0, 1)), nil
	case weekdayIndex(w) >= 0:
		ahead := (weekdayIndex(w) - int(day.Weekday()) + 7) % 7
		t := at(day.AddDate(0, 0, ahead))
		if !t.After(now) {
			t = at(day.AddDate(0, 0, ahead+7))
		}
		return t, nil
	case strings.HasSuffix(w, "d"):
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSuffix(w, "d"), "+"))
		if err != nil || n < 0 || n > 3650 {
			return bad()
		}
		return at(day.AddDate(0, 0, n)), nil
	}
	d, err := time.ParseInLocation("2006-01-02", w, loc)
	if err != nil {
		return bad()
	}
	return at(d), nil
}

// clock reads "17:00", "9:30" or "17h".
func clock(s string) (int, int, bool) {
	hs, ms, found := strings.Cut(strings.TrimSuffix(s, "h"), ":")
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 23 {
		return 0, 0, false
	}
	m := 0
	if found {
		if m, err = strconv.Atoi(ms); err != nil || m < 0 || m > 59 || len(ms) != 2 {
			return 0, 0, false
		}
	}
	return h, m, true
}

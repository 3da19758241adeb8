package billing

import (
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// Period is [From, To) with a name people read.
type Period struct {
	From, To time.Time
	Label    string
}

const (
	dayLayout   = "2006-01-02"
	monthLayout = "2006-01"
)

// ParsePeriod reads the periods people ask reports for, in loc:
// today, yesterday, this-week, last-week (weeks start on Monday),
// this-month, last-month, this-year, last-year, a month (2026-10), a day
// (2026-10-05) and an inclusive range of days or months
// (2026-10-01..2026-10-15, 2026-10..2026-12).
func ParsePeriod(s string, now time.Time, loc *time.Location) (Period, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.NewReplacer(" ", "-", "_", "-").Replace(v)
	now = now.In(loc)
	today := midnight(now)
	switch v {
	case "today":
		return dayPeriod(today), nil
	case "yesterday":
		return dayPeriod(today.AddDate(0, 0, -1)), nil
	case "this-week", "week":
		return weekPeriod(WeekStart(now)), nil
	case "last-week":
		return weekPeriod(WeekStart(now).AddDate(0, 0, -7)), nil
	case "this-month", "month":
		return MonthPeriod(monthStart(now)), nil
	case "last-month":
		return MonthPeriod(monthStart(now).AddDate(0, -1, 0)), nil
	case "this-year", "year":
		return yearPeriod(now.Year(), loc), nil
	case "last-year":
		return yearPeriod(now.Year()-1, loc), nil
	}
	left, right, isRange := strings.Cut(v, "..")
	from, err := parseBound(left, loc)
	if err != nil {
		return Period{}, bad(s)
	}
	if !isRange {
		return from, nil
	}
	to, err := parseBound(right, loc)
	if err != nil {
		return Period{}, bad(s)
	}
	if !to.To.After(from.From) {
		return Period{}, domain.FieldErrorf("period", "%s ends before it starts.", strings.TrimSpace(s))
	}
	return Period{From: from.From, To: to.To, Label: from.Label + " to " + to.Label}, nil
}

func bad(s string) error {
	return domain.FieldErrorf("period", "%q is not a period: write last-month, this-week, 2026-10, 2026-10-05 or 2026-10-01..2026-10-15.", strings.TrimSpace(s))
}

// parseBound reads one day or one month.
func parseBound(s string, loc *time.Location) (Period, error) {
	if d, err := time.ParseInLocation(dayLayout, s, loc); err == nil {
		return dayPeriod(d), nil
	}
	m, err := time.ParseInLocation(monthLayout, s, loc)
	if err != nil {
		return Period{}, err
	}
	return MonthPeriod(m), nil
}

// ParseMonth reads the one calendar month a billing lock covers: 2026-10,
// last-month or this-month.
func ParseMonth(s string, now time.Time, loc *time.Location) (Period, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "last-month", "this-month":
		return ParsePeriod(v, now, loc)
	}
	m, err := time.ParseInLocation(monthLayout, v, loc)
	if err != nil {
		return Period{}, domain.FieldErrorf("month", "%q is not a month: write it like 2026-10 (or last-month).", strings.TrimSpace(s))
	}
	return MonthPeriod(m), nil
}

// MonthPeriod is the calendar month that starts at first (a month's first midnight).
func MonthPeriod(first time.Time) Period {
	return Period{From: first, To: first.AddDate(0, 1, 0), Label: first.Format("January 2006")}
}

func dayPeriod(d time.Time) Period {
	return Period{From: d, To: d.AddDate(0, 0, 1), Label: d.Format(dayLayout)}
}

func weekPeriod(monday time.Time) Period {
	return Period{From: monday, To: monday.AddDate(0, 0, 7), Label: "week of " + monday.Format(dayLayout)}
}

func yearPeriod(y int, loc *time.Location) Period {
	from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	return Period{From: from, To: from.AddDate(1, 0, 0), Label: from.Format("2006")}
}

// WeekStart is midnight on the Monday of t's week, in t's location.
func WeekStart(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return midnight(t).AddDate(0, 0, -back)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

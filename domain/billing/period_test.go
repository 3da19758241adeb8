package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

func TestParsePeriod(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 2026-11-05 00:30 in Paris is still Wednesday in UTC: the
	// period must follow the location, not UTC.
	now := time.Date(2026, 11, 4, 23, 30, 0, 0, time.UTC)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, paris) }
	for _, c := range []struct {
		in       string
		from, to time.Time
		label    string
	}{
		{"today", d(2026, 11, 5), d(2026, 11, 6), "2026-11-05"},
		{"yesterday", d(2026, 11, 4), d(2026, 11, 5), "2026-11-04"},
		{"this-week", d(2026, 11, 2), d(2026, 11, 9), "week of 2026-11-02"},
		{"This week", d(2026, 11, 2), d(2026, 11, 9), "week of 2026-11-02"},
		{"last-week", d(2026, 10, 26), d(2026, 11, 2), "week of 2026-10-26"}, // across the DST change of Oct 25
		{"this-month", d(2026, 11, 1), d(2026, 12, 1), "November 2026"},
		{"last-month", d(2026, 10, 1), d(2026, 11, 1), "October 2026"},
		{"last_month", d(2026, 10, 1), d(2026, 11, 1), "October 2026"},
		{"this-year", d(2026, 1, 1), d(2027, 1, 1), "2026"},
		{"last-year", d(2025, 1, 1), d(2026, 1, 1), "2025"},
		{"2026-10", d(2026, 10, 1), d(2026, 11, 1), "October 2026"},
		{"2026-12", d(2026, 12, 1), d(2027, 1, 1), "December 2026"},
		{"2026-10-05", d(2026, 10, 5), d(2026, 10, 6), "2026-10-05"},
		{"2026-10-01..2026-10-15", d(2026, 10, 1), d(2026, 10, 16), "2026-10-01 to 2026-10-15"},
		{" 2026-10..2026-12 ", d(2026, 10, 1), d(2027, 1, 1), "October 2026 to December 2026"},
		{"2026-10-05..2026-10-05", d(2026, 10, 5), d(2026, 10, 6), "2026-10-05 to 2026-10-05"},
	} {
		p, err := billing.ParsePeriod(c.in, now, paris)
		if err != nil || !p.From.Equal(c.from) || !p.To.Equal(c.to) || p.Label != c.label {
			t.Errorf("ParsePeriod(%q) = %v..%v %q, %v; want %v..%v %q", c.in, p.From, p.To, p.Label, err, c.from, c.to, c.label)
		}
	}
	for in, want := range map[string]string{
		"":                       "is not a period",
		"lastmonth":              `"lastmonth" is not a period`,
		"2026-13":                "is not a period",
		"2026-02-30":             "is not a period",
		"2026-10-15..2026-10-01": "ends before it starts",
		"2026-10..":              "is not a period",
		"..2026-10":              "is not a period",
		"october":                "is not a period",
		"2026":                   "is not a period",
	} {
		_, err := billing.ParsePeriod(in, now, paris)
		if domain.ErrorField(err) != "period" || !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("ParsePeriod(%q) error %v, want %q on field period", in, err, want)
		}
	}
}

func TestParseMonth(t *testing.T) {
	now := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"2026-10": "October 2026", "last-month": "October 2026", "this-month": "November 2026"} {
		p, err := billing.ParseMonth(in, now, time.UTC)
		if err != nil || p.Label != want || p.To != p.From.AddDate(0, 1, 0) {
			t.Errorf("ParseMonth(%q) = %+v, %v", in, p, err)
		}
	}
	for _, in := range []string{"this-week", "2026-10-01..2026-10-31", "2026-10-05", "x"} {
		if _, err := billing.ParseMonth(in, now, time.UTC); domain.ErrorField(err) != "month" {
			t.Errorf("ParseMonth(%q): %v, want an error on month", in, err)
		}
	}
}

func TestWeekStart(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-02": "2026-11-02", // Monday
		"2026-11-08": "2026-11-02", // Sunday
		"2026-11-04": "2026-11-02",
		"2027-01-01": "2026-12-28",
	} {
		d, _ := time.Parse("2006-01-02", in)
		if got := billing.WeekStart(d.Add(15 * time.Hour)).Format("2006-01-02"); got != want {
			t.Errorf("WeekStart(%s) = %s, want %s", in, got, want)
		}
	}
}

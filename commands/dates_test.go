package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The date a form starts with is the person's, not the server's.
func TestLocalDate(t *testing.T) {
	utc := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	cases := []struct {
		now  time.Time
		zone string
		want string
	}{
		{utc(27, 14, 0), "UTC", "2026-11-27"},
		{utc(27, 23, 30), "Pacific/Auckland", "2026-11-28"},  // already tomorrow
		{utc(27, 3, 0), "America/Los_Angeles", "2026-11-26"}, // still yesterday
		{utc(27, 4, 59), "America/New_York", "2026-11-26"},
		{utc(27, 5, 0), "America/New_York", "2026-11-27"},
		{utc(27, 14, 0), "Asia/Kolkata", "2026-11-27"},
	}
	for _, c := range cases {
		loc := zone(t, c.zone)
		got := commands.LocalDateOf(c.now, loc)
		if got.Format("2006-01-02") != c.want || got.Location() != loc || got.Hour() != 0 {
			t.Errorf("%v in %s: %v, want %s midnight", c.now, c.zone, got, c.want)
		}
	}
}

func TestTimesheetWeek(t *testing.T) {
	utc := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		now       time.Time
		zone      string
		weeksBack int
		monday    string
	}{
		{utc(23, 0), "UTC", 0, "2026-11-23"},               // Monday midnight starts its week
		{utc(29, 23), "UTC", 0, "2026-11-23"},              // Sunday night ends it
		{utc(30, 3), "America/New_York", 0, "2026-11-23"},  // Monday in UTC, still Sunday in New York
		{utc(29, 12), "Pacific/Auckland", 0, "2026-11-30"}, // Sunday in UTC, Monday in Auckland
		{utc(27, 14), "UTC", 1, "2026-11-16"},
		{utc(2, 12), "Europe/Paris", 1, "2026-10-26"},                          // across the change to winter time (Oct 25)
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), "UTC", 0, "2026-12-28"}, // across the new year
	}
	for _, c := range cases {
		loc := zone(t, c.zone)
		w := commands.TimesheetWeek(c.now, c.weeksBack, loc)
		if got := w.From.Format("2006-01-02"); got != c.monday || w.From.Weekday() != time.Monday || w.From.Hour() != 0 || w.From.Location() != loc {
			t.Errorf("%v in %s, %d back: week from %v, want Monday %s", c.now, c.zone, c.weeksBack, w.From, c.monday)
		}
		if !w.To.Equal(w.From.AddDate(0, 0, 7)) || w.Label != "week of "+c.monday {
			t.Errorf("%v in %s: to %v label %q", c.now, c.zone, w.To, w.Label)
		}
	}
}

func TestClockTimeBefore(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	now := time.Date(2026, 11, 27, 9, 15, 0, 0, time.UTC) // 10:15 in Paris
	cases := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"09:30", paris, time.Date(2026, 11, 27, 9, 30, 0, 0, paris)},
		{" 10:15 ", paris, time.Date(2026, 11, 27, 10, 15, 0, 0, paris)},    // now itself
		{"10:16", paris, time.Date(2026, 11, 26, 10, 16, 0, 0, paris)},      // still to come: yesterday
		{"23:30", paris, time.Date(2026, 11, 26, 23, 30, 0, 0, paris)},      // last night
		{"09:30", time.UTC, time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)}, // 09:30 UTC is 15 minutes ahead
	}
	for _, c := range cases {
		got, err := commands.ClockTimeBefore(c.in, now, c.loc)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%q in %s: %v %v, want %v", c.in, c.loc, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "5pm", "25:00", "17h30"} {
		if _, err := commands.ClockTimeBefore(bad, now, paris); domain.ErrorField(err) != "end" {
			t.Errorf("%q: %v, want an error on end", bad, err)
		}
	}
}

// Both ways of stopping a timer refuse the same ends.
func TestStopTime(t *testing.T) {
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	e := &domain.TimeEntry{StartedAt: start}
	now := start.Add(30 * time.Hour) // forgotten overnight
	cases := []struct {
		at   time.Time
		want time.Time
		msg  string
	}{
		{time.Time{}, now, ""},
		{start.Add(8 * time.Hour), start.Add(8 * time.Hour), ""},
		{start.Add(commands.MaxEntry), start.Add(commands.MaxEntry), ""},
		{now.Add(time.Minute), time.Time{}, "in the future"},
		{start, time.Time{}, "before the timer started"},
		{start.Add(commands.MaxEntry + time.Minute), time.Time{}, "longer than a day"},
	}
	for _, c := range cases {
		got, err := commands.StopTime(e, now, c.at)
		if c.msg == "" && (err != nil || !got.Equal(c.want)) || c.msg != "" && !contains(domain.ErrorMessage(err), c.msg) {
			t.Errorf("stop at %v: %v %v, want %v %q", c.at, got, err, c.want, c.msg)
		}
	}
}

// The service reads dates on the store's clock, in the zone it is given.
func TestDatesOnStoreClock(t *testing.T) {
	ctx := context.Background()
	clock := storagetest.NewClock(time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC))
	db := storagetest.Open(t, storage.SQLite, storage.WithClock(clock.Now))
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{})
	akl, la := zone(t, "Pacific/Auckland"), zone(t, "America/Los_Angeles")
	for loc, want := range map[*time.Location]string{akl: "2026-11-28", la: "2026-11-27", time.UTC: "2026-11-27"} {
		if d, err := svc.LocalDate(ctx, loc); err != nil || d.Format("2006-01-02") != want {
			t.Errorf("LocalDate in %s: %v %v, want %s", loc, d, err, want)
		}
	}
	// "tomorrow" is Sunday the 29th in Auckland, Saturday the 28th in Los Angeles.
	if at, err := svc.ParseDue(ctx, "tomorrow", akl); err != nil || at.In(akl).Day() != 29 {
		t.Errorf("tomorrow in Auckland: %v %v", at, err)
	}
	if at, err := svc.ParseDue(ctx, "tomorrow", la); err != nil || at.In(la).Day() != 28 {
		t.Errorf("tomorrow in Los Angeles: %v %v", at, err)
	}
}

package domain

import (
	"testing"
	"time"
)

func TestParseDue(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, paris) // a Thursday, 10:00 in Paris
	for _, c := range []struct {
		in   string
		want time.Time // zero: cleared
		bad  bool
	}{
		{in: "fri 17:00", want: time.Date(2026, 12, 4, 17, 0, 0, 0, paris)},
		{in: "Fri", want: time.Date(2026, 12, 4, 17, 0, 0, 0, paris)},
		{in: "thu 15:30", want: time.Date(2026, 12, 3, 15, 30, 0, 0, paris)}, // today, still ahead
		{in: "thu 09:00", want: time.Date(2026, 12, 10, 9, 0, 0, 0, paris)},  // passed today: next week
		{in: "today", want: time.Date(2026, 12, 3, 17, 0, 0, 0, paris)},
		{in: "tomorrow 9h", want: time.Date(2026, 12, 4, 9, 0, 0, 0, paris)},
		{in: "+3d", want: time.Date(2026, 12, 6, 17, 0, 0, 0, paris)},
		{in: "2026-12-24 12:00", want: time.Date(2026, 12, 24, 12, 0, 0, 0, paris)},
		{in: "2026-12-24", want: time.Date(2026, 12, 24, 17, 0, 0, 0, paris)},
		{in: "none"},
		{in: "clear"},
		{in: "someday", bad: true},
		{in: "fri 25:00", bad: true},
		{in: "fri 17:5", bad: true},
		{in: "2026-13-01", bad: true},
		{in: "", bad: true},
	} {
		got, err := ParseDue(c.in, now, paris)
		switch {
		case c.bad && err == nil:
			t.Errorf("%q: %v, want an error", c.in, got)
		case !c.bad && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case !c.bad && !got.Equal(c.want):
			t.Errorf("%q: %v, want %v", c.in, got, c.want)
		}
	}
}

package domain

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func TestParseSchedule(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"mon 09:00 Europe/Paris", "mon 09:00 Europe/Paris", ""},
		{"Monday,Thu 9:05", "mon,thu 09:05 UTC", ""},
		{"weekdays 08:30 UTC", "weekdays 08:30 UTC", ""},
		{"daily 17:00", "daily 17:00 UTC", ""},
		{"mon,tue,wed,thu,fri 08:00", "weekdays 08:00 UTC", ""},
		{"mun 09:00", "", `"mun" is not a day`},
		{"mon 25:00", "", `"25:00" is not a time of day`},
		{"mon 09:00 Mars/Olympus", "", `"Mars/Olympus" is not a time zone`},
		{"mon", "", "Write a schedule like"},
	} {
		sc, err := ParseSchedule(tc.in)
		switch {
		case tc.err != "" && (err == nil || !contains(ErrorMessage(err), tc.err)):
			t.Errorf("ParseSchedule(%q) error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("ParseSchedule(%q): %v", tc.in, err)
		case tc.err == "" && sc.String() != tc.want:
			t.Errorf("ParseSchedule(%q) = %q, want %q", tc.in, sc.String(), tc.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestScheduleLast(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ sched, now, want string }{
		// Monday 09:00 Paris is 08:00 UTC in winter.
		{"mon 09:00 Europe/Paris", "2026-11-30T08:00:00Z", "2026-11-30T08:00:00Z"},
		{"mon 09:00 Europe/Paris", "2026-11-30T07:59:59Z", "2026-11-23T08:00:00Z"},
		{"mon 09:00 Europe/Paris", "2026-12-02T12:00:00Z", "2026-11-30T08:00:00Z"},
		// Summer time: 07:00 UTC.
		{"mon 09:00 Europe/Paris", "2026-06-01T07:30:00Z", "2026-06-01T07:00:00Z"},
		{"weekdays 08:30", "2026-11-29T12:00:00Z", "2026-11-27T08:30:00Z"}, // Sunday: Friday's
		{"daily 00:00 Asia/Tokyo", "2026-11-27T14:59:00Z", "2026-11-26T15:00:00Z"},
	} {
		sc, err := ParseSchedule(tc.sched)
		if err != nil {
			t.Fatal(err)
		}
		if got := sc.Last(at(tc.now)); !got.Equal(at(tc.want)) {
			t.Errorf("%s at %s: %s, want %s", tc.sched, tc.now, got.Format(time.RFC3339), tc.want)
		}
	}
}

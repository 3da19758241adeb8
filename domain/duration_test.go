package domain_test

import (
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

func TestParseWorkDuration(t *testing.T) {
	good := map[string]time.Duration{
		"1h30":      90 * time.Minute,
		"1h30m":     90 * time.Minute,
		"1H30M":     90 * time.Minute,
		"90m":       90 * time.Minute,
		"90":        90 * time.Minute,
		"90 min":    90 * time.Minute,
		"1.5h":      90 * time.Minute,
		"1,5h":      90 * time.Minute,
		"0:45":      45 * time.Minute,
		"2:05":      125 * time.Minute,
		"2h":        2 * time.Hour,
		"2 hours":   2 * time.Hour,
		" 3h 15m ":  195 * time.Minute,
		"0.25h":     15 * time.Minute,
		"45minutes": 45 * time.Minute,
		"1h5":       65 * time.Minute,
		"1hr":       time.Hour,
		"0.1h":      6 * time.Minute,
	}
	for in, want := range good {
		got, err := domain.ParseWorkDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseWorkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":       `"" is not a duration`,
		"abc":    `"abc" is not a duration: write it like 1h30, 90m, 1.5h or 0:45.`,
		"0":      "A duration must be more than zero.",
		"0h":     "A duration must be more than zero.",
		"-1h":    `"-1h" is not a duration`,
		"1h75":   `"1h75" is not a duration`,
		"1:75":   `"1:75" is not a duration`,
		"1d":     `"1d" is not a duration`,
		"1.5.2h": `"1.5.2h" is not a duration`,
		"h":      `"h" is not a duration`,
		"0:00":   "A duration must be more than zero.",
	}
	for in, want := range bad {
		_, err := domain.ParseWorkDuration(in)
		if err == nil || !contains(domain.ErrorMessage(err), want) || domain.ErrorField(err) != "duration" {
			t.Errorf("ParseWorkDuration(%q) error = %v; want %q on field duration", in, err, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		90 * time.Minute: "1h30", 45 * time.Minute: "45m", 2 * time.Hour: "2h", 65 * time.Minute: "1h05", 29 * time.Second: "0m",
	} {
		if got := domain.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

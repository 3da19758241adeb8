package main

import (
	"testing"
	"time"
)

func TestCombine(t *testing.T) {
	cases := []struct {
		ns   []int
		want int
	}{
		{[]int{1, 1}, 1},
		{[]int{1, 0}, 0},    // a ticket without its card is lost
		{[]int{2, 0}, 2},    // doubled wins over missing
		{[]int{1, 1, 2}, 2}, // the mail went twice
		{[]int{0, 0, 0}, 0},
	}
	for _, c := range cases {
		if got := combine(c.ns...); got != c.want {
			t.Errorf("combine(%v) = %d, want %d", c.ns, got, c.want)
		}
	}
}

func TestRecovery(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	s := func(d time.Duration) time.Time { return t0.Add(d * time.Second) }
	l := &ledger{seen: []seenOutcome{
		{sent: s(-5), at: s(3)}, // sent before the repair: not a new outcome
		{sent: s(1), at: s(4)},
		{sent: s(2), at: s(2)},
	}}
	if got := l.recovery(t0); got != 2*time.Second {
		t.Errorf("recovery = %v, want 2s", got)
	}
	if got := l.recovery(s(10)); got != 0 {
		t.Errorf("recovery with no later input = %v, want 0", got)
	}
}

func TestActiveFault(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	f := &faultLog{grace: 5 * time.Second}
	f.add(window{kind: faultKill, start: t0, end: t0.Add(2 * time.Second)})
	f.add(window{kind: faultPGDown, start: t0.Add(20 * time.Second)}) // not repaired yet
	cases := []struct {
		at   time.Duration
		want string
	}{
		{-1, noFault}, {0, faultKill}, {6, faultKill}, {8, noFault}, {20, faultPGDown}, {60, faultPGDown},
	}
	for _, c := range cases {
		if got := f.activeAt(t0.Add(c.at * time.Second)); got != c.want {
			t.Errorf("activeAt(+%ds) = %s, want %s", c.at, got, c.want)
		}
	}
}

func TestParseFaults(t *testing.T) {
	if got, err := parseFaults("kill, pgdown"); err != nil || len(got) != 2 || got[1] != faultPGDown {
		t.Errorf("parseFaults: %v %v", got, err)
	}
	if got, _ := parseFaults("none"); got != nil {
		t.Errorf("none: %v", got)
	}
	if got, _ := parseFaults("all"); len(got) != len(allFaults) {
		t.Errorf("all: %v", got)
	}
	if _, err := parseFaults("kil"); err == nil {
		t.Error("unknown fault accepted")
	}
}

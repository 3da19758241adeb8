package bot

import (
	"testing"
	"time"
)

func TestFreshThread(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cases := []struct {
		ts   string
		want bool
	}{
		{"1700000000.000100", true},
		{"1699999890.123456", true},
		{"1699999880.000000", false},
		{"garbage", false},
		{"", false},
	}
	for _, c := range cases {
		if got := freshThread(c.ts, now); got != c.want {
			t.Errorf("freshThread(%q) = %v, want %v", c.ts, got, c.want)
		}
	}
}

func TestInputBackoff(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second}
	for i, w := range want {
		if got := inputBackoff(i + 1); got != w {
			t.Errorf("inputBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

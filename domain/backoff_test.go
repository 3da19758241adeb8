package domain_test

import (
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts    int
		first, most time.Duration
		want        time.Duration // the upper bound; the lower is half of it
	}{
		{0, time.Second, 30 * time.Minute, time.Second},
		{3, time.Second, 30 * time.Minute, 8 * time.Second},
		{11, time.Second, 30 * time.Minute, 30 * time.Minute},
		{1000, time.Second, 30 * time.Minute, 30 * time.Minute},
		{2, 15 * time.Second, time.Hour, time.Minute},
		{-1, 15 * time.Second, time.Hour, 15 * time.Second},
	} {
		for range 50 {
			if d := domain.Backoff(tc.attempts, tc.first, tc.most); d < tc.want/2 || d > tc.want {
				t.Fatalf("Backoff(%d, %s, %s) = %s, want within [%s, %s]", tc.attempts, tc.first, tc.most, d, tc.want/2, tc.want)
			}
		}
	}
}

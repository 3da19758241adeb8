package query

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Sorting by VersionKey must give CompareVersions order.
func TestVersionKeyOrder(t *testing.T) {
	vs := []string{"", "0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "4.2", "4.2.1", "4.9.0",
		"4.10.0", "10.0.0", "2024.1.0", "2024.10", "v100.0.0", "latest", "nightly"}
	want := slices.Clone(vs[1:])
	slices.SortStableFunc(want, CompareVersions)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		got := slices.Clone(vs[1:])
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		slices.SortStableFunc(got, func(a, b string) int {
			ka, kb := VersionKey(a), VersionKey(b)
			switch {
			case ka < kb:
				return -1
			case ka > kb:
				return 1
			}
			return 0
		})
		for i := range got {
			if CompareVersions(got[i], want[i]) != 0 {
				t.Fatalf("key order %v\nwant      %v", got, want)
			}
		}
	}
	if VersionKey("") != "" || VersionKey("4.2") != VersionKey("4.2.0") || VersionKey("v4.2.0") != VersionKey("4.2.0") {
		t.Error("equal versions must have equal keys")
	}
}

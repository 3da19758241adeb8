package mail

import (
	"fmt"
	"testing"

	"github.com/deskbot/deskbot/mail/mailtest"
)

// BenchmarkHostileMail: the cost of a hostile mail per KB of it, across
// nesting depths and part counts. Under the default limits a mail nested
// past 50 levels is refused by one linear scan, so its cost per KB stays
// flat however deep; "unlimited" lifts the depth limit to show what
// enmime's parse costs instead (it grows with the depth: quadratic in
// total). Part counts are parsed in full.
//
//	go test ./email -run '^$' -bench HostileMail
func BenchmarkHostileMail(b *testing.B) {
	run := func(b *testing.B, raw []byte, lim Limits) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			_, _ = ParseLimited(raw, lim)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(raw))/1024), "ns/KB")
	}
	for _, depth := range []int{100, 500, 1000, 2000, 4000, 8000} {
		raw := mailtest.NestedMail(depth)
		b.Run(fmt.Sprintf("depth=%d/limited", depth), func(b *testing.B) { run(b, raw, Limits{}) })
		if depth <= 1000 {
			b.Run(fmt.Sprintf("depth=%d/unlimited", depth), func(b *testing.B) { run(b, raw, Limits{MaxDepth: 1 << 20}) })
		}
	}
	for _, parts := range []int{10, 100, 1000, 5000} {
		raw := mailtest.ManyParts(parts)
		b.Run(fmt.Sprintf("parts=%d", parts), func(b *testing.B) { run(b, raw, Limits{}) })
	}
}

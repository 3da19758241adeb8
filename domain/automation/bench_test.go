package automation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain/automation"
)

// benchRules writes n realistic rules on the created event, each with
// nested conditions over several facts, a text search and a regular
// expression; every tenth fires, so actions are collected too.
func benchRules(b *testing.B, n int) []*automation.Rule {
	var src strings.Builder
	for i := range n {
		tier := "silver"
		if i%10 == 0 {
			tier = "gold"
		}
		fmt.Fprintf(&src, `- name: rule %d
  on: created
  if:
    all:
      - type: [incident, bug]
      - tier: %s
      - any:
          - text_contains: [outage, "word%d"]
          - text_matches: '(?i)pay(ment)?s? (page|form) fails'
      - not: {tag: beta}
      - field: {name: affected_users, above: %d}
  then: [{set_priority: urgent}, {assign: {round_robin: l1}}, {post: C0ESCALATE}]
`, i, tier, i, i%50)
	}
	return mustRules(b, src.String())
}

// BenchmarkMatch evaluates rules against one ticket event, as the
// automation hook does inside every change's transaction: one rule is
// the baseline, 200 the target (under 1 ms).
func BenchmarkMatch(b *testing.B) {
	ev := automation.Event{Kind: automation.OnCreated}
	for _, n := range []int{1, 200} {
		rules := benchRules(b, n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			fired := 0
			for b.Loop() {
				// Fresh facts each time: the lower-cased text is not cached across events.
				f := facts()
				fired = len(automation.Match(rules, ev, f, nil))
			}
			if want := (n + 9) / 10; fired != want {
				b.Fatalf("%d rules fired, want %d", fired, want)
			}
		})
	}
}

// BenchmarkExplain is the dry-run's cost: every rule explained in words.
func BenchmarkExplain(b *testing.B) {
	rules := benchRules(b, 200)
	b.ReportAllocs()
	for b.Loop() {
		f := facts()
		for _, r := range rules {
			r.Explain(f)
		}
	}
}

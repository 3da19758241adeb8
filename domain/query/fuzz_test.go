package query

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that errors point inside the
// input, and that whatever parses survives String and Parse unchanged.
func FuzzParse(f *testing.F) {
	for _, tc := range goodCases {
		f.Add(tc.in)
	}
	for _, tc := range badCases {
		f.Add(tc.in)
	}
	f.Add(`-"a\\" x:"" \"`)
	env := Env{Now: time.Date(2026, 10, 24, 8, 0, 0, 0, time.UTC), Me: "U1"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, voc := range []*Vocabulary{nil, testVoc} {
			q, err := Parse(s, voc)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Pos < 0 || e.Pos > e.End || e.End > len(s) {
					t.Fatalf("Parse(%q): bad error %#v", s, err)
				}
				continue
			}
			out := q.String()
			q2, err := Parse(out, voc)
			if err != nil {
				t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, out, err)
			}
			if !q.Equal(q2) {
				t.Fatalf("round trip of %q via %q:\n got %#v\nwant %#v", s, out, q2, q)
			}
			if out2 := q2.String(); out2 != out {
				t.Fatalf("String not canonical: %q then %q", out, out2)
			}
			_, _ = q.Resolve(env) // may fail (e.g. word range reversed), must not panic
		}
	})
}

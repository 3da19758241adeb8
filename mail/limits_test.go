package mail

import (
	"errors"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/mail/mailtest"
)

func TestLimits(t *testing.T) {
	tests := []struct {
		name    string
		raw     []byte
		lim     Limits
		setting string // "" when the mail is taken
		code    int
	}{
		{"nested 50 deep", mailtest.NestedMail(50), Limits{}, "", 0},
		{"nested 51 deep", mailtest.NestedMail(51), Limits{}, "email.max_mime_depth", 554},
		{"nested 8000 deep", mailtest.NestedMail(8000), Limits{}, "email.max_mime_depth", 554},
		{"5000 parts", mailtest.ManyParts(5000), Limits{}, "", 0},
		{"parts over a lower limit", mailtest.ManyParts(100), Limits{MaxParts: 50}, "email.max_mime_parts", 554},
		{"20,000 header lines", mailtest.ManyHeaders(20000), Limits{}, "email.max_header_lines", 554},
		{"header bytes", mailtest.ManyHeaders(1500), Limits{MaxHeaderBytes: 16 << 10}, "email.max_header_bytes", 552},
		{"1,000 header lines", mailtest.ManyHeaders(1000), Limits{}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseLimited(tt.raw, tt.lim)
			var over *LimitError
			if tt.setting == "" {
				if err != nil || m == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &over) || over.Setting != tt.setting || over.Code != tt.code {
				t.Fatalf("ParseLimited = %v, want a %d on %s", err, tt.code, tt.setting)
			}
			if !strings.Contains(err.Error(), tt.setting) {
				t.Errorf("%q does not name the setting", err)
			}
		})
	}
}

// A mail over a limit is refused by the scan alone, before enmime reads
// any of it and no further than the limit: refusing 8,000 levels costs
// what refusing 51 does, in allocations, where parsing allocates per part.
// The bound is deterministic rather than timed.
func TestDeepNestingRefusedBeforeParsing(t *testing.T) {
	refuse := func(depth int) float64 {
		raw := mailtest.NestedMail(depth)
		return testing.AllocsPerRun(3, func() {
			if _, err := ParseLimited(raw, Limits{}); err == nil {
				t.Fatalf("%d-deep nesting was taken", depth)
			}
		})
	}
	at51, at8000 := refuse(51), refuse(8000)
	// A few allocations either way are the runtime's (seen under -race);
	// a scan past the limit would cost thousands more for 7,949 levels.
	if at8000 > at51+16 {
		t.Errorf("refusing 8000 levels took %.0f allocations, 51 levels %.0f: the scan went past the limit", at8000, at51)
	}
	raw := mailtest.NestedMail(50)
	parsed := testing.AllocsPerRun(1, func() { _, _ = Parse(raw) })
	if parsed < 5*at8000 {
		t.Errorf("parsing 50 levels took %.0f allocations, refusing 8000 %.0f: refusing must not parse", parsed, at8000)
	}
	t.Logf("allocations: refuse 51 levels %.0f, refuse 8000 %.0f, parse 50 %.0f", at51, at8000, parsed)
}

// The scan follows exactly the boundaries enmime does: deep nesting hidden
// behind parameters only enmime repairs is still counted.
func TestLimitsSeeRepairedBoundaries(t *testing.T) {
	raw := strings.ReplaceAll(string(mailtest.NestedMail(60)), `multipart/mixed; boundary=`, `multipart/mixed; charset=; boundary=`)
	if _, err := ParseLimited([]byte(raw), Limits{}); err == nil {
		t.Fatal("60-deep nesting behind an unparseable parameter was taken")
	}
}

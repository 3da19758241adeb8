package textclean_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "Printer on fire", "Printer on fire"},
		{"NUL", "Print\x00er", "Printer"},
		{"NUL only", "\x00\x00", ""},
		{"tab and newline kept", "a\tb\nc", "a\tb\nc"},
		{"CR LF", "a\r\nb", "a\nb"},
		{"lone CR", "a\rb", "a\nb"},
		{"C0 controls", "a\x01\x07\x08\x0b\x0c\x1b[31mb\x1f", "a[31mb"},
		{"DEL", "a\x7fb", "ab"},
		{"C1 controls", "a\u0080\u0085\u009bb\u009f", "ab"},
		{"invalid UTF-8 byte", "caf\xe9", "caf\uFFFD"},
		{"truncated sequence", "ab\xe2\x82", "ab\uFFFD\uFFFD"},
		{"overlong NUL", "a\xc0\x80b", "a\uFFFD\uFFFDb"},
		{"surrogate half", "a\xed\xa0\x80b", "a\uFFFD\uFFFD\uFFFDb"},
		{"U+FFFD itself stays", "a\uFFFDb", "a\uFFFDb"},
		{"combining marks stay", "e\u0301 n\u0303 a\u0308\u0304", "e\u0301 n\u0303 a\u0308\u0304"},
		{"emoji stay", "🔥 👩‍💻 👍🏽 🇫🇷", "🔥 👩‍💻 👍🏽 🇫🇷"},
		{"scripts stay", "Ελληνικά Русский 日本語 한국어 עברית العربية हिन्दी ไทย", "Ελληνικά Русский 日本語 한국어 עברית العربية हिन्दी ไทย"},
		{"zero-width joiner and marks stay", "a\u200db\u200ec\u200fd", "a\u200db\u200ec\u200fd"},
		{"bidi controls kept by Text", "a\u202eb", "a\u202eb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := textclean.Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if bad := textclean.Bad(got); bad != "" {
				t.Errorf("Text(%q) = %q still %s", tt.in, got, bad)
			}
		})
	}
}

func TestEveryBidiControl(t *testing.T) {
	controls := []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}
	for _, r := range controls {
		t.Run(fmt.Sprintf("U+%04X", r), func(t *testing.T) {
			in := "invoice" + string(r) + "fdp.exe"
			mark := fmt.Sprintf("[U+%04X]", r)
			if got, want := textclean.Line(in), "invoice"+mark+"fdp.exe"; got != want {
				t.Errorf("Line(%q) = %q, want %q", in, got, want)
			}
			if got, want := textclean.FileName(in), "invoice"+mark+"fdp.exe"; got != want {
				t.Errorf("FileName(%q) = %q, want %q", in, got, want)
			}
			if got, want := textclean.Visible(in+"\nmore"), "invoice"+mark+"fdp.exe\nmore"; got != want {
				t.Errorf("Visible = %q, want %q", got, want)
			}
			if got, want := textclean.Name("Eve"+string(r)+" Smith"), "Eve Smith"; got != want {
				t.Errorf("Name = %q, want %q", got, want)
			}
			if !textclean.IsBidiControl(r) {
				t.Errorf("IsBidiControl(%U) = false", r)
			}
		})
	}
	// The marks that only set a direction (LRM, RLM, ALM) are how RTL
	// writers fix punctuation: they stay.
	for _, r := range []rune{0x200E, 0x200F, 0x061C, 0x2029 - 1} {
		if textclean.IsBidiControl(r) {
			t.Errorf("IsBidiControl(%U) = true", r)
		}
	}
}

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Printer\r\non   fire\t\x00 ", "Printer on fire"},
		{"Ünïcödé\u0301 title 🔥", "Ünïcödé\u0301 title 🔥"},
		{"\x00", ""},
		{"a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := textclean.Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBad(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fine", ""},
		{"a\x00b", "contains a NUL character"},
		{"a\xffb", "is not valid UTF-8"},
		{"a\u202eb", ""}, // a database takes it; Line shows it
	}
	for _, tt := range tests {
		if got := textclean.Bad(tt.in); got != tt.want {
			t.Errorf("Bad(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckNamesTheLimit(t *testing.T) {
	if err := textclean.Check("title", "The title", strings.Repeat("é", 200), 200); err != nil {
		t.Fatalf("200 characters at a limit of 200: %v", err)
	}
	err := textclean.Check("title", "The title", strings.Repeat("é", 201), 200)
	if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "title" {
		t.Fatalf("Check = %v, want an invalid-input error on title", err)
	}
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "201") || !strings.Contains(msg, "limit is 200") {
		t.Errorf("message %q does not name the length and the limit", msg)
	}
}

// FuzzText: whatever comes in, what comes out is what both databases
// take, and cleaning twice changes nothing.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a\x00b", "\xff\xfe", "\r\n\r", "a\u202eb", "e\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fn := range []func(string) string{textclean.Text, textclean.Line, textclean.Name, textclean.Visible} {
			got := fn(s)
			if !utf8.ValidString(got) || textclean.Bad(got) != "" {
				t.Fatalf("%q → %q is not storable", s, got)
			}
			if again := fn(got); again != got {
				t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
			}
		}
		if l := textclean.Line(s); strings.ContainsFunc(l, textclean.IsBidiControl) || strings.ContainsAny(l, "\n\t\r") {
			t.Fatalf("Line(%q) = %q keeps a control", s, l)
		}
	})
}

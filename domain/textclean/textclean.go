// Package textclean is the one step every string from outside (Slack,
// mail) passes before a use case sees it: what a database would refuse,
// what a terminal or Slack would misdraw, and what would disguise one text
// as another is taken out at the edge, so nothing further in has to care.
//
// Text keeps what a person wrote (line breaks, tabs, combining marks,
// emoji, every script) and drops only what no person types: C0 and C1
// control characters and invalid UTF-8. Line and FileName are for the
// short strings that name things (titles, subjects, attachment names):
// there the bidirectional overrides and isolates that make
// "invoice\u202Efdp.exe" read as "invoiceexe.pdf" are replaced by a
// visible [U+202E]. Name is for people's names, where such a mark helps
// nobody: the controls are dropped.
package textclean

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
)

// Text removes NUL and the other C0 and C1 control characters except tab
// and newline, turns CR LF and lone CR into newline, and replaces invalid
// UTF-8 with U+FFFD. Clean text comes back unchanged without a copy.
func Text(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n++
			}
		case isControl(r):
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Line is Text for a one-line string shown to people (a title, a
// subject): line breaks and tabs become spaces, runs of spaces one, and
// each bidirectional override or isolate is shown as [U+202E].
func Line(s string) string {
	return strings.TrimSpace(oneLine(visibleBidi(Text(s))))
}

// Visible is Text with each bidirectional override or isolate shown as
// [U+202E], line breaks kept: for Slack input, where a title and a
// description arrive side by side in one payload and either would be
// shown in a channel.
func Visible(s string) string { return visibleBidi(Text(s)) }

// FileName is Line for a file name.
func FileName(s string) string { return Line(s) }

// Name is Line for a person's name: bidirectional controls are dropped.
func Name(s string) string {
	return strings.TrimSpace(oneLine(strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, Text(s))))
}

// IsBidiControl reports the explicit directional embeddings, overrides
// (U+202A–U+202E) and isolates (U+2066–U+2069): the characters that can
// make text display in another order than it reads.
func IsBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// Bad returns the rule a string breaks that a database would refuse it
// for ("contains NUL", "is not valid UTF-8"), or "" when it breaks none.
// Storage checks with it as the last line of defence.
func Bad(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL character"
	}
	return ""
}

// Check refuses a string longer than max characters, naming the field and
// the limit; nil when it fits.
func Check(field, label string, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return domain.FieldErrorf(field, "%s is %d characters long; the limit is %d.", label, n, max)
	}
	return nil
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7F && r <= 0x9F)
}

// isClean is the fast path: ASCII without controls needs no work.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return cleanUnicode(s[i:])
		}
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F {
			return false
		}
	}
	return true
}

func cleanUnicode(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return false
			}
		}
		if isControl(r) {
			return false
		}
	}
	return true
}

func visibleBidi(s string) string {
	if !strings.ContainsFunc(s, IsBidiControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if IsBidiControl(r) {
			fmt.Fprintf(&b, "[U+%04X]", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\t") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

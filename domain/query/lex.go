package query

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// term is one space-separated unit of the input, before keys are known.
type term struct {
	pos, end       int
	neg            bool
	key            string // as typed; "" for a bare word or phrase
	keyPos, keyEnd int
	parts          []part // a bare word has exactly one
}

// part is one value of a term; a,b|c gives three parts. Empty parts are
// kept so the parser can name the key in its "empty value" error.
type part struct {
	text     string // unescaped
	pos, end int
	quoted   bool // "..." or a Slack mention: operators inside are literal
}

// lex splits s into terms. It knows quoting and lists but no keys, so that
// every key-specific message comes from one place (the parser).
func lex(s string) ([]term, error) {
	var terms []term
	i := 0
	for {
		for i < len(s) && spaceAt(s, i) > 0 {
			i += spaceAt(s, i)
		}
		if i >= len(s) {
			return terms, nil
		}
		t := term{pos: i}
		if s[i] == '-' {
			t.neg = true
			i++
			if i >= len(s) || spaceAt(s, i) > 0 {
				continue // a lone dash is punctuation in pasted text, not a term
			}
		}
		var err error
		k := keyEnd(s, i)
		switch {
		case s[i] == '"':
			var p part
			if p, i, err = lexQuoted(s, i); err != nil {
				return nil, err
			}
			if i < len(s) && spaceAt(s, i) == 0 {
				return nil, junk(s, i)
			}
			t.parts = []part{p}
		case k > i && k < len(s) && s[k] == ':' && !strings.HasPrefix(s[k+1:], "//"):
			// "//" after the colon is a pasted URL, which is text, not a key.
			t.key, t.keyPos, t.keyEnd = s[i:k], i, k
			if t.parts, i, err = lexValues(s, k+1); err != nil {
				return nil, err
			}
		default:
			j := scan(s, i, "\"")
			if j < len(s) && s[j] == '"' {
				return nil, strayQuote(s, j)
			}
			t.parts = []part{{text: s[i:j], pos: i, end: j}}
			i = j
		}
		t.end = i
		terms = append(terms, t)
	}
}

func lexValues(s string, i int) ([]part, int, error) {
	var parts []part
	for {
		var p part
		var err error
		switch {
		case i < len(s) && s[i] == '"':
			if p, i, err = lexQuoted(s, i); err != nil {
				return nil, 0, err
			}
		default:
			j := scan(s, i, "\",|")
			if j < len(s) && s[j] == '"' {
				return nil, 0, strayQuote(s, j)
			}
			p, i = part{text: s[i:j], pos: i, end: j}, j
		}
		parts = append(parts, p)
		if i < len(s) && (s[i] == ',' || s[i] == '|') {
			i++
			continue
		}
		if i < len(s) && spaceAt(s, i) == 0 {
			return nil, 0, junk(s, i)
		}
		return parts, i, nil
	}
}

// lexQuoted reads "..." starting at s[i]; a backslash takes the next byte
// literally, which is enough for \" and \\ and keeps the rule one line long.
func lexQuoted(s string, i int) (part, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) {
				j++
				b.WriteByte(s[j])
			}
		case '"':
			return part{text: b.String(), pos: i, end: j + 1, quoted: true}, j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return part{}, 0, &Error{Pos: i, End: len(s), Word: s[i:], Msg: "unterminated quote", Hint: `close it with "`}
}

// keyEnd returns the end of a key-shaped run at s[i] (a letter, then letters,
// digits, _ . -), or i when there is none. Keys start with a letter so that
// times like 10:30 stay text.
func keyEnd(s string, i int) int {
	if c := s[i] | 0x20; c < 'a' || c > 'z' {
		return i
	}
	j := i + 1
	for j < len(s) && isKeyByte(s[j]) {
		j++
	}
	return j
}

func isKeyByte(c byte) bool {
	l := c | 0x20
	return l >= 'a' && l <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// scan returns the end of a bare run from s[i]: up to whitespace or a byte in
// stop.
func scan(s string, i int, stop string) int {
	for i < len(s) {
		if w := spaceAt(s, i); w > 0 || strings.IndexByte(stop, s[i]) >= 0 {
			break
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

// spaceAt returns the width of the whitespace rune at s[i], or 0. Unicode
// spaces count because Slack turns some spaces into U+00A0.
func spaceAt(s string, i int) int {
	if c := s[i]; c < utf8.RuneSelf {
		if c == ' ' || c >= '\t' && c <= '\r' {
			return 1
		}
		return 0
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if unicode.IsSpace(r) {
		return w
	}
	return 0
}

func strayQuote(s string, i int) error {
	return &Error{Pos: i, End: i + 1, Word: `"`, Msg: "unexpected quote", Hint: "quote a whole value: tag:\"two words\""}
}

func junk(s string, i int) error {
	j := scan(s, i, "")
	return &Error{Pos: i, End: j, Word: s[i:j], Msg: "missing space before " + strconv.Quote(s[i:j])}
}

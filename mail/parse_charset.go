package mail

import (
	"encoding/base64"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// lookupCharset maps a MIME charset label to a decoder. nil means "treat
// as UTF-8": UTF-8 itself, ASCII, and labels nobody knows (e.g. NONE).
// The WHATWG table is tried first because it knows the aliases mail
// clients really use (ks_c_5601-1987, latin1 → windows-1252, x-sjis …).
func lookupCharset(label string) encoding.Encoding {
	name := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if i := strings.IndexByte(name, '*'); i >= 0 { // RFC 2231 language suffix
		name = name[:i]
	}
	switch name {
	case "", "utf-8", "utf8", "utf8mb4", "unicode-1-1-utf-8", "us-ascii", "ascii", "none", "unknown-8bit", "x-unknown":
		return nil
	}
	if e, err := htmlindex.Get(name); err == nil {
		return e
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(name); err == nil && e != nil {
			return e
		}
	}
	return nil
}

// charsetReader lets net/mail decode encoded words in any charset we know;
// unknown ones pass through and are repaired by toUTF8 afterwards.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	if e := lookupCharset(label); e != nil {
		return transform.NewReader(r, e.NewDecoder()), nil
	}
	return r, nil
}

// toUTF8 returns b as valid UTF-8. Valid UTF-8 is kept (RFC 6532 allows raw
// UTF-8 headers) unless it contains C1 controls, which no real text has but
// legacy bytes mis-read as Latin-1 do. Then the hinted charset is tried,
// then: text that is mostly UTF-8 keeps its UTF-8 and loses only the broken
// bytes, anything else is read as windows-1252, the most common raw 8-bit
// charset in mail.
func toUTF8(b []byte, hint string) string {
	valid := utf8.Valid(b)
	if valid && !hasC1Control(b) {
		return string(b)
	}
	if e := lookupCharset(hint); e != nil {
		if out, err := e.NewDecoder().Bytes(b); err == nil && utf8.Valid(out) {
			return string(out)
		}
	}
	if valid || mostlyUTF8(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// hasC1Control reports whether UTF-8 b encodes a U+0080..U+009F control.
func hasC1Control(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 0xc2 && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			return true
		}
	}
	return false
}

// mostlyUTF8 reports whether b has more valid multi-byte sequences than
// invalid bytes, i.e. it is UTF-8 with some damage rather than a legacy
// 8-bit charset.
func mostlyUTF8(b []byte) bool {
	good, bad := 0, 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			bad++
		case n > 1:
			good++
		}
		b = b[n:]
	}
	return good > bad
}

// encodedWord matches one RFC 2047 encoded word. Encoded text may not
// contain '?' or whitespace, which keeps the match linear and local.
var encodedWord = regexp.MustCompile(`=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=`)

// decodeWords decodes RFC 2047 encoded words anywhere in s, also inside
// quotes and glued to other text, and tolerates missing base64 padding and
// unknown charsets. Whitespace between adjacent encoded words is dropped and
// their bytes are joined before charset decoding, because senders split
// multi-byte characters across words.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	var pending []byte
	pendingCharset := ""
	flush := func() {
		if pending != nil {
			out.WriteString(bytesInCharset(pending, pendingCharset))
			pending, pendingCharset = nil, ""
		}
	}
	last := 0
	for _, m := range encodedWord.FindAllStringSubmatchIndex(s, -1) {
		charset, enc, text := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]
		decoded, ok := decodeWordText(enc, text)
		if !ok {
			continue // left in place as literal text
		}
		gap := s[last:m[0]]
		if pending == nil || strings.TrimSpace(gap) != "" {
			flush()
			out.WriteString(gap)
		} else if !strings.EqualFold(charset, pendingCharset) {
			flush()
		}
		if pending == nil {
			pending, pendingCharset = []byte{}, charset
		}
		pending = append(pending, decoded...)
		last = m[1]
	}
	flush()
	out.WriteString(s[last:])
	return out.String()
}

func decodeWordText(enc, text string) ([]byte, bool) {
	if enc == "b" || enc == "B" {
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "="))
		return b, err == nil
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, true
}

func bytesInCharset(b []byte, charset string) string {
	if e := lookupCharset(charset); e != nil {
		if out, err := e.NewDecoder().Bytes(b); err == nil {
			return toUTF8(out, "")
		}
	}
	return toUTF8(b, "")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

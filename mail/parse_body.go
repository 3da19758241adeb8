package mail

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/inbucket/html2text"
	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/charmap"
)

// fixTree repairs what enmime leaves ambiguous, before body and attachments
// are picked:
//   - a part without Content-Type, or with one that cannot be parsed, is
//     text/plain (RFC 2045 §5.2); enmime turns unparseable types into
//     application/octet-stream, which would hide "text/plain charset=x";
//   - a part with a second "Content-Disposition: attachment" is an attachment;
//   - a multipart root without any part (no boundary, or a boundary that never
//     occurs) keeps its body as plain text instead of losing it;
//   - a part declared us-ascii whose 8-bit bytes are valid UTF-8 is UTF-8
//     (enmime decodes us-ascii as windows-1252 when the text is too short
//     for charset detection).
func fixTree(root *enmime.Part, data []byte) []string {
	var warnings []string
	if strings.HasPrefix(root.ContentType, "multipart/") && root.FirstChild == nil {
		body := root.Content
		if len(body) == 0 {
			body = bodyBlock(data)
		}
		if len(bytes.TrimSpace(body)) > 0 {
			root.ContentType, root.Content = "text/plain", body
			warnings = append(warnings, "multipart message without parts, body read as plain text")
		}
	}
	eachPart(root, func(p *enmime.Part) {
		p.ContentType = strings.ToLower(p.ContentType)
		p.Disposition = strings.ToLower(p.Disposition)
		if p.FirstChild == nil {
			if ct := repairedType(p); ct != p.ContentType {
				if p.ContentType != "" { // a missing type is already reported by enmime
					warnings = append(warnings, "part "+p.PartID+": unparseable Content-Type read as "+ct)
				}
				p.ContentType = ct
			}
		}
		for _, d := range p.Header.Values("Content-Disposition") {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(d)), "attachment") {
				p.Disposition = "attachment"
			}
		}
		recoverMislabelledUTF8(p)
	})
	return warnings
}

func repairedType(p *enmime.Part) string {
	raw := strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Type")))
	if i := strings.IndexAny(raw, "; \t"); i >= 0 {
		raw = raw[:i]
	}
	switch {
	case p.ContentType == "":
		return "text/plain"
	case p.ContentType != "application/octet-stream" && strings.Contains(p.ContentType, "/"):
		return p.ContentType
	case raw == "text/plain" || raw == "text/html":
		return raw
	case strings.Contains(raw, "/"): // a binary type with broken parameters
		return p.ContentType
	}
	return "text/plain"
}

func recoverMislabelledUTF8(p *enmime.Part) {
	if p.OrigCharset != "" || !strings.HasPrefix(p.ContentType, "text/") {
		return
	}
	switch strings.ToLower(p.Charset) {
	case "us-ascii", "ascii": // decoded as windows-1252 by enmime
	default:
		return
	}
	if !looksDoubleDecoded(p.Content) {
		return
	}
	// enmime's windows-1252 decoding is reversible, so the original bytes
	// can be recovered and checked.
	orig, err := charmap.Windows1252.NewEncoder().Bytes(p.Content)
	if err == nil && utf8.Valid(orig) {
		p.Content = orig
	}
}

// looksDoubleDecoded detects text that went through windows-1252 decoding of UTF-8:
// such text is full of "Ã" and "â€" sequences but stays valid UTF-8.
func looksDoubleDecoded(b []byte) bool {
	return bytes.Contains(b, []byte("Ã")) || bytes.Contains(b, []byte("â€"))
}

func isMultipart(p *enmime.Part) bool {
	return strings.HasPrefix(p.ContentType, "multipart/") && p.FirstChild != nil
}

// isBodyPart: text/plain and text/html leaves that are neither marked as
// attachment nor named, i.e. text a person wrote rather than a file.
func isBodyPart(p *enmime.Part) bool {
	return p.FirstChild == nil && (p.ContentType == "text/plain" || p.ContentType == "text/html") &&
		p.Disposition != "attachment" && p.FileName == ""
}

// bodyText follows MIME semantics: one alternative (plain text preferred,
// else HTML converted to text), all parts of other multiparts in order.
func bodyText(p *enmime.Part) string {
	switch {
	case isMultipart(p) && p.ContentType == "multipart/alternative":
		if best := pickAlternative(p); best != nil {
			return bodyText(best)
		}
		return ""
	case isMultipart(p):
		var parts []string
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if t := bodyText(c); strings.TrimSpace(t) != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "\n\n")
	case isBodyPart(p) && p.ContentType == "text/html":
		return htmlToText(partText(p))
	case isBodyPart(p):
		return partText(p)
	}
	return ""
}

func pickAlternative(p *enmime.Part) *enmime.Part {
	for _, ct := range []string{"text/plain", "text/html"} {
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if findPart(c, func(q *enmime.Part) bool { return isBodyPart(q) && q.ContentType == ct }) != nil {
				return c
			}
		}
	}
	return nil
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)`)

// partText is the part's content as UTF-8. enmime has already converted
// the declared or detected charset; the declared one is tried again only
// where that evidently failed, and HTML without a declared charset gets the
// one its <meta> tag names.
func partText(p *enmime.Part) string {
	hint := ""
	if !utf8.Valid(p.Content) {
		hint = p.Charset
	}
	if p.ContentType == "text/html" && p.Charset == "" && p.OrigCharset == "" {
		if m := metaCharset.FindSubmatch(p.Content); m != nil {
			hint = string(m[1])
		}
	}
	return toUTF8(p.Content, hint)
}

func htmlToText(s string) string {
	text, err := html2text.FromString(s)
	if err != nil {
		return s
	}
	return text
}

// cleanText normalises line ends and removes control characters other than
// tab and newline, so the text is safe to show and store.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r == '\uFEFF' || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// attachments lists, in document order, every leaf that is not body text:
// nothing is skipped silently. Only text renderings inside
// multipart/alternative (e.g. text/watch-html) are left out, because they
// repeat the body.
// files are the bodies carve took out, by the mark on their part.
func attachments(root *enmime.Part, files map[string][]byte) []Attachment {
	var out []Attachment
	var walk func(p *enmime.Part, inAlternative bool)
	walk = func(p *enmime.Part, inAlternative bool) {
		if isMultipart(p) {
			for c := p.FirstChild; c != nil; c = c.NextSibling {
				walk(c, p.ContentType == "multipart/alternative")
			}
			return
		}
		if isBodyPart(p) || strings.HasPrefix(p.ContentType, "multipart/") {
			return
		}
		if inAlternative && strings.HasPrefix(p.ContentType, "text/") && p.Disposition != "attachment" && p.FileName == "" {
			return
		}
		out = append(out, makeAttachment(p, files))
	}
	walk(root, false)
	return out
}

func makeAttachment(p *enmime.Part, files map[string][]byte) Attachment {
	if mark := p.Header.Get(carveHeader); mark != "" {
		if b, ok := files[mark]; ok {
			p.Content = b
		}
		p.Header.Del(carveHeader)
	}
	ct := p.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	name := filenameFromHeader(p.Header, p.Charset)
	if name == "" {
		name = normalizeSpace(decodeWords(toUTF8([]byte(p.FileName), p.Charset)))
	}
	return Attachment{
		Filename:    name,
		ContentType: toUTF8([]byte(ct), ""),
		Size:        len(p.Content),
		Inline:      p.Disposition == "inline" || (p.Disposition == "" && p.ContentID != ""),
		ContentID:   toUTF8([]byte(p.ContentID), ""),
		Data:        p.Content,
	}
}

// findPart returns the first part of p's subtree, depth first, that
// matches. enmime's DepthMatchFirst is not used because it walks into the
// siblings and parents of a non-root start part.
func findPart(p *enmime.Part, match func(*enmime.Part) bool) *enmime.Part {
	if match(p) {
		return p
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if found := findPart(c, match); found != nil {
			return found
		}
	}
	return nil
}

// eachPart calls fn for every part of p's subtree, depth first.
func eachPart(p *enmime.Part, fn func(*enmime.Part)) {
	_ = findPart(p, func(q *enmime.Part) bool { fn(q); return false })
}

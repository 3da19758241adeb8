package mail

import (
	"mime"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

// header is the top-level header with lower-cased names: enmime leaves
// names with unusual bytes uncanonicalised, so exact-case lookups miss.
type header map[string][]string

func newHeader(h textproto.MIMEHeader) header {
	out := make(header, len(h))
	for k, v := range h {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], v...)
	}
	return out
}

func (h header) get(name string) string {
	if v := h[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (h header) has(name string) bool {
	return len(h[strings.ToLower(name)]) > 0
}

// readHeaders fills the header-derived fields. hint is the body's declared
// charset, the best guess for raw 8-bit bytes in header fields.
func (m *Message) readHeaders(h header, hint string) {
	m.MessageID = firstMsgID(h["message-id"])
	m.InReplyTo = msgIDs(h["in-reply-to"])
	m.References = msgIDs(h["references"])
	m.Subject = decodeText(h.get("subject"), hint)
	if from := addressList(h["from"], hint); len(from) > 0 {
		m.From = from[0]
	}
	m.ReplyTo = addressList(h["reply-to"], hint)
	m.To = addressList(h["to"], hint)
	m.Cc = addressList(h["cc"], hint)
	m.Date = parseDate(h.get("date"))
	for _, name := range auditHeaders {
		for _, v := range h[strings.ToLower(name)] {
			if m.Headers == nil {
				m.Headers = map[string][]string{}
			}
			m.Headers[name] = append(m.Headers[name], strings.TrimSpace(toUTF8([]byte(v), hint)))
		}
	}
	m.SentByDeskbot = h.has("X-Deskbot-Origin")
}

// decodeText decodes an unstructured field such as Subject.
func decodeText(raw, hint string) string {
	return normalizeSpace(decodeWords(toUTF8([]byte(raw), hint)))
}

// normalizeSpace collapses runs of whitespace and drops control characters.
func normalizeSpace(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// addressList parses every value of an address field. Broken lists (empty
// elements, stray commas, unparseable entries) are read element by element
// so one bad entry does not lose the others.
func addressList(values []string, hint string) []Address {
	var out []Address
	parser := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	for _, v := range values {
		s := toUTF8([]byte(v), hint)
		list, err := parser.ParseList(s)
		if err != nil {
			list = looseAddressList(&parser, s)
		}
		for _, a := range list {
			if addr := makeAddress(a.Name, a.Address); addr.Email != "" {
				out = append(out, addr)
			}
		}
	}
	return out
}

var addrSpec = regexp.MustCompile(`[^\s<>()\[\],;:"]+@[^\s<>()\[\],;:"]+`)

func looseAddressList(p *netmail.AddressParser, s string) []*netmail.Address {
	var out []*netmail.Address
	for _, item := range splitAddresses(s) {
		if a, err := p.Parse(item); err == nil {
			out = append(out, a)
			continue
		}
		loc := addrSpec.FindStringIndex(item)
		if loc == nil {
			continue
		}
		name := strings.Trim(item[:loc[0]]+" "+item[loc[1]:], ` <>"'`)
		out = append(out, &netmail.Address{Name: strings.TrimSpace(name), Address: item[loc[0]:loc[1]]})
	}
	return out
}

// splitAddresses splits at commas outside quotes and angle brackets.
func splitAddresses(s string) []string {
	var out []string
	quoted, angle, start := false, 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case '<':
			if !quoted {
				angle++
			}
		case '>':
			if !quoted && angle > 0 {
				angle--
			}
		case ',':
			if !quoted && angle == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start <= len(s) {
		out = append(out, s[start:])
	}
	return out
}

func makeAddress(name, email string) Address {
	email = strings.Trim(strings.TrimSpace(email), "<>")
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		email = email[:at] + strings.ToLower(email[at:])
	}
	name = normalizeSpace(decodeWords(name))
	name = strings.TrimSpace(strings.Trim(name, `"'`))
	return Address{Name: toUTF8([]byte(name), ""), Email: toUTF8([]byte(normalizeSpace(email)), "")}
}

var msgIDToken = regexp.MustCompile(`<([^<>]*)>`)

// msgIDs returns the ids of all values in order, without duplicates;
// ids with whitespace or control characters (folded garbage) are skipped.
// Bare ids without brackets are accepted when they look like addr-specs.
func msgIDs(values []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if validMsgID(id) && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, v := range values {
		if !strings.Contains(v, "<") {
			for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
				if strings.Contains(tok, "@") {
					add(tok)
				}
			}
			continue
		}
		for _, m := range msgIDToken.FindAllStringSubmatch(v, -1) {
			add(m[1])
		}
	}
	return out
}

func firstMsgID(values []string) string {
	if ids := msgIDs(values); len(ids) > 0 {
		return ids[0]
	}
	if len(values) > 0 {
		if id := strings.Trim(strings.TrimSpace(values[0]), "<>"); validMsgID(id) {
			return id
		}
	}
	return ""
}

// validMsgID accepts any printable id: real-world ids often break the
// RFC 5322 grammar (no "@", odd characters) but still thread correctly.
func validMsgID(id string) bool {
	if id == "" || len(id) > 998 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// Dates outside [minYear, maxYear] are treated as garbage (a real fixture
// says 3609). Parse has no clock, so callers clamp future dates themselves.
const (
	minYear = 1970
	maxYear = 2099
)

func parseDate(s string) time.Time {
	t, ok := parseAnyDate(normalizeSpace(s))
	if !ok || t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}
	}
	return t
}

// looseDateLayouts cover what mail clients print in forwarded-message
// headers; times without zone are taken as UTC.
var looseDateLayouts = []string{
	"Jan 2, 2006 3:04 PM",
	"Jan 2, 2006, 3:04 PM",
	"Jan 2, 2006 at 3:04 PM",
	"Mon, Jan 2, 2006 at 3:04 PM",
	"Mon, Jan 2, 2006, 3:04 PM",
	"Mon, Jan 2, 2006 3:04 PM",
	"Monday, January 2, 2006 3:04 PM",
	"Monday, January 2, 2006, 3:04 PM",
	"Monday, January 2, 2006 at 3:04 PM",
	"January 2, 2006 3:04 PM",
	"January 2, 2006 at 3:04 PM",
	"January-02-06 3:04 PM",
	"Mon 1/2/2006 3:04 PM",
	"1/2/2006 3:04 PM",
	"2 January 2006 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.RFC3339,
}

func parseAnyDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := netmail.ParseDate(s); err == nil {
		return t, true
	}
	for _, layout := range looseDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// declaredCharset is the charset the first text part declares; it is the
// best guess for undeclared raw 8-bit bytes in the top-level header.
func declaredCharset(root *enmime.Part) string {
	p := findPart(root, func(p *enmime.Part) bool {
		return strings.HasPrefix(p.ContentType, "text/") && (p.OrigCharset != "" || p.Charset != "")
	})
	if p == nil {
		return ""
	}
	if p.OrigCharset != "" {
		return p.OrigCharset
	}
	return p.Charset
}

package mail

import (
	"net/textproto"
	"sort"
	"strconv"
	"strings"
)

// filenameFromHeader reads RFC 2231 and raw 8-bit file names from the raw
// Content-Disposition and Content-Type parameters. Go's MIME parser, which
// enmime uses, drops RFC 2231 values in charsets other than UTF-8/ASCII
// (e.g. iso-2022-jp, iso-8859-1) and replaces raw 8-bit bytes; here both
// are decoded leniently. "" means: use enmime's FileName.
func filenameFromHeader(h textproto.MIMEHeader, hint string) string {
	for _, f := range []struct{ header, param string }{
		{"Content-Disposition", "filename"}, {"Content-Type", "name"},
	} {
		params := mediaParams(h.Get(f.header))
		if name := rfc2231Value(params, f.param); name != "" {
			return name
		}
		if raw := params[f.param]; !isASCII(raw) {
			return normalizeSpace(decodeWords(toUTF8([]byte(raw), hint)))
		}
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// mediaParams splits "type; a=1; b*=utf-8”x" into lower-cased keys and
// unquoted values, without validating anything.
func mediaParams(v string) map[string]string {
	out := map[string]string{}
	for _, item := range splitOutsideQuotes(v, ';')[1:] {
		key, val, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = strings.ReplaceAll(val[1:len(val)-1], `\"`, `"`)
		}
		out[strings.ToLower(strings.TrimSpace(key))] = val
	}
	return out
}

func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[min(start, len(s)):])
}

// rfc2231Value joins name*, name*0, name*0*, name*1* … and decodes the
// charset'language'%XX form.
func rfc2231Value(params map[string]string, name string) string {
	type segment struct {
		n       int
		value   string
		encoded bool
	}
	var segs []segment
	for k, v := range params {
		rest, ok := strings.CutPrefix(k, name+"*")
		if !ok {
			continue
		}
		encoded := strings.HasSuffix(rest, "*") || rest == ""
		n, err := strconv.Atoi(strings.TrimSuffix(rest, "*"))
		if rest == "" {
			n, err = 0, nil
		}
		if err == nil && n >= 0 && n < 1000 {
			segs = append(segs, segment{n, v, encoded})
		}
	}
	if len(segs) == 0 {
		return ""
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
	charset := ""
	var raw []byte
	for i, s := range segs {
		v := s.value
		if s.encoded && i == 0 {
			if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
				charset, v = parts[0], parts[2]
			}
		}
		if s.encoded {
			raw = append(raw, percentDecode(v)...)
		} else {
			raw = append(raw, v...)
		}
	}
	return normalizeSpace(bytesInCharset(raw, charset))
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"
)

// item is one element of a JSON array with the line it starts on.
type item struct {
	Line int
	Raw  json.RawMessage
}

// arrayAt reads the array at path in a JSON document (object keys from
// the top; no path: the document is the array), noting each element's
// line. found is false when the path is absent.
func arrayAt(data []byte, path ...string) (items []item, found bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for _, key := range path {
		if ok, err := enterKey(dec, key); err != nil || !ok {
			return nil, false, err
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, false, fmt.Errorf("line %d: %v", lineAt(data, dec.InputOffset()), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		where := "the document"
		if len(path) > 0 {
			where = strings.Join(path, ".")
		}
		return nil, false, fmt.Errorf("%s is not a list", where)
	}
	for dec.More() {
		off := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, true, fmt.Errorf("line %d: %v", lineAt(data, off), err)
		}
		items = append(items, item{Line: lineAt(data, off), Raw: raw})
	}
	return items, true, nil
}

// enterKey moves the decoder to the value of key in the object it is at.
func enterKey(dec *json.Decoder, key string) (bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return false, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false, err
		}
		if k, _ := tok.(string); k == key {
			return true, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false, err
		}
	}
	return false, nil
}

// lineAt is the line of the first value at or after off (past the comma
// and blanks the decoder's offset stops before).
func lineAt(data []byte, off int64) int {
	i := int(min(off, int64(len(data))))
	for i < len(data) && strings.IndexByte(" \t\r\n,:", data[i]) >= 0 {
		i++
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\s*/?\s*>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// htmlText is the text of an HTML body: breaks kept, tags dropped,
// entities decoded. Enough for the bodies helpdesks keep; the original
// stays in the other helpdesk.
func htmlText(s string) string {
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// foreignTime reads the times helpdesks' APIs and CSV exports write.
func foreignTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Microsecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (like 2026-03-10T09:38:00Z or 2026-03-10 09:38:00, UTC)", s)
}

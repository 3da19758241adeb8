package mail

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
)

// Limits bound what one mail may cost to read, as a mail server's
// settings do (Postfix refuses nesting beyond mime_nesting_limit, 100).
// A mail over a limit is refused whole, before it is parsed, so its cost
// is one linear scan.
type Limits struct {
	// MaxDepth is the deepest nesting of multiparts read. Real mail
	// nests a few levels; each level costs enmime a pass over the rest.
	MaxDepth int
	// MaxParts is how many MIME parts one mail may have.
	MaxParts int
	// MaxHeaderLines and MaxHeaderBytes bound one header block: the
	// mail's own and each part's.
	MaxHeaderLines int
	MaxHeaderBytes int
}

// Defaults of Limits, documented in the README.
const (
	DefaultMaxDepth       = 50
	DefaultMaxParts       = 10000
	DefaultMaxHeaderLines = 2000
	DefaultMaxHeaderBytes = 256 << 10
)

// OrDefault fills every unset limit with its default.
func (l Limits) OrDefault() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxHeaderLines <= 0 {
		l.MaxHeaderLines = DefaultMaxHeaderLines
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return l
}

// LimitError is a mail refused for going over one of its Limits. Code is
// the SMTP reply: 552 for a size, 554 for a structure no mail needs.
type LimitError struct {
	Setting string // the config key, e.g. "email.max_mime_depth"
	Limit   int
	Code    int
	What    string // "MIME nesting deeper than 50 levels"
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s (limit %d, setting %s)", e.What, e.Limit, e.Setting)
}

// checkLimits scans data once, without decoding anything: header blocks
// are counted and the multipart structure followed by its boundary lines,
// each compared with the boundaries open at that point (at most MaxDepth),
// so the scan is linear in the mail's size.
func checkLimits(data []byte, lim Limits) error {
	_, err := scanMail(data, lim)
	return err
}

// leaf is a part of a multipart with no parts of its own: its header
// starts at header, its body spans body to end.
type leaf struct {
	header, body, end     int
	contentType, encoding string
}

// scanMail is checkLimits reporting, on the way, the leaves whose body is
// at least carveAbove bytes long (carve.go).
func scanMail(data []byte, lim Limits) ([]leaf, error) {
	lim = lim.OrDefault()
	var open []string // boundaries of the enclosing multiparts, outermost first
	var big []leaf
	var cur leaf // the leaf being read, when inLeaf
	inLeaf := false
	parts := 1
	pos := 0
	readHeader := func() error {
		start := pos
		end, ct, cte, err := scanHeader(data, pos, lim)
		if err != nil {
			return err
		}
		pos = end
		if b := multipartBoundary(ct); b != "" {
			if len(open) >= lim.MaxDepth {
				return &LimitError{Setting: "email.max_mime_depth", Limit: lim.MaxDepth, Code: 554,
					What: fmt.Sprintf("MIME parts nested deeper than %d levels", lim.MaxDepth)}
			}
			open = append(open, b)
		} else if len(open) > 0 {
			cur, inLeaf = leaf{header: start, body: end, contentType: ct, encoding: cte}, true
		}
		return nil
	}
	endLeaf := func(at int) {
		if inLeaf && at-cur.body >= carveAbove {
			cur.end = at
			big = append(big, cur)
		}
		inLeaf = false
	}
	if err := readHeader(); err != nil {
		return nil, err
	}
	for pos < len(data) && len(open) > 0 {
		lineStart := pos
		eol := bytes.IndexByte(data[pos:], '\n')
		var line []byte
		if eol < 0 {
			line, pos = data[pos:], len(data)
		} else {
			line, pos = data[pos:pos+eol], pos+eol+1
		}
		if len(line) < 3 || line[0] != '-' || line[1] != '-' {
			continue
		}
		rest := bytes.TrimRight(line[2:], " \t\r")
		for i := len(open) - 1; i >= 0; i-- {
			if !bytes.HasPrefix(rest, []byte(open[i])) {
				continue
			}
			tail := rest[len(open[i]):]
			if len(tail) != 0 && !bytes.Equal(tail, []byte("--")) {
				continue
			}
			endLeaf(lineStart)
			open = open[:i+1]
			if len(tail) != 0 { // the closing delimiter: the multipart ends
				open = open[:i]
				break
			}
			parts++
			if parts > lim.MaxParts {
				return nil, &LimitError{Setting: "email.max_mime_parts", Limit: lim.MaxParts, Code: 554,
					What: fmt.Sprintf("more than %d MIME parts", lim.MaxParts)}
			}
			if err := readHeader(); err != nil {
				return nil, err
			}
			break
		}
	}
	endLeaf(len(data))
	return big, nil
}

// scanHeader reads the header block starting at pos, up to and including
// its empty line, and returns where the body starts, the unfolded
// Content-Type and the Content-Transfer-Encoding.
func scanHeader(data []byte, pos int, lim Limits) (int, string, string, error) {
	start, lines := pos, 0
	var ct, cte []byte
	var field *[]byte // the field being unfolded, if one of those two
	for pos < len(data) {
		eol := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if eol >= 0 {
			next = pos + eol + 1
		}
		line := bytes.TrimRight(data[pos:next], "\r\n")
		pos = next
		if len(line) == 0 {
			break
		}
		lines++
		if lines > lim.MaxHeaderLines {
			return 0, "", "", &LimitError{Setting: "email.max_header_lines", Limit: lim.MaxHeaderLines, Code: 554,
				What: fmt.Sprintf("more than %d header lines", lim.MaxHeaderLines)}
		}
		if pos-start > lim.MaxHeaderBytes {
			return 0, "", "", &LimitError{Setting: "email.max_header_bytes", Limit: lim.MaxHeaderBytes, Code: 552,
				What: fmt.Sprintf("a header larger than %d bytes", lim.MaxHeaderBytes)}
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if field != nil && len(*field) < 4096 {
				*field = append(*field, line...)
			}
		case len(line) > 13 && bytes.EqualFold(line[:13], []byte("content-type:")):
			ct, field = append(ct[:0], line[13:]...), &ct
		case len(line) > 26 && bytes.EqualFold(line[:26], []byte("content-transfer-encoding:")):
			cte, field = append(cte[:0], line[26:]...), &cte
		default:
			field = nil
		}
	}
	return pos, string(ct), string(cte), nil
}

// multipartBoundary is the boundary of a multipart Content-Type, "" for
// anything else (or a multipart without one, which enmime reads as a
// single part).
func multipartBoundary(ct string) string {
	if !strings.Contains(strings.ToLower(ct), "multipart/") {
		return ""
	}
	mt, params, err := mime.ParseMediaType(strings.TrimSpace(ct))
	if err != nil {
		// enmime repairs parameters the standard library refuses; the
		// scan must find every boundary enmime will follow.
		if m := boundaryRE.FindStringSubmatch(ct); m != nil {
			return strings.TrimRight(m[1], " \t")
		}
		return ""
	}
	if !strings.HasPrefix(mt, "multipart/") {
		return ""
	}
	return strings.TrimRight(params["boundary"], " \t")
}

var boundaryRE = regexp.MustCompile(`(?i)boundary\s*=\s*"?([^";\r\n]+)`)

package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"mime"
	"strconv"
	"strings"
)

// carveAbove is the encoded size from which a file's body is decoded
// apart from enmime. enmime reads every part whole with io.ReadAll, whose
// growing buffer allocates about five times the file's size on the way
// and keeps up to a quarter more than it; carved, a file costs one
// allocation of its decoded size and enmime reads an empty part.
const carveAbove = 1 << 20

// carveHeader marks a carved part in the skeleton enmime reads; its value
// holds a random token, so no header a sender wrote can pass for it.
const carveHeader = "X-Deskbot-Carved"

// carve takes the bodies of the large base64 files among leaves out of
// data: it returns the mail without them (each part's header marked with
// carveHeader) and their decoded contents by marker. A body that is not
// clean base64 (a byte outside the alphabet, a length no encoder makes)
// stays for enmime, which reads and reports it as before; so does any
// text, message or multipart part, whose reading enmime owns.
func carve(data []byte, leaves []leaf) ([]byte, map[string][]byte) {
	var skeleton bytes.Buffer
	bodies := map[string][]byte{}
	token := rand.Text()
	pos := 0
	for _, l := range leaves {
		if !carvable(l) {
			continue
		}
		// The line break before the delimiter belongs to the delimiter.
		end := l.end
		if end > l.body && data[end-1] == '\n' {
			end--
			if end > l.body && data[end-1] == '\r' {
				end--
			}
		}
		decoded, ok := decodeBase64(data[l.body:end])
		if !ok {
			continue
		}
		if skeleton.Len() == 0 {
			skeleton.Grow(len(data) - (l.end - l.body))
		}
		mark := token + "-" + strconv.Itoa(len(bodies))
		bodies[mark] = decoded
		skeleton.Write(data[pos:l.header])
		skeleton.WriteString(carveHeader + ": " + mark + "\r\n")
		skeleton.Write(data[l.header:l.body])
		pos = end
	}
	if len(bodies) == 0 {
		return data, nil
	}
	skeleton.Write(data[pos:])
	return skeleton.Bytes(), bodies
}

// carvable: a file in base64 whose type enmime would keep as declared.
func carvable(l leaf) bool {
	if !strings.EqualFold(strings.TrimSpace(l.encoding), "base64") {
		return false
	}
	mt, _, err := mime.ParseMediaType(strings.TrimSpace(l.contentType))
	if err != nil || !strings.Contains(mt, "/") {
		return false
	}
	for _, kind := range []string{"text/", "message/", "multipart/"} {
		if strings.HasPrefix(mt, kind) {
			return false
		}
	}
	return true
}

// decodeBase64 decodes b as enmime does (whitespace and '=' skipped, no
// padding required) into one allocation of the decoded size, or reports
// false for anything else in b, which enmime would warn about.
func decodeBase64(b []byte) ([]byte, bool) {
	n := 0
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			n++
		case c == ' ', c == '\t', c == '\r', c == '\n', c == '=':
		default:
			return nil, false
		}
	}
	if n%4 == 1 {
		return nil, false
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(n))
	var chunk [4 << 10]byte
	k, w := 0, 0
	flush := func() bool {
		m, err := base64.RawStdEncoding.Decode(out[w:], chunk[:k])
		w, k = w+m, 0
		return err == nil
	}
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '=':
			continue
		}
		chunk[k] = c
		if k++; k == len(chunk) && !flush() {
			return nil, false
		}
	}
	if k > 0 && !flush() {
		return nil, false
	}
	return out[:w], true
}

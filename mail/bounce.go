package mail

import (
	"regexp"
	"strings"
)

// returnedIDRE finds Message-ID header lines, as a bounce quotes the mail
// it returns.
var returnedIDRE = regexp.MustCompile(`(?im)^[ \t>]*message-id:[ \t]*<([^<>\s]{1,250})>`)

// maxScan bounds how much of each part is searched: the returned headers
// come first.
const maxScan = 64 << 10

// ReturnedMessageIDs are the Message-IDs a bounce quotes: the returned
// mail's, in its message/rfc822 or headers part, or pasted in the text by
// MTAs that return mail inline. A deskbot Message-ID among them names the
// ticket whose mail bounced.
func ReturnedMessageIDs(m *Message) []string {
	var out []string
	scan := func(b []byte) {
		if len(b) > maxScan {
			b = b[:maxScan]
		}
		for _, sm := range returnedIDRE.FindAllSubmatch(b, 8) {
			if id := string(sm[1]); id != m.MessageID {
				out = append(out, id)
			}
		}
	}
	for _, a := range m.Attachments {
		switch strings.ToLower(a.ContentType) {
		case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers",
			"message/global-headers", "message/delivery-status":
			scan(a.Data)
		}
	}
	scan([]byte(m.Text))
	return out
}

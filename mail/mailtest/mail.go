// Package mailtest builds mail for tests: well-formed messages and
// hostile ones (deep nesting, many parts, many headers, big mails).
package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"strings"
)

// Mail is a message to build; empty fields are left out.
type Mail struct {
	From, To, Cc, Subject string
	// MessageID, InReplyTo and References are without <>; References is
	// space-separated.
	MessageID, InReplyTo, References string
	Body                             string
	// Headers are extra "Name: value" lines.
	Headers     []string
	Attachments []File
}

// File is an attachment.
type File struct {
	Name, Type string
	Data       []byte
	Inline     bool
}

// Bytes renders the message with CRLF line ends, as it travels.
func (m Mail) Bytes() []byte {
	var b bytes.Buffer
	h := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	h("From", m.From)
	h("To", m.To)
	h("Cc", m.Cc)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", "Fri, 27 Nov 2026 14:00:00 +0000")
	if m.MessageID != "" {
		h("Message-ID", "<"+m.MessageID+">")
	}
	if m.InReplyTo != "" {
		h("In-Reply-To", "<"+m.InReplyTo+">")
	}
	if m.References != "" {
		h("References", "<"+strings.Join(strings.Fields(m.References), "> <")+">")
	}
	for _, l := range m.Headers {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if len(m.Attachments) == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(body + "\r\n")
		return b.Bytes()
	}
	const boundary = "deskbot-test-boundary"
	b.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	b.WriteString("--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
	for _, f := range m.Attachments {
		disp := "attachment"
		if f.Inline {
			disp = "inline"
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: %s; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			boundary, f.Type, f.Name, disp, f.Name)
		enc := base64.StdEncoding.EncodeToString(f.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

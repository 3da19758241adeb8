package mailtest

import (
	"bytes"
	"fmt"
	"strings"
)

// Hostile mail, built rather than stored: the sizes are what the tests and
// benchmarks vary.

func hostileHeader(b *bytes.Buffer, id string) {
	fmt.Fprintf(b, "From: Mallory <mallory@acme.com>\r\nTo: support@vendor.com\r\nSubject: %s\r\n", id)
	fmt.Fprintf(b, "Message-ID: <%s@acme.com>\r\nDate: Thu, 03 Dec 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n", id)
}

// NestedMail is a mail of multiparts nested depth deep, a line of text at
// the bottom.
func NestedMail(depth int) []byte {
	var b bytes.Buffer
	hostileHeader(&b, fmt.Sprintf("nested-%d", depth))
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// ManyParts is a mail with a text body and files-1 attachments of a few
// bytes each, named file-0001.txt and on.
func ManyParts(files int) []byte {
	var b bytes.Buffer
	hostileHeader(&b, fmt.Sprintf("parts-%d", files))
	b.WriteString("Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n")
	b.WriteString("--sep\r\nContent-Type: text/plain\r\n\r\nPlease see the attached files.\r\n")
	for i := 1; i < files; i++ {
		fmt.Fprintf(&b, "--sep\r\nContent-Type: text/plain; name=\"file-%04d.txt\"\r\nContent-Disposition: attachment; filename=\"file-%04d.txt\"\r\n\r\ncontent of file %d\r\n", i, i, i)
	}
	b.WriteString("--sep--\r\n")
	return b.Bytes()
}

// ManyHeaders is a small mail with n extra header lines.
func ManyHeaders(n int) []byte {
	var b bytes.Buffer
	hostileHeader(&b, fmt.Sprintf("headers-%d", n))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "X-Filler-%d: %s\r\n", i, strings.Repeat("x", 20))
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
	return b.Bytes()
}

// BigMail is a mail of about size bytes: a text body and one base64
// attachment making up the rest.
func BigMail(id string, size int) []byte {
	var b bytes.Buffer
	hostileHeader(&b, id)
	b.WriteString("Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n")
	b.WriteString("--sep\r\nContent-Type: text/plain\r\n\r\nThe log is attached.\r\n")
	b.WriteString("--sep\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.log\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJD", 19) + "\r\n" // 76 characters, as encoders wrap
	for b.Len() < size-len(line)-16 {
		b.WriteString(line)
	}
	b.WriteString("--sep--\r\n")
	return b.Bytes()
}

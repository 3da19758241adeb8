package mail

import (
	"strings"
	"testing"
)

// Every string of a parsed mail has passed textclean: no NUL or other
// control character, and a bidirectional override in a subject or a
// file name is shown, not obeyed.
func TestParseCleansEveryString(t *testing.T) {
	raw := strings.Join([]string{
		"From: =?utf-8?q?Eve=E2=80=AE_Smith?= <eve@acme.com>",
		"To: support@vendor.com",
		"Subject: =?utf-8?q?Invoice=00_due=E2=80=AE?=",
		"Message-ID: <nul@acme.com>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="sep"`,
		"",
		"--sep",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"Please pay\x00 now\x1b[2J.",
		"--sep",
		"Content-Type: application/octet-stream",
		"Content-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe",
		"",
		"MZ",
		"--sep--",
		"",
	}, "\r\n")
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Invoice due[U+202E]" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.From.Name != "Eve Smith" {
		t.Errorf("from name %q", m.From.Name)
	}
	if m.Text != "Please pay now[2J." {
		t.Errorf("text %q", m.Text)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "invoice[U+202E]fdp.exe" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	if string(m.Attachments[0].Data) != "MZ" {
		t.Errorf("the file's bytes changed: %q", m.Attachments[0].Data)
	}
}

package mail

import (
	"strings"
	"testing"
)

func TestDecodeWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"=?utf-8?q?caf=C3=A9?=", "café"},
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
		{"=?utf-8?B?eHB0bw?=", "xpto"},              // missing padding
		{"=?NONE?B?VEVTVA=?=", "TEST"},              // unknown charset, bad padding
		{"=?utf-8?B?44G+?= =?utf-8?B?44G/?=", "まみ"}, // space between words dropped
		{"=?utf-8?B?4pyU?= (x)", "✔ (x)"},           // space before text kept
		{"nyan cat =?UTF-8?Q?=E2=9C=94=2Egif?=", "nyan cat ✔.gif"},
		{"=?utf-8?B?4g==?= =?utf-8?B?nJQ=?=", "✔"}, // character split across words
		{"=?iso-2022-jp?B?GyRCJDkkXyReJDskcyEjGyhC?=", "すみません。"},
		{"=?utf-8?Q?a_b?==?utf-8?Q?c?=", "a bc"},
		{"=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
		{"=?utf-8?B?!!!?=", "=?utf-8?B?!!!?="},
	}
	for _, tt := range tests {
		if got := decodeWords(tt.in); got != tt.want {
			t.Errorf("decodeWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct{ in, hint, want string }{
		{"Säying", "", "Säying"},
		{"Verm\xf6gen", "", "Vermögen"}, // raw latin-1, no hint
		{"\xc0\xf2\xe8\xea\xee\xe2", "windows-1251", "Атиков"},
		{"\xa4j\xae", "big5", "大\ufffd"},
		{"Gr\xc3\xbc\xc3\x9fe \xff", "", "Grüße \ufffd"}, // UTF-8 with one broken byte
		{"\xc2\x80", "windows-1250", "Â€"},               // C1 control: legacy bytes
	}
	for _, tt := range tests {
		if got := toUTF8([]byte(tt.in), tt.hint); got != tt.want {
			t.Errorf("toUTF8(%q, %q) = %q, want %q", tt.in, tt.hint, got, tt.want)
		}
	}
}

func TestAttachmentNames(t *testing.T) {
	raw := "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n" +
		"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"R\xe9sum\xe9.pdf\"\r\n\r\nx\r\n" +
		"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=iso-8859-1''R%E9;\r\n filename*1*=sum%E9.pdf\r\n\r\nx\r\n" +
		"--B\r\nContent-Type: image/png\r\nContent-ID: <img1@x>\r\n\r\nx\r\n" +
		"--B--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(filenames(m), "|")
	if got != "Résumé.pdf|Résumé.pdf|" {
		t.Errorf("filenames = %q", got)
	}
	if len(m.Attachments) == 3 && (!m.Attachments[2].Inline || m.Attachments[2].ContentID != "img1@x") {
		t.Errorf("inline image = %+v", m.Attachments[2])
	}
	if m.Text != "body" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestShortUTF8DeclaredASCII(t *testing.T) {
	m, err := Parse([]byte("From: a@b.c\r\nSubject: x\r\n\r\nGrüße, Jörg\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Grüße, Jörg" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParserForGuessesOnlyUnderUSASCII(t *testing.T) {
	for raw, guess := range map[string]bool{
		"Content-Type: text/plain; charset=us-ascii\r\n\r\nhi":     true,
		"Content-Type: text/plain; charset=\"US-ASCII\"\r\n\r\nhi": true,
		"Content-Type: text/plain; charset=utf-8\r\n\r\nhi":        false,
		"Subject: us-asci\r\n\r\nhi":                               false,
		"":                                                         false,
	} {
		if got := parserFor([]byte(raw)) == guessingParser; got != guess {
			t.Errorf("%q: guessing parser %v, want %v", raw, got, guess)
		}
	}
}

package mail

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// corpusDir is relative to the package: the corpus lives in the repository
// (testdata/email, licences in its SOURCES.md), so a fresh clone's tests pass.
const corpusDir = "../testdata/email"

// expectation is what a person reading the .eml sees. Optional fields are
// pointers or empty; "forwarded_from" empty means Forwarded must be nil.
type expectation struct {
	File             string   `json:"file"`
	Subject          string   `json:"subject"`
	From             string   `json:"from"`
	FromName         *string  `json:"from_name"`
	Attachments      int      `json:"attachments"`
	Auto             string   `json:"auto"`
	Filenames        []string `json:"filenames"`
	Text             string   `json:"text"`
	Reply            *string  `json:"reply"`
	ReplyPrefix      string   `json:"reply_prefix"`
	ReplyNot         string   `json:"reply_not"`
	ForwardedFrom    string   `json:"forwarded_from"`
	ForwardedName    string   `json:"forwarded_name"`
	ForwardedSubject string   `json:"forwarded_subject"`
	ForwardedText    string   `json:"forwarded_text"`
	MessageID        *string  `json:"message_id"`
	InReplyTo        *int     `json:"in_reply_to"`
	References       *int     `json:"references"`
	To               *int     `json:"to"`
	Date             string   `json:"date"`
	Warnings         bool     `json:"warnings"`
}

func corpusFiles(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".eml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 70 {
		tb.Fatalf("found %d .eml files under %s (err %v): the corpus path is wrong", len(files), corpusDir, err)
	}
	return files
}

func loadExpectations(t *testing.T) map[string]expectation {
	t.Helper()
	raw, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var list []expectation
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]expectation{}
	for _, e := range list {
		if _, dup := out[e.File]; dup {
			t.Errorf("duplicate expectation for %s", e.File)
		}
		out[e.File] = e
	}
	return out
}

func TestCorpus(t *testing.T) {
	want := loadExpectations(t)
	seen := map[string]bool{}
	for _, path := range corpusFiles(t) {
		rel := filepath.ToSlash(strings.TrimPrefix(path, corpusDir+string(filepath.Separator)))
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkUTF8(t, m)
			e, ok := want[rel]
			if !ok {
				t.Fatalf("no expectation in testdata/corpus.json")
			}
			checkExpectation(t, m, e)
		})
	}
	for file := range want {
		if !seen[file] {
			t.Errorf("expectation for %s but no such corpus file", file)
		}
	}
}

func checkExpectation(t *testing.T, m *Message, e expectation) {
	t.Helper()
	eq := func(field string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	eq("Subject", m.Subject, e.Subject)
	eq("From.Email", m.From.Email, e.From)
	eq("Auto", m.Auto.String(), e.Auto)
	if len(m.Attachments) != e.Attachments {
		t.Errorf("%d attachments %v, want %d", len(m.Attachments), filenames(m), e.Attachments)
	}
	if e.Filenames != nil && strings.Join(filenames(m), "|") != strings.Join(e.Filenames, "|") {
		t.Errorf("filenames = %q, want %q", filenames(m), e.Filenames)
	}
	if e.FromName != nil {
		eq("From.Name", m.From.Name, *e.FromName)
	}
	if !strings.Contains(m.Text, e.Text) {
		t.Errorf("Text does not contain %q:\n%s", e.Text, m.Text)
	}
	if e.Reply != nil {
		eq("Reply", m.Reply, *e.Reply)
	}
	if !strings.HasPrefix(m.Reply, e.ReplyPrefix) {
		t.Errorf("Reply does not start with %q:\n%s", e.ReplyPrefix, m.Reply)
	}
	if e.ReplyNot != "" && strings.Contains(m.Reply, e.ReplyNot) {
		t.Errorf("Reply still contains quoted %q", e.ReplyNot)
	}
	checkForward(t, m.Forwarded, e)
	if e.MessageID != nil {
		eq("MessageID", m.MessageID, *e.MessageID)
	}
	counts := []struct {
		name string
		got  int
		want *int
	}{{"InReplyTo", len(m.InReplyTo), e.InReplyTo}, {"References", len(m.References), e.References}, {"To", len(m.To), e.To}}
	for _, c := range counts {
		if c.want != nil && c.got != *c.want {
			t.Errorf("%d %s, want %d", c.got, c.name, *c.want)
		}
	}
	switch {
	case e.Date == "zero" && !m.Date.IsZero():
		t.Errorf("Date = %v, want zero", m.Date)
	case e.Date != "" && e.Date != "zero" && m.Date.Format(time.RFC3339) != e.Date:
		t.Errorf("Date = %v, want %s", m.Date.Format(time.RFC3339), e.Date)
	}
	if e.Warnings && len(m.Warnings) == 0 {
		t.Errorf("expected parse warnings for malformed input")
	}
}

func checkForward(t *testing.T, f *Forward, e expectation) {
	t.Helper()
	if e.ForwardedFrom == "" {
		if f != nil {
			t.Errorf("Forwarded = %+v, want nil", *f)
		}
		return
	}
	if f == nil {
		t.Fatalf("Forwarded = nil, want original from %s", e.ForwardedFrom)
	}
	if f.From.Email != e.ForwardedFrom || (e.ForwardedName != "" && f.From.Name != e.ForwardedName) {
		t.Errorf("Forwarded.From = %+v, want %s %s", f.From, e.ForwardedName, e.ForwardedFrom)
	}
	if e.ForwardedSubject != "" && f.Subject != e.ForwardedSubject {
		t.Errorf("Forwarded.Subject = %q, want %q", f.Subject, e.ForwardedSubject)
	}
	if !strings.Contains(f.Text, e.ForwardedText) {
		t.Errorf("Forwarded.Text = %q, want it to contain %q", f.Text, e.ForwardedText)
	}
}

func filenames(m *Message) []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Filename)
	}
	return out
}

// checkUTF8 asserts that every string Parse returns is valid UTF-8.
func checkUTF8(tb testing.TB, m *Message) {
	tb.Helper()
	strs := []string{m.MessageID, m.Subject, m.Text, m.Reply}
	strs = append(strs, m.InReplyTo...)
	strs = append(strs, m.References...)
	strs = append(strs, m.Warnings...)
	addrs := append(append(append([]Address{m.From}, m.ReplyTo...), m.To...), m.Cc...)
	if m.Forwarded != nil {
		addrs = append(addrs, m.Forwarded.From)
		strs = append(strs, m.Forwarded.Subject, m.Forwarded.Text)
	}
	for _, a := range addrs {
		strs = append(strs, a.Name, a.Email)
	}
	for _, a := range m.Attachments {
		strs = append(strs, a.Filename, a.ContentType, a.ContentID)
	}
	for k, vs := range m.Headers {
		strs = append(strs, k)
		strs = append(strs, vs...)
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			tb.Errorf("invalid UTF-8: %q", s)
		}
	}
}

func TestParseRejectsNonMail(t *testing.T) {
	for _, in := range []string{"", "   \r\n\r\n", "\xef\xbb\xbf", "just some words\nand more words\n"} {
		if m, err := Parse([]byte(in)); !errors.Is(err, ErrNotMail) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNotMail", in, m, err)
		}
	}
}

func TestParseHeaders(t *testing.T) {
	raw := "From: =?utf-8?B?eHB0bw?= <Agent@Example.COM>\r\n" +
		"To: , a@x.org,, \"B, C\" <b@X.org>\r\n" +
		"Subject: =?UTF-8?Q?Caf=C3=A9?=\r\n   =?UTF-8?Q?_cr=C3=A8me?=\t [ACME-7]\r\n" +
		"Message-ID: <abc@host>\r\n" +
		"In-Reply-To: <not valid@x> <ok@x>\r\n" +
		"References: <r1@x>\r\nReferences: <r2@x> <r1@x>\r\n" +
		"Date: Mon, 30 Jun 3609 15:33:50 +0600\r\n" +
		"Auto-Submitted: no\r\n" +
		"X-Deskbot-Origin: 1\r\nX-Deskbot-Ticket: ACME-7\r\n\r\nHi\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != (Address{Name: "xpto", Email: "Agent@example.com"}) {
		t.Errorf("From = %+v", m.From)
	}
	if len(m.To) != 2 || m.To[1] != (Address{Name: "B, C", Email: "b@x.org"}) {
		t.Errorf("To = %+v", m.To)
	}
	if m.Subject != "Café crème [ACME-7]" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if strings.Join(m.InReplyTo, " ") != "ok@x" || strings.Join(m.References, " ") != "r1@x r2@x" {
		t.Errorf("InReplyTo = %q, References = %q", m.InReplyTo, m.References)
	}
	if !m.Date.IsZero() || m.Auto != None || !m.SentByDeskbot || m.Headers["X-Deskbot-Ticket"][0] != "ACME-7" {
		t.Errorf("Date %v, Auto %v, SentByDeskbot %v, Headers %v", m.Date, m.Auto, m.SentByDeskbot, m.Headers)
	}
	if m.Key([]byte(raw)) != "abc@host" {
		t.Errorf("Key = %q", m.Key([]byte(raw)))
	}
}

func TestKeyWithoutMessageID(t *testing.T) {
	raw := []byte("From: a@b.c\r\nSubject: x\r\n\r\nbody\r\n")
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	k := m.Key(raw)
	if !strings.HasPrefix(k, "sha256:") || len(k) != len("sha256:")+64 || k != m.Key(raw) {
		t.Errorf("Key = %q", k)
	}
	if k == m.Key(append(raw, 'x')) {
		t.Error("different mails share a key")
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct{ name, raw, text, warning string }{
		{"content-type without semicolon", "From: a@b.c\r\nContent-Type: text/plain charset=utf-8\r\n\r\nhello\r\n", "hello", "unparseable Content-Type"},
		{"content-type garbage", "From: a@b.c\r\nContent-Type: =\r\n\r\nhello\r\n", "hello", "unparseable Content-Type"},
		{"unreadable mime structure", "From: a@b.c\r\nContent-Type: text/plain\"x\r\n\r\nhello\r\n", "hello", "mime structure unreadable"},
		{"boundary never used", "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=zzz\r\n\r\nhello\r\n", "hello", "without parts"},
		{"mbox line and leading space", "From x@y Mon Jan  1 00:00:00 2024\r\n Subject: hi\r\n\r\nhello\r\n", "hello", ""},
		{"header only", "Subject: hi", "", ""},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.raw))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		checkUTF8(t, m)
		if m.Text != tt.text {
			t.Errorf("%s: Text = %q, want %q", tt.name, m.Text, tt.text)
		}
		if tt.warning != "" && !strings.Contains(strings.Join(m.Warnings, "\n"), tt.warning) {
			t.Errorf("%s: Warnings = %q, want one about %q", tt.name, m.Warnings, tt.warning)
		}
	}
}

// TestParseHostileSizes guards against quadratic behaviour: each input is
// ~100 KB, parses in milliseconds, and would take minutes if any per-line
// scan looked at the rest of the text.
func TestParseHostileSizes(t *testing.T) {
	const n = 25000
	inputs := map[string]string{
		"attributions":  strings.Repeat("On "+strings.Repeat("x", 60)+" wrote\n", n/16),
		"quote lines":   strings.Repeat(">q\n", n) + "end",
		"markers":       strings.Repeat("---------- Forwarded message ----------\nTo: x\n", n/12),
		"outlook lines": strings.Repeat("From: x\nSent: y\n", n/4),
		"one long line": strings.Repeat("> a", n*4),
	}
	for name, body := range inputs {
		start := time.Now()
		if _, err := Parse([]byte("From: a@b.c\r\nSubject: Fwd: " + strings.Repeat("Re: ", n) + "\r\n\r\n" + body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: Parse took %v", name, d)
		}
	}
}

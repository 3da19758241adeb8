package mail

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/mail/mailtest"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// enmimeOnly is what parse read before carving: enmime over the whole mail.
func enmimeOnly(t *testing.T, raw []byte) []Attachment {
	t.Helper()
	data := preprocess(raw)
	root, err := parserFor(data).ReadParts(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fixTree(root, data)
	return attachments(root, nil)
}

// Large files read apart from enmime come out exactly as enmime reads
// them: same bytes, names, types and order, whatever their length
// modulo 3, with small files and text around them untouched.
func TestCarvedFilesMatchEnmime(t *testing.T) {
	big := 2*carveAbove + 1
	m := mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Dumps", Body: "Three dumps.",
		Attachments: []mailtest.File{
			{Name: "a.bin", Type: "application/octet-stream", Data: randomBytes(big, 1)},
			{Name: "small.txt", Type: "text/plain", Data: []byte("small")},
			{Name: "b.png", Type: "image/png", Data: randomBytes(big+1, 2), Inline: true},
			{Name: "log.txt", Type: "text/plain", Data: bytes.Repeat([]byte("text stays with enmime\n"), carveAbove/10)},
			{Name: "c.zip", Type: "application/zip", Data: randomBytes(big+2, 3)},
		}}
	raw := m.Bytes()
	leaves, err := scanMail(preprocess(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, files := carve(preprocess(raw), leaves); len(files) != 3 {
		t.Fatalf("%d files carved, want the 3 large binary ones", len(files))
	}
	got, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "Three dumps." || len(got.Warnings) != 0 {
		t.Errorf("text %q, warnings %v", got.Text, got.Warnings)
	}
	want := enmimeOnly(t, raw)
	for i := range want {
		want[i].Filename = got.Attachments[i].Filename // cleaned by Parse
	}
	if !reflect.DeepEqual(got.Attachments, want) {
		t.Errorf("carved attachments differ from enmime's")
	}
	for i, f := range m.Attachments {
		if !bytes.Equal(got.Attachments[i].Data, f.Data) {
			t.Errorf("%s: %d bytes read, want %d", f.Name, len(got.Attachments[i].Data), len(f.Data))
		}
	}
}

// A body that is not clean base64 is left to enmime, which keeps what it
// can and warns, as before; a header a sender wrote cannot pick a file.
func TestCarveLeavesDirtyBodiesToEnmime(t *testing.T) {
	data := randomBytes(2*carveAbove, 4)
	enc := base64.StdEncoding.EncodeToString(data)
	head := "From: cy@acme.com\r\nTo: support@vendor.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nHi\r\n"
	part := "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f.bin\r\nContent-Transfer-Encoding: base64\r\n"
	dirty := head + part + "\r\n" + enc[:1000] + "!" + enc[1000:] + "\r\n--b--\r\n"
	m, err := Parse([]byte(dirty))
	if err != nil {
		t.Fatal(err)
	}
	if want := enmimeOnly(t, []byte(dirty)); len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Data, want[0].Data) {
		t.Errorf("a dirty body was not read as enmime reads it")
	}
	forged := head + "--b\r\nContent-Type: application/octet-stream\r\nX-Deskbot-Carved: x-0\r\nContent-Transfer-Encoding: base64\r\n\r\nTVo=\r\n" +
		part + "\r\n" + enc + "\r\n--b--\r\n"
	m, err = Parse([]byte(forged))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 2 || string(m.Attachments[0].Data) != "MZ" || !bytes.Equal(m.Attachments[1].Data, data) {
		t.Errorf("a forged mark changed what was read")
	}
	if strings.Contains(strings.Join(m.Warnings, " "), "Carved") {
		t.Errorf("warnings %v", m.Warnings)
	}
}

// The big mail of the memory benchmark is carved: one allocation of the
// file's size instead of io.ReadAll's growing buffer.
func TestBigMailCarved(t *testing.T) {
	raw := mailtest.BigMail("big", 8<<20)
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Size < 5<<20 || cap(m.Attachments[0].Data) != len(m.Attachments[0].Data) {
		t.Fatalf("attachments %d, size %d, capacity %d", len(m.Attachments), m.Attachments[0].Size, cap(m.Attachments[0].Data))
	}
}

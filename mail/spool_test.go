package mail

import (
	"bytes"
	"os"
	"testing"

	"github.com/deskbot/deskbot/mail/mailtest"
)

func TestSpoolMovesLargeAttachmentsToOneFile(t *testing.T) {
	big1, big2 := bytes.Repeat([]byte("a"), SpoolAbove), bytes.Repeat([]byte("b"), 2*SpoolAbove+1)
	small := []byte("small")
	m, err := Parse(mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Files", Body: "Attached.",
		Attachments: []mailtest.File{{Name: "1.bin", Type: "application/octet-stream", Data: big1},
			{Name: "s.txt", Type: "text/plain", Data: small}, {Name: "2.bin", Type: "application/octet-stream", Data: big2}}}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Spool(dir); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the spool file has a name: %v (it is unlinked at once)", left)
	}
	for i, want := range [][]byte{big1, small, big2} {
		a := m.Attachments[i]
		if spooled := len(want) >= SpoolAbove; (a.Data == nil) != spooled {
			t.Errorf("%s: in memory %v, want spooled %v", a.Filename, a.Data != nil, spooled)
		}
		if got, err := a.Content(); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: content of %d bytes (%v), want %d", a.Filename, len(got), err, len(want))
		}
	}
	if m.Attachments[0].spool != m.Attachments[2].spool {
		t.Errorf("two files for one mail")
	}
}

package email

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestReceiveSpoolsLargeMail(t *testing.T) {
	dir := t.TempDir()
	small, err := receive(strings.NewReader("short mail"), 1024, dir)
	if err != nil || small.file != nil {
		t.Fatalf("a small mail went to a file: %v", err)
	}
	if b, _ := small.Bytes(); string(b) != "short mail" {
		t.Errorf("small mail read back as %q", b)
	}
	big := bytes.Repeat([]byte("0123456789"), 1000)
	sp, err := receive(bytes.NewReader(big), 1024, dir)
	if err != nil {
		t.Fatal(err)
	}
	if sp.file == nil {
		t.Fatal("a mail over the threshold stayed in memory")
	}
	if len(sp.mem) != 0 {
		t.Errorf("%d bytes kept in memory besides the file", len(sp.mem))
	}
	got, err := sp.Bytes()
	if err != nil || !bytes.Equal(got, big) || cap(got) != len(big) {
		t.Errorf("read back %d bytes (cap %d), want the %d sent in one allocation: %v", len(got), cap(got), len(big), err)
	}
	sp.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("spool files left behind: %v", left)
	}
}

func TestMemoryLimitFollowsTheSettings(t *testing.T) {
	if got, want := MemoryLimit(0, 0), int64(idleBudget+4*2*25<<20); got != want {
		t.Errorf("defaults: %d, want %d", got, want)
	}
	if MemoryLimit(4, 10<<20) <= MemoryLimit(2, 10<<20) || MemoryLimit(2, 20<<20) <= MemoryLimit(2, 10<<20) {
		t.Error("the limit does not grow with the mails allowed at once")
	}
}

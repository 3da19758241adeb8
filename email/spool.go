package email

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// spool is one received mail: in memory when small, else in a temporary
// file that Close removes.
type spool struct {
	mem  []byte
	file *os.File
	size int64
}

// receive reads r to its end, keeping the first above bytes in memory and
// writing the whole mail to a temporary file in dir once it grows past
// them.
func receive(r io.Reader, above int64, dir string) (*spool, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, above+1)
	if err == io.EOF {
		return &spool{mem: buf.Bytes(), size: n}, nil
	} else if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "deskbot-mail-*.eml")
	if err != nil {
		return nil, fmt.Errorf("smtp: unable to spool mail: %w", err)
	}
	sp := &spool{file: f}
	mem := buf.Bytes()
	buf = bytes.Buffer{}
	// Unlinked at once where the system allows: nothing is left behind
	// by a crash.
	_ = os.Remove(f.Name())
	if _, err := f.Write(mem); err != nil {
		sp.Close()
		return nil, fmt.Errorf("smtp: unable to spool mail: %w", err)
	}
	rest, err := io.Copy(f, r)
	if err != nil {
		sp.Close()
		return nil, err
	}
	sp.size = n + rest
	return sp, nil
}

// Bytes is the mail, read back from its file in one allocation of its
// exact size.
func (s *spool) Bytes() ([]byte, error) {
	if s.file == nil {
		return s.mem, nil
	}
	out := make([]byte, s.size)
	if _, err := s.file.ReadAt(out, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("smtp: unable to read spooled mail: %w", err)
	}
	return out, nil
}

func (s *spool) Close() {
	if s.file != nil {
		_ = s.file.Close()
		_ = os.Remove(s.file.Name())
	}
}

// MemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) that
// holds a process receiving mail to its stated bound: the idle process
// plus four times the largest mails that may be parsed at once. Parsing
// and storing a mail needs a few copies of it (the raw bytes, the decoded
// parts, the database driver's encoding); under deskbot's GOGC of 400 the
// garbage of the previous mail would otherwise be left to grow the heap
// to five times what is live before it is collected.
func MemoryLimit(parallel int, maxMessage int64) int64 {
	if parallel <= 0 {
		parallel = defaultParallelMails
	}
	if maxMessage <= 0 {
		maxMessage = defaultMaxMessageBytes
	}
	return idleBudget + 4*int64(parallel)*maxMessage
}

// idleBudget is what deskbot takes without mail: about 20 MiB resident
// idle (bench/mailrss), with room for a burst of Slack work.
const idleBudget = 64 << 20

const (
	defaultParallelMails   = 2
	defaultMaxMessageBytes = 25 << 20
)

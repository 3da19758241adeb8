package mail

import (
	"fmt"
	"os"
)

// SpoolAbove is the size from which Spool moves an attachment's content
// out of memory.
const SpoolAbove = 64 << 10

// spoolFile holds the contents a message's Spool moved out of memory.
type spoolFile struct {
	f    *os.File
	size int64
}

// Spool moves the content of every attachment of SpoolAbove bytes or more
// out of memory into one temporary file in dir (the system's when empty),
// unlinked at once where the system allows: a mail waiting for its
// transaction holds no attachment in memory, and one open file however
// many attachments it has. Content reads each back when it is stored, so
// a mail's attachments are in memory one at a time. Close releases the
// file. Parse itself does no I/O; Spool is the step after it that does.
func (m *Message) Spool(dir string) error {
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if len(a.Data) < SpoolAbove {
			continue
		}
		if m.spool == nil {
			f, err := os.CreateTemp(dir, "deskbot-attachments-*")
			if err != nil {
				return fmt.Errorf("mail: unable to spool attachments: %w", err)
			}
			_ = os.Remove(f.Name())
			m.spool = &spoolFile{f: f}
		}
		if _, err := m.spool.f.Write(a.Data); err != nil {
			return fmt.Errorf("mail: unable to spool attachments: %w", err)
		}
		a.spool, a.offset, a.Data = m.spool, m.spool.size, nil
		m.spool.size += int64(a.Size)
	}
	return nil
}

// Close releases the file Spool wrote, if any.
func (m *Message) Close() {
	if m.spool != nil {
		_ = m.spool.f.Close()
		_ = os.Remove(m.spool.f.Name())
	}
}

// Content is the attachment's bytes: Data, or read back from the file
// Spool moved them to, in one allocation of their size.
func (a Attachment) Content() ([]byte, error) {
	if a.spool == nil {
		return a.Data, nil
	}
	b := make([]byte, a.Size)
	if _, err := a.spool.f.ReadAt(b, a.offset); err != nil {
		return nil, fmt.Errorf("mail: unable to read a spooled attachment: %w", err)
	}
	return b, nil
}

package mail

import (
	"errors"
	"os"
	"testing"
	"time"
)

// FuzzParse: Parse must never panic, must fail only with ErrNotMail, and
// must return valid UTF-8 everywhere. Seeded with every corpus file;
// crashers found earlier live in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, path := range corpusFiles(f) {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// A hang is a bug too: crashing the worker makes the fuzzer keep
		// the input, like a panic would.
		watchdog := time.AfterFunc(10*time.Second, func() { panic("Parse did not return within 10s") })
		defer watchdog.Stop()
		m, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrNotMail) || m != nil {
				t.Fatalf("Parse = %v, %v", m, err)
			}
			return
		}
		checkUTF8(t, m)
		if m.Reply == "" && m.Text != "" {
			t.Errorf("Reply empty for non-empty Text %q", m.Text)
		}
		_, _ = TicketKeyInSubject(m.Subject)
		_ = CleanSubject(m.Subject)
		_, _ = PlusTag(m.From.Email)
	})
}

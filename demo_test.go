package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The demo is the README's first command: it must play the whole morning.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, envOf(nil), &out, &errOut); code != 0 {
		t.Fatalf("demo exited %d: %s\n%s", code, errOut.String(), out.String())
	}
	for _, want := range []string{
		"deskbot posts in #acme-support (in the thread):", "ACME-1 Hi team!",
		"Created ACME-2", "Timer started on ACME-2", "Logged 1h30 on ACME-2", "Time logged: 1h30",
		"ACME-2 is now In progress.", "ACME-1 is now Closed.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

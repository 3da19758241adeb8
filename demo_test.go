package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/demo.golden from the demo's output")

// The demo is the README's first command. It runs on a demo clock, so its
// output is the same on every run: the golden file is what a buyer reads.
// After a deliberate change, `go test -run TestDemo -update .` rewrites
// it; read the diff before committing it.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, envOf(nil), &out, &errOut); code != 0 {
		t.Fatalf("demo exited %d: %s\n%s", code, errOut.String(), out.String())
	}
	got := out.String()
	// What the demo claims, checked apart from the golden file, so an
	// -update cannot bless a demo that contradicts itself.
	for _, want := range []string{
		"── 09:38 — Ana reproduced it: she stops the timer, 26 minutes later", "Timer stopped on ACME-2: 26m logged.",
		"[Move to… ▾ → In progress]", "ACME-2 is now In progress.",
		`reads "<!channel>" as plain text and the card pings nobody`,
		":link: Blocks ACME-1", ":no_entry: Blocked by ACME-2",
		"posts in a DM to Ana:\n    │ :warning: ACME-2", "Ana clicks [Agent actions] on ACME-2",
		"── 08:50 — A fresh install", "Created TRIAGE-1 VPN drops every hour",
		`Mail to dana@acme.example, from support@vendor.example: "Re: [ACME-3] Cannot download March invoices"`,
		"✉ Hi Dana, fixed",
		"Ana's App Home:", "│ New          ████", "ACME CORP — MARCH 2026", "acme-time-March-2026.csv",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	for _, bad := range []string{"Move to… in_progress", "is now in_progress", "(Slack refused", "0m logged", "(click failed", "(event failed", "(command failed",
		"posts in #acme-support (in the thread):\n    │ :warning:"} {
		if strings.Contains(got, bad) {
			t.Errorf("demo output has %q", bad)
		}
	}
	golden := filepath.Join("testdata", "demo.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestDemo -update . to create it)", err)
	}
	if got != string(want) {
		t.Errorf("demo output differs from %s (go test -run TestDemo -update . rewrites it):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines that differ, enough to see what moved.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

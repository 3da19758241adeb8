package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestChaosShort is the harness's short mode, in CI: three replicas on a
// PostgreSQL cluster of its own, a mixed load, a SIGKILL, a SIGTERM, a
// PostgreSQL crash, a Slack 500 outage and a socket reset; nothing
// acknowledged may be lost and nothing doubled.
func TestChaosShort(t *testing.T) {
	if _, err := findPGBin(); errors.Is(err, errNoPostgres) {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	res, err := run(ctx, shortConfig(), &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.ledger.all.acked == 0 {
		t.Fatal("nothing was acknowledged")
	}
	if !res.ok() {
		t.Errorf("lost %d, doubled %d", res.ledger.all.lost, res.ledger.all.doubled)
	}
	if len(res.faults) < len(shortConfig().faults) {
		t.Errorf("%d faults injected, want each of %v", len(res.faults), shortConfig().faults)
	}
}

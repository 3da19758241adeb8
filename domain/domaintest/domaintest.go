// Package domaintest helps tests of code over the domain: configs that
// are the built-in defaults with the few edits a test is about (each test
// states only what it changes), and fakes of the store by area (fakes.go).
package domaintest

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

// ConfigWith is the built-in config with edits, each a pair of old and new
// text in domain/defaults.yaml.
func ConfigWith(tb testing.TB, edits ...string) *domain.Config {
	tb.Helper()
	text := string(domain.DefaultConfigYAML())
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(text, edits[i]) {
			tb.Fatalf("defaults.yaml has no %q to replace", edits[i])
		}
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	// The edited defaults are the whole config: an edit may take something out.
	cfg, err := domain.ParseConfig("test.yaml", []byte("defaults: none\n"+text))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

package bot

import (
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
)

// manifestScopes: see manifest_test.go; the internal tests grant the same.
func manifestScopes(tb testing.TB) []string {
	tb.Helper()
	scopes, err := slackemu.ReadManifestScopes("../manifest.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return scopes
}

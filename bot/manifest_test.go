package bot_test

import (
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
)

// manifestScopes are the bot scopes of the repository's manifest.yaml: the
// end-to-end tests run with exactly these, so a Web API call the manifest
// does not cover fails with missing_scope here rather than in a workspace.
func manifestScopes(tb testing.TB) []string {
	tb.Helper()
	scopes, err := slackemu.ReadManifestScopes("../manifest.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return scopes
}

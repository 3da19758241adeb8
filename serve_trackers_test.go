package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tracker whose token or webhook secret is missing stops serve at
// start-up, naming the variable and the config key, before the database.
func TestServeNamesMissingTrackerVariables(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "deskbot.yaml")
	if err := os.WriteFile(cfg, []byte("trackers:\n  app: {kind: github, repository: acme/app, token_env: GITHUB_TOKEN, webhook_secret_env: GITHUB_HOOK}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve"}, envOf(map[string]string{
		"DESKBOT_CONFIG": cfg, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"DATABASE_URL": "sqlite:" + filepath.Join(dir, "deskbot.db"), "GITHUB_HOOK": "s3cret",
	}), &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "GITHUB_TOKEN: is empty, and trackers.app.token_env names it") ||
		strings.Contains(errOut.String(), "GITHUB_HOOK:") {
		t.Fatalf("code %d, stderr:\n%s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "deskbot.db")); err == nil {
		t.Error("database created before the trackers' variables were checked")
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
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

// The trackers' webhooks are served on the public listener, beside the
// ticket page and the REST API.
func TestHooksOnThePublicListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := storagetest.Open(t, storage.SQLite)
	log := slog.New(slog.DiscardHandler)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: log})
	stop, err := startPortal(PortalEnv{URL: "http://" + addr, Addr: addr}, svc, envOf(nil), nil, log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Post("http://"+addr+"/hooks/github", "application/json", strings.NewReader(`{"repository":{"full_name":"a/b"}}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "no github tracker is configured for this repository") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deskbot/deskbot/storage"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHealthReadinessMetrics(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "d.db"), storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "deskbot_test_total", Help: "test"}))
	srv, err := startHTTP("127.0.0.1:0", []readiness{db.Ready}, reg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(ctx)
	base := "http://" + srv.Addr
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	// Not migrated yet: not ready, and it says why.
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "migrations pending") {
		t.Errorf("readyz before migrate: %d %q", code, body)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("readyz after migrate: %d", code)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "deskbot_test_total") {
		t.Errorf("metrics: %d %q", code, body)
	}
}

// /readyz is ready only when every check passes, and says which failed.
func TestReadyzNamesTheFailingCheck(t *testing.T) {
	slackDown := func(context.Context) error { return errors.New("slack: socket mode not connected: invalid_auth") }
	fine := func(context.Context) error { return nil }
	srv, err := startHTTP("127.0.0.1:0", []readiness{fine, slackDown}, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	if code, body := get(t, "http://"+srv.Addr+"/readyz"); code != 503 || !strings.Contains(body, "socket mode not connected: invalid_auth") {
		t.Errorf("readyz: %d %q", code, body)
	}
}

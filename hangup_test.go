package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// SIGHUP rereads DESKBOT_CONFIG: a good file is put in force, a bad one is
// refused and the config in force stays. The process survives the signal.
func TestSIGHUPReloadsConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deskbot.yaml")
	write := func(yaml []byte) {
		if err := os.WriteFile(path, yaml, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defaults := domain.DefaultConfigYAML()
	write(defaults)
	cfg, err := domain.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	svc := commands.New(nil, cfg, commands.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	warned := make(chan string, 4)
	reloadOnHangup(ctx, svc, slog.New(warnings(warned)))

	hangup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	write(bytes.Replace(defaults, []byte("default_priority: normal"), []byte("default_priority: high"), 1))
	hangup()
	eventually(t, "the edited file in force", func() bool { return svc.Config().DefaultPriority == "high" })

	inForce := svc.Config()
	write([]byte("priorities: [low]\nstatuses:\n  - {name: new, category: nope}\n"))
	hangup()
	select {
	case msg := <-warned: // the refusal: the reload is over
		if msg != "SIGHUP: config not reloaded" {
			t.Errorf("warned %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a bad file was not refused")
	}
	if svc.Config() != inForce {
		t.Error("a bad file replaced the config in force")
	}
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

// warnings is a log handler that hands each warning's message to c.
type warnings chan string

func (w warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w warnings) Handle(_ context.Context, r slog.Record) error {
	w <- r.Message
	return nil
}
func (w warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w warnings) WithGroup(string) slog.Handler      { return w }

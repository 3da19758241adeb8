package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config init writes a starter file that config check accepts and config
// show reads back; an admin's five-line file changes one SLA target.
func TestConfigInitShowCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deskbot.yaml")
	env := envOf(map[string]string{"DESKBOT_CONFIG": path})
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"config", "init"}, env, &out, &errOut); code != 0 || !strings.Contains(out.String(), "Wrote "+path) {
		t.Fatalf("init: %d %s %s", code, out.String(), errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"config", "init"}, env, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "already exists") {
		t.Errorf("init over a file: %d %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"config", "check"}, env, &out, &errOut); code != 0 {
		t.Fatalf("the starter file does not pass check: %s", errOut.String())
	}
	five := "sla_policies:\n  standard:\n    targets:\n      urgent:\n        first_response: 30m\n"
	if err := os.WriteFile(path, []byte(five), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(context.Background(), []string{"config", "show"}, env, &out, &errOut); code != 0 {
		t.Fatalf("show: %s", errOut.String())
	}
	if !strings.Contains(out.String(), "first_response: 30m # from "+path+":5") || !strings.Contains(out.String(), "gold:") {
		t.Errorf("show:\n%s", out.String())
	}
}

// Every YAML example in the repository passes `deskbot config check`.
func TestConfigCheckEveryExample(t *testing.T) {
	var examples []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") && path != "manifest.yaml" {
			examples = append(examples, path)
		}
		return nil
	})
	if err != nil || len(examples) < 2 {
		t.Fatalf("examples %v: %v", examples, err)
	}
	for _, path := range examples {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"config", "check"}, envOf(map[string]string{"DESKBOT_CONFIG": path}), &out, &errOut); code != 0 {
			t.Errorf("%s: %s", path, errOut.String())
		}
	}
}

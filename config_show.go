package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/deskbot/deskbot/domain"
)

// configShow prints the configuration deskbot runs with: DESKBOT_CONFIG
// merged over the built-in defaults, each value from the file marked.
func configShow(path string, stdout io.Writer) error {
	name, data := "", []byte(nil)
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("DESKBOT_CONFIG: %w", err)
		}
		name = path
	}
	out, err := domain.ShowConfig(name, data)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// configInit writes the commented starter file at path, never over an
// existing file.
func configInit(path string, stdout io.Writer) error {
	if path == "" {
		path = "deskbot.yaml"
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; `deskbot config show` prints what it gives", path)
	}
	if err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	if _, err := f.Write(domain.StarterConfig()); err != nil {
		f.Close()
		return fmt.Errorf("config init: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	fmt.Fprintf(stdout, "Wrote %s: it changes nothing until you uncomment a line. Start deskbot with DESKBOT_CONFIG=%s.\n", path, path)
	return nil
}

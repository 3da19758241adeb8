package main

import (
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// configCommands is the table behind `deskbot config`: one entry per
// subcommand, each parsing its own flags.
func configCommands() []subcommand {
	return []subcommand{
		{"check", "[flags]", "validate DESKBOT_CONFIG (or the built-in defaults) and exit", configCheck},
	}
}

func configUsage() string {
	return "Usage: deskbot config SUBCOMMAND\n\nThe config file is the one DESKBOT_CONFIG names; without it deskbot runs\non its built-in defaults (domain/defaults.yaml).\n\nSubcommands:\n" +
		listing("deskbot config", configCommands()) + "\nEach subcommand takes --help.\n"
}

func configCmd(c *cli, args []string) error {
	return dispatch(c, "deskbot config", configCommands(), configUsage(), args, "")
}

const configCheckUsage = `Usage: deskbot config check

Reads DESKBOT_CONFIG (or the built-in defaults), reports every problem
with its file and line, and exits 1 if there is any. Only DESKBOT_CONFIG
is read from the environment.
`

func configCheck(c *cli, args []string) error {
	fs := newFlags("config check", configCheckUsage)
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	cfg, err := domain.LoadConfig(strings.TrimSpace(c.getenv("DESKBOT_CONFIG")))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s is valid: %d types, %d statuses, %d workflows, %d fields, priorities %v.\n",
		cfg.Source, len(cfg.Types), len(cfg.Statuses), len(cfg.Workflows), len(cfg.Fields), cfg.Priorities)
	return nil
}

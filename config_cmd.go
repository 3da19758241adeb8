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
		{"show", "", "print the effective config: DESKBOT_CONFIG merged over the defaults", configShowCmd},
		{"init", "[PATH]", "write a commented starter deskbot.yaml (default: DESKBOT_CONFIG or ./deskbot.yaml)", configInitCmd},
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

const configShowUsage = `Usage: deskbot config show

Prints the configuration deskbot runs with: DESKBOT_CONFIG merged over the
built-in defaults, each value that came from the file marked with a
comment. The output, used as a file, gives the same configuration.
`

func configShowCmd(c *cli, args []string) error {
	fs := newFlags("config show", configShowUsage)
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	return configShow(strings.TrimSpace(c.getenv("DESKBOT_CONFIG")), c.stdout)
}

const configInitUsage = `Usage: deskbot config init [PATH]

Writes a commented starter deskbot.yaml at PATH (default: DESKBOT_CONFIG,
else ./deskbot.yaml). It never overwrites a file, and changes nothing until
a line is uncommented.
`

func configInitCmd(c *cli, args []string) error {
	fs := newFlags("config init", configInitUsage)
	if err := fs.parse(c, args, 1); err != nil {
		return err
	}
	path := fs.Arg(0)
	if path == "" {
		path = strings.TrimSpace(c.getenv("DESKBOT_CONFIG"))
	}
	return configInit(path, c.stdout)
}

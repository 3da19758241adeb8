package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deskbot/deskbot/backup"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

const importUsage = `Usage: deskbot import [flags] FILE

Without --from, loads a file of deskbot export into the database in
DATABASE_URL, which must be empty (a new database: deskbot migrates it
first). Ids, ticket keys and counters are the file's; it all loads in one
transaction, or nothing does. This is how a helpdesk moves from SQLite to
PostgreSQL:

  DATABASE_URL=sqlite:deskbot.db deskbot export --out desk.jsonl
  DATABASE_URL=postgres://deskbot@db/deskbot deskbot import desk.jsonl

With --from zammad, freescout or csv, maps another helpdesk's export onto
customers and tickets (docs/export-format.md says which files) and adds
them to the database, empty or not. Every row that cannot be mapped is
listed with its line and why; then nothing is imported unless
--skip-unmappable says to load the rest. A ticket imported before is left
as it is, so the same file can be loaded again.
`

func importCmd(c *cli, args []string) error {
	fs := newFlags("import", importUsage)
	from := fs.String("from", "", "zammad, freescout or csv: another helpdesk's export (default: a deskbot export)")
	customer := fs.String("customer", "", "with --from: put every ticket in this customer (its key) instead of mapping customers")
	skip := fs.Bool("skip-unmappable", false, "with --from: import the rows that map and leave out the others")
	configOut := fs.String("config-out", "", "write the config file the export carries to this path (never overwritten)")
	if err := fs.parse(c, args, 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{errors.New("import: name the file to import"), fs.usage()}
	}
	if *from == "" && (*customer != "" || *skip) {
		return &usageError{errors.New("import: --customer and --skip-unmappable go with --from"), fs.usage()}
	}
	if *from != "" && *configOut != "" {
		return &usageError{errors.New("import: --config-out is for a deskbot export, not --from"), fs.usage()}
	}
	path := fs.Arg(0)
	if *from != "" {
		return importForeign(c, *from, path, storage.ForeignOptions{Customer: strings.ToUpper(*customer)}, *skip)
	}
	return importBackup(c, path, *configOut)
}

func openInput(c *cli, path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return f, nil
}

func importBackup(c *cli, path, configOut string) error {
	if configOut != "" {
		if _, err := os.Stat(configOut); err == nil {
			return fmt.Errorf("import: %s exists: --config-out never overwrites a file", configOut)
		}
	}
	in, err := openInput(c, path)
	if err != nil {
		return err
	}
	defer in.Close()
	env, err := c.env()
	if err != nil {
		return err
	}
	db, _, err := openDB(c.ctx, env, newLogger(env, c.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := db.Import(c.ctx, in)
	if err != nil {
		return fmt.Errorf("import: %s: nothing imported: %s", path, plainError(err))
	}
	total := 0
	for _, n := range sum.Rows {
		total += n
	}
	fmt.Fprintf(c.stdout, "Imported %d rows (%s) from %s into the %s database.\n", total, sortedCounts(sum.Rows), path, db.Dialect())
	return writeConfig(c, sum.Config, configOut)
}

// writeConfig saves the config an export carries, or says it is there.
func writeConfig(c *cli, row map[string]any, path string) error {
	text, _ := row["yaml"].(string)
	name, _ := row["file"].(string)
	switch {
	case text == "":
		fmt.Fprintln(c.stdout, "The export was made with the built-in config (no DESKBOT_CONFIG).")
	case path == "":
		fmt.Fprintf(c.stdout, "The export carries the config file %s: write it with --config-out PATH and point DESKBOT_CONFIG at it.\n", name)
	default:
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("import: the data is in; the config was not written: %w", err)
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return fmt.Errorf("import: the data is in; the config was not written: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("import: the data is in; the config was not written: %w", err)
		}
		fmt.Fprintf(c.stdout, "Wrote the config (%s) to %s: point DESKBOT_CONFIG at it.\n", name, path)
	}
	return nil
}

var foreignReaders = map[string]func([]byte) (*backup.Foreign, error){
	"zammad": backup.Zammad, "freescout": backup.FreeScout, "csv": backup.CSV,
}

func importForeign(c *cli, from, path string, opts storage.ForeignOptions, skip bool) error {
	read, ok := foreignReaders[from]
	if !ok {
		return &usageError{fmt.Errorf("import: --from %q: use zammad, freescout or csv", from), importUsage}
	}
	in, err := openInput(c, path)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(in)
	in.Close()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	env, err := c.env()
	if err != nil {
		return err
	}
	cfg, err := domain.LoadConfig(strings.TrimSpace(c.getenv("DESKBOT_CONFIG")))
	if err != nil {
		return err
	}
	f, err := read(data)
	if err != nil {
		return fmt.Errorf("import: %s: %w", path, err)
	}
	f.Resolve(vocabulary(cfg))
	for _, p := range f.Ignored {
		fmt.Fprintf(c.stdout, "%s: left out, %s\n", path, p)
	}
	for _, p := range f.Problems {
		fmt.Fprintf(c.stderr, "%s: %s\n", path, p)
	}
	if len(f.Problems) > 0 && !skip {
		return fmt.Errorf("import: %d rows of %s cannot be mapped (listed above): nothing imported; fix them, or add --skip-unmappable to import the %d tickets that map",
			len(f.Problems), path, len(f.Tickets))
	}
	db, _, err := openDB(c.ctx, env, newLogger(env, c.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := db.ImportForeign(c.ctx, f, opts)
	if err != nil {
		return fmt.Errorf("import: %s: nothing imported: %s", path, plainError(err))
	}
	for _, a := range sum.Already {
		fmt.Fprintf(c.stdout, "Already imported: %s.\n", a)
	}
	created := "no new customer"
	if len(sum.NewCustomers) > 0 {
		created = "new customers " + strings.Join(sum.NewCustomers, ", ")
	}
	fmt.Fprintf(c.stdout, "Imported %d tickets with %d comments from %s (%s); %d rows left out.\n",
		sum.Tickets, sum.Comments, path, created, len(f.Problems)+len(f.Ignored))
	return nil
}

// vocabulary is the config's names foreign tickets are mapped onto.
func vocabulary(cfg *domain.Config) backup.Vocabulary {
	var v backup.Vocabulary
	for _, s := range cfg.Statuses {
		v.Statuses = append(v.Statuses, backup.StatusName{Name: s.Name, Category: s.Category})
	}
	v.Priorities = cfg.Priorities
	for _, t := range cfg.Types {
		v.Types = append(v.Types, t.Name)
	}
	return v
}

// plainError is an error for a person at a terminal: a domain error's
// message without its code, anything else as it is.
func plainError(err error) string {
	var de *domain.Error
	if errors.As(err, &de) && err == error(de) {
		return de.Message
	}
	if errors.As(err, &de) {
		return strings.Replace(err.Error(), de.Error(), de.Message, 1)
	}
	return err.Error()
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/deskbot/deskbot/backup"
	"github.com/deskbot/deskbot/domain"
)

// ImportSummary is what an import loaded.
type ImportSummary struct {
	SchemaVersion int64          // the file's
	Rows          map[string]int // per table
	Config        map[string]any // the config pseudo-table's row, if any
}

// Import loads a backup file (Export's) into this database, which must be
// migrated and empty, in one transaction: on any error nothing is written.
// Ids, ticket numbers and counters are the file's; PostgreSQL's sequences
// are moved past the largest id loaded.
func (d *DB) Import(ctx context.Context, r io.Reader) (ImportSummary, error) {
	br, err := backup.NewReader(r)
	if err != nil {
		return ImportSummary{}, domain.Errorf(domain.EINVALID, "%v", err)
	}
	sum := ImportSummary{SchemaVersion: br.Header.SchemaVersion, Rows: map[string]int{}}
	err = d.writing(ctx, false, func() error {
		tx, err := d.db.BeginTxx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: unable to begin the import: %w", err)
		}
		defer tx.Rollback()
		im := &importer{d: d, tx: tx, cols: map[string][]column{}, stmts: map[string]*sqlx.Stmt{}, sum: &sum}
		defer im.close()
		if err := im.check(ctx, br.Header); err != nil {
			return err
		}
		if err := im.load(ctx, br); err != nil {
			return err
		}
		if err := im.resetSequences(ctx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: unable to commit the import: %w", err)
		}
		return nil
	})
	return sum, err
}

type importer struct {
	d        *DB
	tx       *sqlx.Tx
	from     int64 // the file's schema version
	cols     map[string][]column
	stmts    map[string]*sqlx.Stmt
	sum      *ImportSummary
	exported map[string]bool
}

func (im *importer) close() {
	for _, st := range im.stmts {
		_ = st.Close()
	}
}

// check refuses a file of a newer schema and a database with rows.
func (im *importer) check(ctx context.Context, h backup.Header) error {
	have, err := schemaVersion(ctx, im.tx)
	if err != nil {
		return err
	}
	if h.SchemaVersion > have {
		return domain.Errorf(domain.EINVALID, "The file was exported at schema version %d, and this database is at %d: "+
			"import it with the deskbot that made it, or a newer one (deskbot migrate brings the database up to the binary).",
			h.SchemaVersion, have)
	}
	im.from = h.SchemaVersion
	im.exported = map[string]bool{}
	var full []string
	for _, t := range ExportTables {
		im.exported[t.Name] = true
		var n int
		if err := im.tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+quote(t.Name)); err != nil {
			return fmt.Errorf("store: unable to count %s (is the database migrated? deskbot migrate): %w", t.Name, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s: %d", t.Name, n))
		}
	}
	if len(full) > 0 {
		return domain.Errorf(domain.ECONFLICT, "The database is not empty (%s): import loads into an empty database only, "+
			"so nothing is merged by accident. Point DATABASE_URL at a new database.", strings.Join(full, ", "))
	}
	return nil
}

func (im *importer) load(ctx context.Context, br *backup.Reader) error {
	for {
		rec, err := br.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return domain.Errorf(domain.EINVALID, "%v", err)
		}
		if rec.Table == backup.ConfigTable {
			im.sum.Config = rec.Row
			continue
		}
		upgradeRecord(im.from, &rec)
		if err := im.insert(ctx, rec); err != nil {
			return err
		}
	}
}

func (im *importer) insert(ctx context.Context, rec backup.Record) error {
	fail := func(format string, args ...any) error {
		return domain.Errorf(domain.EINVALID, "line %d: table %s: %s", rec.Line, rec.Table, fmt.Sprintf(format, args...))
	}
	if !im.exported[rec.Table] {
		if why, ok := NotExported[rec.Table]; ok {
			return fail("not part of an export (%s)", why)
		}
		return fail("no such table in this deskbot's schema")
	}
	cols, err := im.columns(ctx, rec.Table)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(rec.Row))
	for name := range rec.Row {
		names = append(names, name)
	}
	sort.Strings(names)
	args := make([]any, len(names))
	override := false
	for i, name := range names {
		c, ok := findColumn(cols, name)
		if !ok {
			return fail("no column %s", name)
		}
		if args[i], err = backup.Decode(c.Kind, rec.Row[name]); err != nil {
			return fail("column %s: %v", name, err)
		}
		override = override || c.Always
	}
	st, err := im.stmt(ctx, rec.Table, names, override)
	if err != nil {
		return fail("%v", err)
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return fail("%v", err)
	}
	im.sum.Rows[rec.Table]++
	return nil
}

func (im *importer) columns(ctx context.Context, table string) ([]column, error) {
	if cols, ok := im.cols[table]; ok {
		return cols, nil
	}
	cols, err := im.d.columns(ctx, im.tx, table)
	im.cols[table] = cols
	return cols, err
}

func findColumn(cols []column, name string) (column, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	return column{}, false
}

// stmt is the INSERT for one table and set of columns, prepared once.
func (im *importer) stmt(ctx context.Context, table string, names []string, override bool) (*sqlx.Stmt, error) {
	key := table + "(" + strings.Join(names, ",") + ")"
	if st, ok := im.stmts[key]; ok {
		return st, nil
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = quote(n)
	}
	q := `INSERT INTO ` + quote(table) + ` (` + strings.Join(quoted, ", ") + `) `
	if override {
		q += `OVERRIDING SYSTEM VALUE `
	}
	q += `VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + `)`
	st, err := im.tx.PreparexContext(ctx, im.tx.Rebind(q))
	if err != nil {
		return nil, err
	}
	im.stmts[key] = st
	return st, nil
}

// resetSequences moves each PostgreSQL sequence past the largest value
// loaded, so the next row numbers on from the file's. SQLite's
// AUTOINCREMENT counter follows the ids inserted by itself.
func (im *importer) resetSequences(ctx context.Context) error {
	if im.d.dialect != Postgres {
		return nil
	}
	for _, t := range ExportTables {
		cols, err := im.columns(ctx, t.Name)
		if err != nil {
			return err
		}
		for _, c := range cols {
			if !c.Sequence {
				continue
			}
			q := `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(` + quote(c.Name) + `), 1), MAX(` + quote(c.Name) + `) IS NOT NULL) FROM ` + quote(t.Name)
			if _, err := im.tx.ExecContext(ctx, q, quote(t.Name), c.Name); err != nil {
				return fmt.Errorf("store: unable to move the sequence of %s.%s: %w", t.Name, c.Name, err)
			}
		}
	}
	return nil
}

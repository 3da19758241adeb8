package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/deskbot/deskbot/backup"
)

// column is a column as the export sees it.
type column struct {
	Name string
	Kind backup.Kind
	// Sequence: PostgreSQL numbers the column itself (serial or
	// identity); Always: it refuses a value unless told to override.
	Sequence, Always bool
}

// Tables lists the tables of the database (not views), sorted by name.
func (d *DB) Tables(ctx context.Context) ([]string, error) {
	return d.tables(ctx, d.db)
}

func (d *DB) tables(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	var names []string
	query := `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	if d.dialect == SQLite {
		// sqlite_* are SQLite's own (sqlite_sequence, the AUTOINCREMENT
		// counters the ids loaded set again; sqlite_stat1 after ANALYZE).
		query = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	}
	if err := sqlx.SelectContext(ctx, q, &names, query); err != nil {
		return nil, fmt.Errorf("store: unable to list tables: %w", err)
	}
	return names, nil
}

// columns reads a table's columns in their order; none: no such table.
func (d *DB) columns(ctx context.Context, q sqlx.QueryerContext, table string) ([]column, error) {
	type row struct {
		Name     string `db:"name"`
		Type     string `db:"type"`
		Default  string `db:"dflt"`
		Identity string `db:"ident"`
	}
	var rows []row
	query := `SELECT column_name AS name, data_type AS type, COALESCE(column_default, '') AS dflt,
		CASE WHEN is_identity = 'YES' THEN COALESCE(identity_generation, 'BY DEFAULT') ELSE '' END AS ident
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
		AND is_generated = 'NEVER' ORDER BY ordinal_position`
	args := []any{table}
	if d.dialect == SQLite {
		query = `SELECT name, type, '' AS dflt, '' AS ident FROM pragma_table_info(?) ORDER BY cid`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("store: unable to read the columns of %s: %w", table, err)
	}
	cols := make([]column, 0, len(rows))
	for _, r := range rows {
		if _, derived := NotExportedColumns[table+"."+r.Name]; derived {
			continue
		}
		k, err := backup.KindOf(r.Type)
		if err != nil {
			return nil, fmt.Errorf("store: table %s, column %s: %w (a derived column goes in storage.NotExportedColumns)", table, r.Name, err)
		}
		cols = append(cols, column{Name: r.Name, Kind: k,
			Sequence: strings.HasPrefix(r.Default, "nextval(") || r.Identity != "",
			Always:   r.Identity == "ALWAYS"})
	}
	return cols, nil
}

// schemaVersion is the last migration applied.
func schemaVersion(ctx context.Context, q sqlx.QueryerContext) (int64, error) {
	var v int64
	if err := sqlx.GetContext(ctx, q, &v, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`); err != nil {
		return 0, fmt.Errorf("store: unable to read the schema version (is the database migrated? deskbot migrate): %w", err)
	}
	return v, nil
}

// quote makes a name an SQL identifier on both databases.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// unlisted are the database's tables neither exported nor excluded.
func unlisted(tables []string) []string {
	known := map[string]bool{}
	for _, t := range ExportTables {
		known[t.Name] = true
	}
	var out []string
	for _, t := range tables {
		if _, skip := NotExported[t]; !known[t] && !skip {
			out = append(out, t)
		}
	}
	return out
}

package storage

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/deskbot/deskbot/backup"
)

// ExportSummary is what an export wrote.
type ExportSummary struct {
	SchemaVersion int64
	ExportedAt    time.Time
	Rows          map[string]int // per table
}

// Export writes every table of ExportTables to w as a backup file, all
// read in one transaction: one moment of the database (REPEATABLE READ on
// PostgreSQL; on SQLite a read transaction, which sees one snapshot of the
// WAL). config, when not nil, is written as the config pseudo-table's row.
func (d *DB) Export(ctx context.Context, w io.Writer, config map[string]any) (ExportSummary, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if d.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := d.db.BeginTxx(ctx, opts)
	if err != nil {
		return ExportSummary{}, fmt.Errorf("store: unable to begin the export: %w", err)
	}
	defer tx.Rollback()
	sum := ExportSummary{ExportedAt: d.clock(), Rows: map[string]int{}}
	// The first read fixes the snapshot: the version is the rows'.
	if sum.SchemaVersion, err = schemaVersion(ctx, tx); err != nil {
		return sum, err
	}
	tables, err := d.tables(ctx, tx)
	if err != nil {
		return sum, err
	}
	if extra := unlisted(tables); len(extra) > 0 {
		return sum, fmt.Errorf("store: tables %s are neither exported nor excluded (storage.ExportTables): this deskbot cannot export them",
			strings.Join(extra, ", "))
	}
	bw, err := backup.NewWriter(w, backup.Header{SchemaVersion: sum.SchemaVersion, ExportedAt: sum.ExportedAt.Format(backup.TimeLayout)})
	if err != nil {
		return sum, fmt.Errorf("store: unable to write the export: %w", err)
	}
	if config != nil {
		if err := bw.Row(backup.ConfigTable, config); err != nil {
			return sum, fmt.Errorf("store: unable to write the export: %w", err)
		}
	}
	for _, t := range ExportTables {
		n, err := d.exportTable(ctx, tx, bw, t)
		if err != nil {
			return sum, err
		}
		sum.Rows[t.Name] = n
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("store: unable to write the export: %w", err)
	}
	return sum, nil
}

func (d *DB) exportTable(ctx context.Context, tx *sqlx.Tx, bw *backup.Writer, t ExportTable) (int, error) {
	cols, err := d.columns(ctx, tx, t.Name)
	if err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("store: table %s is not in the database: is it migrated? (deskbot migrate)", t.Name)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+columnList(cols)+` FROM `+quote(t.Name)+` ORDER BY `+d.orderBy(t, cols))
	if err != nil {
		return 0, fmt.Errorf("store: unable to read %s: %w", t.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("store: unable to read %s: %w", t.Name, err)
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			v, err := backup.Encode(c.Kind, vals[i])
			if err != nil {
				return n, fmt.Errorf("store: table %s, column %s: %w", t.Name, c.Name, err)
			}
			row[c.Name] = v
		}
		if err := bw.Row(t.Name, row); err != nil {
			return n, fmt.Errorf("store: unable to write the export: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: unable to read %s: %w", t.Name, err)
	}
	return n, nil
}

func columnList(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(c.Name)
	}
	return strings.Join(names, ", ")
}

// orderBy sorts text by bytes on PostgreSQL too, as SQLite does, so both
// write the rows in one order.
func (d *DB) orderBy(t ExportTable, cols []column) string {
	kinds := map[string]backup.Kind{}
	for _, c := range cols {
		kinds[c.Name] = c.Kind
	}
	var parts []string
	for _, name := range strings.Split(t.Order, ",") {
		name = strings.TrimSpace(name)
		p := quote(name)
		if d.dialect == Postgres && kinds[name] == backup.KindText {
			p += ` COLLATE "C"`
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

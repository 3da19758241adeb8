package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ExplainDueSLA returns the plan of DueSLATickets' query, one line per row.
func ExplainDueSLA(ctx context.Context, d *DB, now time.Time) (string, error) {
	prefix := "EXPLAIN "
	if d.dialect == SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := d.db.QueryContext(ctx, prefix+d.db.Rebind(dueSLAQuery), ts(now), 100)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			return "", err
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, strings.TrimSpace(toString(*(v.(*any)))))
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n"), rows.Err()
}

func toString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

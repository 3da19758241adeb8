package commands_test

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// BenchmarkMonthReport prices one customer's month over a PostgreSQL
// database of DESKBOT_BENCH_TIME_ENTRIES time entries (default 100,000;
// the target is under 200 ms at 1,000,000): 20 customers, 500 tickets
// each, 30 engineers, entries scattered over two years in random order
// (the worst case for the index: one month's rows sit on as many pages).
//
// The baseline runs the same use case, the same SQL, over a second pool
// on the same database whose sessions may not use indexes
// (enable_indexscan, enable_bitmapscan and enable_indexonlyscan off), so
// the planner has to scan the table: report index/ns as a ratio of it.
func BenchmarkMonthReport(b *testing.B) {
	n := 100_000
	if v := os.Getenv("DESKBOT_BENCH_TIME_ENTRIES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("DESKBOT_BENCH_TIME_ENTRIES=%q: want a positive count", v)
		}
	}
	ctx := context.Background()
	dbURL := storagetest.PostgresDatabase(b)
	open := func(u string) *commands.Service {
		db, err := storage.Open(ctx, u, storage.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		return commands.New(db, domain.DefaultConfig(), commands.Options{})
	}
	indexed := open(dbURL)
	seedTimeEntries(b, dbURL, n)
	noIndex := open(dbURL + "&enable_indexscan=off&enable_bitmapscan=off&enable_indexonlyscan=off")

	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	for _, c := range []struct {
		name string
		svc  *commands.Service
	}{{"index", indexed}, {"no-index", noIndex}} {
		b.Run(c.name, func(b *testing.B) {
			var r *commands.Report
			for b.Loop() {
				var err error
				if r, err = c.svc.Report(ctx, agent, "P1", from, to); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r.Lines)), "entries")
			b.ReportMetric(float64(n), "table_rows")
		})
	}
}

// seedTimeEntries fills the database in a few statements, server side.
func seedTimeEntries(b *testing.B, dbURL string, n int) {
	b.Helper()
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO customers (key, name, hourly_rate, billing_round_minutes, billing_min_minutes, ticket_seq, created_at, updated_at)
			SELECT 'P' || g, 'Customer ' || g, 12000, 6, 15, 500, now(), now() FROM generate_series(1, 20) g`,
		`INSERT INTO tickets (customer_id, number, title, type, status, priority, source, created_by, created_at, updated_at)
			SELECT p.id, g, 'Ticket ' || g, 'question', 'open', 'normal', 'cli', 'U1', now(), now()
			FROM customers p, generate_series(1, 500) g`,
		// Multiplicative hashing scatters tickets, engineers and start times.
		`INSERT INTO time_entries (ticket_id, customer_id, user_id, started_at, ended_at, seconds, billable, note, source, created_at, updated_at)
			SELECT t.id, t.customer_id, 'U' || (g * 13 % 30), s.at, s.at + make_interval(secs => s.d), s.d, g % 5 <> 0, 'work', 'manual', s.at, s.at
			FROM generate_series(1, ` + strconv.Itoa(n) + `) g
			CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => (g::bigint * 104729) % (730 * 86400)) AS at,
				300 + (g * 31) % 7200 AS d) s
			JOIN tickets t ON t.id = 1 + (g::bigint * 7919) % 10000`,
		`ANALYZE`,
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	b.Logf("seeded %d time entries in %v", n, time.Since(start).Round(time.Millisecond))
}

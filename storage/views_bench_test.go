package storage_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// benchTickets is how many tickets BenchmarkViewQuery seeds:
// DESKBOT_BENCH_TICKETS, or a CI-friendly default.
func benchTickets() int {
	if n, err := strconv.Atoi(os.Getenv("DESKBOT_BENCH_TICKETS")); err == nil && n > 0 {
		return n
	}
	return 50000
}

// seedBulk fills a PostgreSQL database with n tickets over 100 customers
// in one statement: 6 statuses, 4 priorities, 20 assignees and none,
// spread independently of the customer.
func seedBulk(b *testing.B, db *storage.DB, n int) {
	b.Helper()
	for _, q := range []string{
		`INSERT INTO customers (key, name, created_at, updated_at) SELECT 'C' || lpad(i::text, 3, '0'), 'Customer ' || i, now(), now() FROM generate_series(0, 99) i`,
		`INSERT INTO tickets (customer_id, number, title, description, type, status, priority, assignee_id, version, version_key,
			source, created_by, created_at, updated_at, sla_policy, sla_due_at)
		 SELECT p.id, g, 'Ticket ' || g, 'Something is broken', 'bug',
			(ARRAY['new','open','in_progress','waiting','resolved','closed'])[1 + (g / 100) % 6],
			(ARRAY['low','normal','high','urgent'])[1 + (g / 100) % 4],
			CASE WHEN (g / 700) % 21 = 0 THEN '' ELSE 'U' || ((g / 700) % 21) END, '4.' || (g % 12) || '.0', '',
			'slash', 'U1', now() - (g || ' minutes')::interval, now(), 'standard', now() + ((g % 100) || ' hours')::interval
		 FROM generate_series(1, ` + strconv.Itoa(n) + `) g JOIN customers p ON p.key = 'C' || lpad((g % 100)::text, 3, '0')`,
		// Autovacuum would have run on a live database: the visibility
		// map lets counts read the covering index alone.
		`VACUUM ANALYZE tickets`,
		`VACUUM ANALYZE customers`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkViewQuery: a typical view (one customer's open tickets grouped
// by assignee, first page of 25 with the group counts) on PostgreSQL with
// its indexes, against the same query with index and bitmap scans turned
// off for the session (the unindexed plan), in the same run.
func BenchmarkViewQuery(b *testing.B) {
	n := benchTickets()
	db := storagetest.Open(b, storage.Postgres)
	seedBulk(b, db, n)
	cfg := domain.DefaultConfig()
	q, err := query.Parse("customer:C042 status:new,open,in_progress,waiting group:assignee", nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := q.Resolve(query.Env{Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	vq := &domain.ViewQuery{Q: res, Priorities: cfg.Priorities, Limit: 25, DoneStatuses: []string{"resolved", "closed"}, PausedStatuses: []string{"waiting"}}
	for _, s := range cfg.Statuses {
		vq.Statuses = append(vq.Statuses, s.Name)
	}
	run := func(b *testing.B, db *storage.DB) {
		ctx := context.Background()
		for b.Loop() {
			err := db.View(ctx, func(tx domain.Tx) error {
				p, err := tx.QueryTickets(ctx, vq)
				if err == nil && (len(p.Tickets) != 25 || len(p.Groups) == 0) {
					b.Fatalf("page of %d, %d groups", len(p.Tickets), len(p.Groups))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "tickets")
	}
	b.Run("indexed", func(b *testing.B) { run(b, db) })
	b.Run("unindexed-baseline", func(b *testing.B) {
		noIndex, err := storage.Open(context.Background(), dbURL(b, db)+"&options="+
			"-c%20enable_indexscan%3Doff%20-c%20enable_bitmapscan%3Doff%20-c%20enable_indexonlyscan%3Doff")
		if err != nil {
			b.Fatal(err)
		}
		defer noIndex.Close()
		run(b, noIndex)
	})
}

// dbURL finds the URL of the benchmark's database from the server.
func dbURL(b *testing.B, db *storage.DB) string {
	var name string
	if err := db.SQL().QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		b.Fatal(err)
	}
	u := storagetest.PostgresURL()
	base, params, _ := cutLast(u, "?")
	i := len(base) - 1
	for i >= 0 && base[i] != '/' {
		i--
	}
	return base[:i+1] + name + "?" + params
}

func cutLast(s, sep string) (string, string, bool) {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

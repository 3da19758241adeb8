package storage_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// seedSLATickets inserts n tickets in one statement: one in five open with
// an SLA due time, the first 100 of those due before now, the rest later;
// the others closed with none. Then it refreshes the planner's statistics.
func seedSLATickets(tb testing.TB, db *storage.DB, n int, now time.Time) {
	tb.Helper()
	ctx := context.Background()
	p := &domain.Customer{Key: "BENCH", Name: "Bench", TimeZone: "UTC"}
	if err := db.Update(ctx, func(tx domain.Tx) error { return tx.CreateCustomer(ctx, p) }); err != nil {
		tb.Fatal(err)
	}
	q := `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < $1)
		INSERT INTO tickets (customer_id, number, title, type, status, priority, source, created_by, created_at, updated_at, sla_due_at)
		SELECT $2, x, 'Ticket', 'question', CASE WHEN x % 5 = 0 THEN 'open' ELSE 'closed' END, 'normal', 'cli', 'bench', $3, $3,
			CASE WHEN x % 5 = 0 AND x <= 500 THEN $4 WHEN x % 5 = 0 THEN $5 END
		FROM g`
	analyze := "ANALYZE tickets"
	if db.Dialect() == storage.Postgres { // a CASE of parameters is text unless told
		q = strings.NewReplacer("$4", "$4::timestamptz", "$5", "$5::timestamptz").Replace(q)
	} else {
		for i := 1; i <= 5; i++ { // SQLite numbers its parameters ?NNN
			q = strings.ReplaceAll(q, "$"+strconv.Itoa(i), "?"+strconv.Itoa(i))
		}
		analyze = "ANALYZE"
	}
	past, future := now.Add(-time.Minute).UTC(), now.Add(time.Hour).UTC()
	if _, err := db.SQL().ExecContext(ctx, q, n, p.ID, now.Add(-24*time.Hour).UTC(), past, future); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, analyze); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSLAScan compares the scheduler's look-up of the 100 due tickets
// (DueSLATickets, on the index) with the naive pass it replaces, reading
// every open ticket's due time, on the same data in the same run: report
// ns/op of "due" as a ratio to "open-scan". DESKBOT_BENCH_SLA_TICKETS sets
// the ticket count (default 20000; one in five open); the figure:
//
//	DESKBOT_BENCH_SLA_TICKETS=1000000 go test ./storage -run '^$' -bench SLAScan/postgres -benchtime 200x
func BenchmarkSLAScan(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("DESKBOT_BENCH_SLA_TICKETS")); err == nil && v > 0 {
		n = v
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, d := range storagetest.Dialects {
		b.Run(d, func(b *testing.B) {
			db := storagetest.Open(b, d, storage.WithClock(func() time.Time { return now }))
			seedSLATickets(b, db, n, now)
			ctx := context.Background()
			b.Run(fmt.Sprintf("due/tickets=%d", n), func(b *testing.B) {
				for b.Loop() {
					var ids []int64
					if err := db.View(ctx, func(tx domain.Tx) (err error) {
						ids, err = tx.DueSLATickets(ctx, 100)
						return err
					}); err != nil || len(ids) != 100 {
						b.Fatalf("%d due, %v", len(ids), err)
					}
				}
			})
			b.Run(fmt.Sprintf("open-scan/tickets=%d", n), func(b *testing.B) {
				q := `SELECT id, sla_due_at FROM tickets WHERE status IN ('new', 'open', 'in_progress', 'waiting')`
				for b.Loop() {
					if due := naiveScan(b, db, q, now); due != 100 {
						b.Fatalf("%d due", due)
					}
				}
			})
		})
	}
}

// naiveScan reads every open ticket and counts the due ones in Go.
func naiveScan(b *testing.B, db *storage.DB, q string, now time.Time) int {
	rows, err := db.SQL().Query(q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	due := 0
	for rows.Next() {
		var id int64
		var at *time.Time
		if err := rows.Scan(&id, &at); err != nil {
			b.Fatal(err)
		}
		if at != nil && !at.After(now) {
			due++
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return due
}

// Command apilist measures the REST API's ticket list (issue 17): a page
// of 50 tickets with a filter, asked over HTTP with a token on a large
// PostgreSQL database, against the same query run directly through the
// use case (commands.QueryTicketsPage) in the same run. The two are
// interleaved, one call each in turn, so both see the same cache and load.
//
//	go run ./bench/apilist                     # 100k tickets
//	go run ./bench/apilist -tickets 1000000    # the 1M
//
// The API's share is what a caller pays on top of the query: HTTP on
// loopback, the token's look-up, the customer map and JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/bench/benchdb"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

func main() {
	tickets := flag.Int("tickets", 100_000, "tickets in the database (the issue asks for 1000000)")
	n := flag.Int("n", 400, "calls of each kind")
	q := flag.String("q", "customer:C042 priority:high,urgent sort:-created", "the filter, in /ticket list's language")
	flag.Parse()
	if err := run(*tickets, *n, *q); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(tickets, n int, q string) error {
	ctx := context.Background()
	db, closeDB, err := benchdb.Open(ctx, storage.Postgres, "apilist")
	if err != nil {
		return err
	}
	defer closeDB()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	if err := seed(db, tickets); err != nil {
		return err
	}
	fmt.Printf("seeded %d tickets in %s\n", tickets, time.Since(start).Round(time.Second))
	quiet := slog.New(slog.DiscardHandler)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet})
	admin := domain.Actor{UserID: "UADMIN", Role: domain.RoleAgent, Channel: domain.ChannelCLI}
	secret, tok, err := svc.CreateAPIToken(ctx, admin, "bench", "read", "")
	if err != nil {
		return err
	}
	// No rate limit here: it is the cost of the path that is measured.
	srv := httptest.NewServer(api.New(api.Options{Service: svc, Logger: quiet, Rate: 1e9, Burst: 1 << 30}).Handler())
	defer srv.Close()
	target := srv.URL + api.Prefix + "/tickets?limit=50&q=" + url.QueryEscape(q)
	viaAPI := func() (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", target, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		var page struct{ Tickets []json.RawMessage }
		if err := json.NewDecoder(res.Body).Decode(&page); err != nil || res.StatusCode != 200 {
			return 0, fmt.Errorf("status %d: %v", res.StatusCode, err)
		}
		return len(page.Tickets), nil
	}
	direct := func() (int, error) {
		r, err := svc.QueryTicketsPage(ctx, tok.Actor(), q, 0, 50)
		if err != nil {
			return 0, err
		}
		return len(r.Tickets), nil
	}
	var apiT, dirT []time.Duration
	for i := range n + 20 {
		for _, c := range []struct {
			fn  func() (int, error)
			out *[]time.Duration
		}{{viaAPI, &apiT}, {direct, &dirT}} {
			t0 := time.Now()
			got, err := c.fn()
			if err != nil {
				return err
			}
			if got != 50 {
				return fmt.Errorf("a page of %d tickets, want 50: widen the filter", got)
			}
			if i >= 20 { // warm-up: connections, prepared statements
				*c.out = append(*c.out, time.Since(t0))
			}
		}
	}
	a50, a99 := pct(apiT, 50), pct(apiT, 99)
	d50, d99 := pct(dirT, 50), pct(dirT, 99)
	fmt.Printf("query %q, page of 50, %d calls each\n", q, n)
	fmt.Printf("| tickets | direct p50 | direct p99 | API p50 | API p99 | p99 ratio |\n| --- | --- | --- | --- | --- | --- |\n")
	fmt.Printf("| %s | %s | %s | %s | %s | %.2f× |\n", strconv.Itoa(tickets), ms(d50), ms(d99), ms(a50), ms(a99), float64(a99)/float64(d99))
	return nil
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// seed fills the database with n tickets over 100 customers (C000…C099)
// in one statement, as storage's view benchmark does: 6 statuses, 4
// priorities, 20 assignees and none, spread independently of the customer.
func seed(db *storage.DB, n int) error {
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
		`VACUUM ANALYZE tickets`,
		`VACUUM ANALYZE customers`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}

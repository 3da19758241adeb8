// Command webhookfan is the outgoing webhooks' benchmark (issue 17,
// "Performance"): 1,000 ticket events fanned out to 3 receivers (local
// HTTP servers), against the outbox's Slack deliveries to the emulator
// in the same run. For each database, on a fresh database:
//
//   - Slack (the baseline): -n channel posts queued in the outbox, spread
//     over -channels channels, then the real bot started against the
//     unthrottled emulator; timed until the emulator took every post.
//   - Webhooks: 3 webhooks on every event, -n events made (each ticket
//     created, opened, commented on publicly, put in progress: 4 events a
//     ticket), then the webhook sender started; timed until every receiver
//     took every delivery. Each receiver checks that it got each delivery
//     once, signed, and each ticket's in order.
//
// Both drain a backlog the outbox holds, so what is compared is delivery.
//
//	go run ./bench/webhookfan                 # sqlite and postgres, 5 rounds
//	go run ./bench/webhookfan -db sqlite -rounds 1
//
// PostgreSQL is the server of $DESKBOT_TEST_POSTGRES or
// postgres://postgres@127.0.0.1:5432/postgres; a temporary database is
// created there and dropped at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/deskbot/deskbot/bench/benchdb"
)

type config struct {
	n, channels, rounds, workers int
	dbs                          []string
}

func main() {
	var cfg config
	db := flag.String("db", "sqlite,postgres", "databases, comma-separated")
	flag.IntVar(&cfg.n, "n", 1000, "events (and Slack posts)")
	flag.IntVar(&cfg.channels, "channels", 10, "channels the Slack posts are spread over")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds per database")
	flag.IntVar(&cfg.workers, "workers", 8, "webhook sender's ticket queues at once")
	flag.Parse()
	cfg.dbs = splitComma(*db)
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webhookfan:", err)
		os.Exit(1)
	}
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

type result struct {
	dialect              string
	round                int
	slackN, hookN        int
	slackTook, hooksTook time.Duration
	slackRate, hookRate  float64 // deliveries per second
	eventRate            float64 // events fanned out per second
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	quiet := slog.New(slog.DiscardHandler)
	var results []result
	for _, d := range cfg.dbs {
		for round := 1; round <= cfg.rounds; round++ {
			r, err := runOnce(ctx, cfg, d, quiet)
			if errors.Is(err, benchdb.ErrSkip) {
				fmt.Fprintf(out, "%s: %v\n", d, err)
				break
			}
			if err != nil {
				return fmt.Errorf("%s round %d: %w", d, round, err)
			}
			r.round = round
			results = append(results, *r)
			fmt.Fprintf(os.Stderr, "%s round %d: slack %d posts in %v, webhooks %d deliveries in %v\n",
				d, round, r.slackN, r.slackTook.Round(time.Millisecond), r.hookN, r.hooksTook.Round(time.Millisecond))
		}
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "database\tround\tSlack posts/s (baseline)\twebhook deliveries/s\tratio\tevents fanned out/s\tall delivered")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.2f\t%.0f\t%d×3 of %d\n", r.dialect, r.round, r.slackRate, r.hookRate,
			r.hookRate/r.slackRate, r.eventRate, r.hookN/3, cfg.n)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The machine is shared: each round's ratio is taken within the round,
	// and the median of them is the figure.
	for _, d := range cfg.dbs {
		var ratios, slack, hooks []float64
		for _, r := range results {
			if r.dialect == d {
				ratios, slack, hooks = append(ratios, r.hookRate/r.slackRate), append(slack, r.slackRate), append(hooks, r.hookRate)
			}
		}
		if len(ratios) > 0 {
			fmt.Fprintf(out, "%s: median of %d rounds: Slack %.0f posts/s, webhooks %.0f deliveries/s, ratio %.2f (rounds %.2f–%.2f)\n",
				d, len(ratios), median(slack), median(hooks), median(ratios), slices.Min(ratios), slices.Max(ratios))
		}
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

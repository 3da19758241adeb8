package commands_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// The benchmarks compare the use cases with the cheapest write each
// database can do, one raw single-row INSERT, measured in the same run:
// report ns/op of each as a ratio to BenchmarkRawInsert on the same database.

func benchService(b *testing.B, dialect string) (*commands.Service, *storage.DB) {
	db := storagetest.Open(b, dialect)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{})
	if _, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "ACME"}); err != nil {
		b.Fatal(err)
	}
	return svc, db
}

func BenchmarkRawInsert(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(d, func(b *testing.B) {
			_, db := benchService(b, d)
			q := "INSERT INTO processed_inputs (source, id, processed_at) VALUES ($1, $2, $3)"
			if d == storage.SQLite {
				q = "INSERT INTO processed_inputs (source, id, processed_at) VALUES (?, ?, ?)"
			}
			now := time.Now().UTC()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := db.SQL().Exec(q, "bench", fmt.Sprint(i), now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCreateTicket(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(d, func(b *testing.B) {
			svc, _ := benchService(b, d)
			ctx := context.Background()
			in := commands.TicketInput{CustomerKey: "ACME", Title: "Login fails", Source: domain.SourceSlash}
			for b.Loop() {
				if _, err := svc.CreateTicket(ctx, agent, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateTicketBurst: 50 people open tickets for one customer at
// once, with group commit and without it (each ticket in its own
// transaction, all queueing on the customer's counter row).
//
//	go test -run '^$' -bench CreateTicketBurst ./commands/
func BenchmarkCreateTicketBurst(b *testing.B) {
	for _, d := range storagetest.Dialects {
		for _, mode := range []string{"one-transaction-each", "group-commit"} {
			b.Run(d+"/"+mode, func(b *testing.B) {
				svc, _ := benchService(b, d)
				if mode == "one-transaction-each" {
					commands.WithoutGroupCommit(svc)
				}
				in := commands.TicketInput{CustomerKey: "ACME", Title: "Login fails", Source: domain.SourceSlash}
				for range 20 { // statements prepared before the clock starts
					if _, err := svc.CreateTicket(context.Background(), agent, in); err != nil {
						b.Fatal(err)
					}
				}
				time.Sleep(100 * time.Millisecond)
				b.ResetTimer()
				b.SetParallelism(25) // 50 creators on 2 CPUs
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := svc.CreateTicket(context.Background(), agent, in); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
			})
		}
	}
}

func BenchmarkStartStopTimer(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(d, func(b *testing.B) {
			svc, _ := benchService(b, d)
			ctx := context.Background()
			tk, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "t", Source: domain.SourceSlash})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := svc.StartTimer(ctx, agent, tk.Key()); err != nil {
					b.Fatal(err)
				}
				if _, _, err := svc.StopTimer(ctx, agent); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

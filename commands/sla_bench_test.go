package commands_test

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// BenchmarkCreateTicketSLA measures what the SLA hook adds to opening a
// ticket (reading its history, computing the clocks, storing the next
// due time) against the same use case without the hook, in the same run:
// report ns/op of "hook" as a ratio to "no-hook".
func BenchmarkCreateTicketSLA(b *testing.B) {
	for _, d := range storagetest.Dialects {
		for _, hook := range []bool{false, true} {
			name := d + "/no-hook"
			if hook {
				name = d + "/hook"
			}
			b.Run(name, func(b *testing.B) {
				svc, _ := benchService(b, d)
				if hook {
					svc.OnChange(svc.ApplySLA)
				}
				ctx := context.Background()
				in := commands.TicketInput{CustomerKey: "ACME", Title: "Login fails", Priority: "urgent", Source: domain.SourceSlash}
				for b.Loop() {
					if _, err := svc.CreateTicket(ctx, agent, in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

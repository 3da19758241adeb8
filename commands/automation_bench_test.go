package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// BenchmarkCreateTicketWithRules is creating a ticket with the automation
// hook on: no rules (the baseline: the hook returns at once), and 200
// rules of which none fires (the hook reads the ticket's facts once and
// matches them all inside the transaction). The pure matching alone is
// domain/automation's BenchmarkMatch.
func BenchmarkCreateTicketWithRules(b *testing.B) {
	var rules strings.Builder
	for i := range 200 {
		fmt.Fprintf(&rules, "  - {name: r%d, on: created, if: {tier: gold, any: [{text_contains: w%d}, {priority: urgent}]}, then: [{add_tag: t%d}]}\n", i, i, i%10)
	}
	configs := map[string]*domain.Config{"rules=0": domain.DefaultConfig(), "rules=200": withRules(b, rules.String())}
	for _, d := range storagetest.Dialects {
		for _, name := range []string{"rules=0", "rules=200"} {
			b.Run(d+"/"+name, func(b *testing.B) {
				svc, _ := benchService(b, d)
				svc.SetConfig(configs[name])
				svc.OnChange(svc.Automate)
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
}

package commands_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

func TestQueryByTag(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b, _ := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		err := e.db.Update(ctx, func(tx domain.Tx) error {
			for _, tag := range []struct {
				id  int64
				tag string
			}{{a.ID, "VIP"}, {a.ID, "billing"}, {b.ID, "billing"}} {
				if _, err := tx.AddTag(ctx, tag.id, tag.tag); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{
			"tag:vip":         "[ACME-1]",
			"tag:billing":     "[ACME-2 ACME-1]",
			"tag:vip,billing": "[ACME-2 ACME-1]",
			"-tag:billing":    "[ACME-3]",
			"tag:none":        "[ACME-3]",
			"tag:none|vip":    "[ACME-3 ACME-1]",
		} {
			r, err := e.svc.QueryTickets(ctx, agent, q, 0)
			if err != nil {
				t.Errorf("%s: %v", q, err)
				continue
			}
			var keys []string
			for _, tk := range r.Tickets {
				keys = append(keys, tk.Key())
			}
			if fmt.Sprint(keys) != want {
				t.Errorf("%s: %v, want %s", q, keys, want)
			}
		}
	})
}

package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// checkBlockers refuses to start or resolve a ticket while a ticket that
// blocks it is not done, naming each. Closing stays possible: a blocked
// ticket may be dropped. Which statuses count is the config's
// (domain.Config.BlockedBy: started statuses and resolved ones).
//
// A blocker the actor may not see (another customer's) is named as an
// internal task.
func checkBlockers(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, to string) error {
	if !cfg.BlockedBy(to) {
		return nil
	}
	open, err := openBlockers(ctx, tx, cfg, t.ID)
	if err != nil || len(open) == 0 {
		return err
	}
	names := make([]string, len(open))
	for i, b := range open {
		names[i] = fmt.Sprintf("%s (%s)", b.Key(), cfg.StatusLabel(b.Status))
		if !canSee(a, b) {
			names[i] = InternalTask
		}
	}
	them := "it"
	if len(open) > 1 {
		them = "them"
	}
	return domain.FieldErrorf("status", "%s is blocked by %s: resolve %s before moving %s to %s.",
		t.Key(), joinAnd(names), them, t.Key(), cfg.StatusLabel(to))
}

// openBlockers lists the tickets that block id and are not done yet.
func openBlockers(ctx context.Context, tx domain.Tx, cfg *domain.Config, id int64) ([]*domain.Ticket, error) {
	links, err := tx.Links(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []*domain.Ticket
	for _, l := range links {
		if l.Kind != domain.LinkBlocks || l.ToID != id {
			continue
		}
		b, err := tx.Ticket(ctx, l.FromID)
		if err != nil {
			return nil, err
		}
		if st := cfg.Status(b.Status); st == nil || !st.Done() {
			out = append(out, b)
		}
	}
	return out, nil
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

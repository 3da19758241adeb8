package commands

import (
	"context"
	"slices"

	"github.com/deskbot/deskbot/domain"
)

// Link relates two tickets: from blocks to, or from is the parent of to.
// Cycles are refused, since a ticket that waits on itself never moves.
func (s *Service) Link(ctx context.Context, a domain.Actor, fromKey, kind, toKey string) error {
	if err := requireAgent(a, "link tickets"); err != nil {
		return err
	}
	if kind != domain.LinkBlocks && kind != domain.LinkParent && kind != domain.LinkFollowUp {
		return domain.FieldErrorf("kind", "A link is %q, %q or %q, not %q.", domain.LinkBlocks, domain.LinkParent, domain.LinkFollowUp, kind)
	}
	return s.store.Update(ctx, func(tx domain.Tx) error {
		from, err := ticketFor(ctx, tx, a, fromKey)
		if err != nil {
			return err
		}
		to, err := ticketFor(ctx, tx, a, toKey)
		if err != nil {
			return err
		}
		if from.ID == to.ID {
			return domain.Errorf(domain.EINVALID, "A ticket cannot be linked to itself.")
		}
		// A cycle appears if "from" is already reachable from "to".
		reach, err := reachable(ctx, tx, to.ID, kind)
		if err != nil {
			return err
		}
		if slices.Contains(reach, from.ID) {
			return domain.Errorf(domain.EINVALID, "%s already depends on %s through its links; linking them this way would make a cycle.", from.Key(), to.Key())
		}
		if err := tx.AddLink(ctx, &domain.Link{FromID: from.ID, ToID: to.ID, Kind: kind}); err != nil {
			return err
		}
		if err := event(ctx, tx, a, from, domain.EventLinked, kind, "", to.Key()); err != nil {
			return err
		}
		if err := event(ctx, tx, a, to, domain.EventLinked, kind+"_by", "", from.Key()); err != nil {
			return err
		}
		if err := refreshCard(ctx, tx, from); err != nil {
			return err
		}
		return refreshCard(ctx, tx, to)
	})
}

// reachable lists the tickets reachable from id along links of one kind.
func reachable(ctx context.Context, tx domain.LinkStore, id int64, kind string) ([]int64, error) {
	seen := []int64{id}
	for queue := []int64{id}; len(queue) > 0; {
		cur := queue[0]
		queue = queue[1:]
		links, err := tx.Links(ctx, cur)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if l.Kind == kind && l.FromID == cur && !slices.Contains(seen, l.ToID) {
				seen = append(seen, l.ToID)
				queue = append(queue, l.ToID)
			}
		}
	}
	return seen, nil
}

package commands

import (
	"context"
	"slices"

	"github.com/deskbot/deskbot/domain"
)

// TagTicket adds and removes a ticket's tags by hand (`/ticket ACME-7 tag
// +billing -urgent`): one event per tag changed, the card refreshed, and
// returns the tags it has now.
func (s *Service) TagTicket(ctx context.Context, a domain.Actor, key string, c domain.TagChange) (*domain.Ticket, []string, error) {
	if err := requireAgent(a, "tag tickets"); err != nil {
		return nil, nil, err
	}
	cfg := s.Config()
	var t *domain.Ticket
	var tags []string
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		if err := s.applyTags(ctx, tx, cfg, a, t, c); err != nil {
			return err
		}
		tags, err = tx.Tags(ctx, t.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return t, tags, nil
}

// SetTags makes a ticket's tags exactly tags (the Edit form).
func (s *Service) SetTags(ctx context.Context, a domain.Actor, key string, tags []string) error {
	if err := requireAgent(a, "tag tickets"); err != nil {
		return err
	}
	cfg := s.Config()
	return s.store.Update(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		have, err := tx.Tags(ctx, t.ID)
		if err != nil {
			return err
		}
		var c domain.TagChange
		for _, tag := range tags {
			if !slices.Contains(have, tag) {
				c.Add = append(c.Add, tag)
			}
		}
		for _, tag := range have {
			if !slices.Contains(tags, tag) {
				c.Remove = append(c.Remove, tag)
			}
		}
		return s.applyTags(ctx, tx, cfg, a, t, c)
	})
}

// applyTags applies a tag change inside tx; a ticket keeps at most
// domain.MaxTicketTags. Tags already there (or already gone) change nothing.
func (s *Service) applyTags(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, c domain.TagChange) error {
	have, err := tx.Tags(ctx, t.ID)
	if err != nil {
		return err
	}
	n := len(have)
	for _, tag := range c.Add {
		if !slices.Contains(have, tag) {
			n++
		}
	}
	for _, tag := range c.Remove {
		if slices.Contains(have, tag) {
			n--
		}
	}
	if n > domain.MaxTicketTags && n > len(have) {
		return domain.TooManyTags(t.Key(), n)
	}
	changed := false
	for _, tag := range c.Remove {
		did, err := tx.RemoveTag(ctx, t.ID, tag)
		if err != nil {
			return err
		}
		if did {
			changed = true
			if err := event(ctx, tx, a, t, domain.EventTag, "tag", tag, ""); err != nil {
				return err
			}
		}
	}
	for _, tag := range c.Add {
		did, err := tx.AddTag(ctx, t.ID, tag)
		if err != nil {
			return err
		}
		if did {
			changed = true
			if err := event(ctx, tx, a, t, domain.EventTag, "tag", "", tag); err != nil {
				return err
			}
		}
	}
	if !changed {
		return nil
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventTag); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

// AllTags lists the tags in use, for the Edit form's choices.
func (s *Service) AllTags(ctx context.Context, a domain.Actor) ([]domain.TagCount, error) {
	var out []domain.TagCount
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		out, err = tx.AllTags(ctx)
		return err
	})
	return out, err
}

// TagRename is what a tag rename did.
type TagRename struct {
	Tickets int // tickets that carried the old tag
	Merged  int // of them, those that already had the new one
}

// RenameTag renames a tag on every ticket (admins): a ticket that already
// has the new tag just loses the old one. Each ticket gets one event (tag
// old → new), in one transaction; automations do not run, as nothing
// about the tickets changed but a name.
func (s *Service) RenameTag(ctx context.Context, a domain.Actor, from, to string) (TagRename, error) {
	var r TagRename
	if !s.IsAdmin(a) {
		return r, domain.Errorf(domain.EFORBIDDEN, "Only admins can rename tags.")
	}
	from, to = domain.NormalizeTag(from), domain.NormalizeTag(to)
	for _, tag := range []string{from, to} {
		if err := domain.ValidateTag(tag); err != nil {
			return r, err
		}
	}
	if from == to {
		return r, domain.Errorf(domain.EINVALID, "The old and new names are the same.")
	}
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		r = TagRename{}
		ids, err := tx.TicketsTagged(ctx, from)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No ticket has the tag %s.", from)
		}
		for _, id := range ids {
			t, err := tx.Ticket(ctx, id)
			if err != nil {
				return err
			}
			if _, err := tx.RemoveTag(ctx, id, from); err != nil {
				return err
			}
			added, err := tx.AddTag(ctx, id, to)
			if err != nil {
				return err
			}
			r.Tickets++
			if !added {
				r.Merged++
			}
			if err := event(ctx, tx, a, t, domain.EventTag, "tag", from, to); err != nil {
				return err
			}
			// No change hooks (automations do not run on a rename), but
			// the ticket's watchers hear of it.
			if err := s.notifyWatchers(ctx, tx, nil, t, nil); err != nil {
				return err
			}
			if err := refreshCard(ctx, tx, t); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

// TicketTags lists a ticket's tags.
func (s *Service) TicketTags(ctx context.Context, a domain.Actor, key string) ([]string, error) {
	var tags []string
	err := s.view(ctx, a, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		tags, err = tx.Tags(ctx, t.ID)
		return err
	})
	return tags, err
}

package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// MaxViewName is the longest view name kept.
const MaxViewName = 80

// SaveView saves a query under a name, personal or shared with the team.
// What is stored is the query as it ran (aliases expanded, the default
// status filter made explicit), so running the view later lists what the
// list showed; relative parts ("me", "2d") stay relative.
func (s *Service) SaveView(ctx context.Context, a domain.Actor, name, q string, shared bool) (*domain.SavedView, error) {
	if shared {
		if err := requireAgent(a, "share views"); err != nil {
			return nil, err
		}
	}
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return nil, domain.FieldErrorf("name", "Give the view a name, like `/desk view save \"Acme urgent\" customer:acme priority:urgent`.")
	case utf8.RuneCountInString(name) > MaxViewName:
		return nil, domain.FieldErrorf("name", "Keep the view's name under %d characters.", MaxViewName)
	case a.UserID == "":
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only Slack users can save views.")
	}
	v := &domain.SavedView{Name: name, Owner: a.UserID, Shared: shared}
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		parsed, err := s.parseList(ctx, tx, q)
		if err != nil {
			return err
		}
		// Resolve once now, so a query that cannot run is refused here.
		if _, err := parsed.Resolve(query.Env{Now: tx.Now(), Me: a.UserID}); err != nil {
			return queryError(parsed.String(), err)
		}
		v.Query = parsed.String()
		return tx.CreateSavedView(ctx, v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// ListViews lists the actor's views, then those others share.
func (s *Service) ListViews(ctx context.Context, a domain.Actor) ([]*domain.SavedView, error) {
	var out []*domain.SavedView
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		out, err = tx.SavedViews(ctx, a.UserID)
		return err
	})
	return out, err
}

// findView finds a view by name (ignoring case): the actor's own first,
// then a shared one. mine limits it to the actor's own.
func findView(ctx context.Context, tx domain.ViewStore, a domain.Actor, name string, mine bool) (*domain.SavedView, error) {
	views, err := tx.SavedViews(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	var names []string
	for _, v := range views {
		if mine && v.Owner != a.UserID {
			continue
		}
		if strings.EqualFold(v.Name, name) {
			return v, nil
		}
		names = append(names, v.Name)
	}
	if len(names) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "You have no saved views yet. Save one with `/desk view save \"Name\" <query>`.")
	}
	if sug, ok := query.Suggest(name, names); ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no view %q. Did you mean %q?", name, sug)
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "There is no view %q. `/desk view list` shows yours.", name)
}

// RunView runs a saved view (the actor's own, else a shared one) as the
// actor: "me" is whoever runs it.
func (s *Service) RunView(ctx context.Context, a domain.Actor, name string, page int, loc *time.Location) (*ViewResult, error) {
	var r *ViewResult
	err := s.view(ctx, a, func(tx domain.Tx) error {
		v, err := findView(ctx, tx, a, name, false)
		if err != nil {
			return err
		}
		r, err = s.runSaved(ctx, tx, a, v, page, loc)
		return err
	})
	return r, err
}

func (s *Service) runSaved(ctx context.Context, tx domain.Tx, a domain.Actor, v *domain.SavedView, page int, loc *time.Location) (*ViewResult, error) {
	customers, err := tx.Customers(ctx)
	if err != nil {
		return nil, err
	}
	q, err := query.Parse(v.Query, vocabulary(s.Config(), customers))
	if err != nil {
		// The config changed under the view (a status renamed): say which.
		return nil, domain.Errorf(domain.EINVALID, "The view %q no longer runs: %s", v.Name, domain.ErrorMessage(queryError(v.Query, err)))
	}
	r, err := s.runQuery(ctx, tx, a, q, page, loc, 0)
	if err != nil {
		return nil, err
	}
	r.View = v
	return r, nil
}

// changeView applies fn to one of the actor's own views and saves it.
func (s *Service) changeView(ctx context.Context, a domain.Actor, name string, fn func(v *domain.SavedView) error) (*domain.SavedView, error) {
	var v *domain.SavedView
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if v, err = findView(ctx, tx, a, name, true); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		return tx.UpdateSavedView(ctx, v)
	})
	return v, err
}

// PinView pins one of the actor's views to their App Home (or unpins it).
func (s *Service) PinView(ctx context.Context, a domain.Actor, name string, pinned bool) (*domain.SavedView, error) {
	return s.changeView(ctx, a, name, func(v *domain.SavedView) error { v.Pinned = pinned; return nil })
}

// ShareView shares one of the actor's views with the team, or stops sharing it.
func (s *Service) ShareView(ctx context.Context, a domain.Actor, name string, shared bool) (*domain.SavedView, error) {
	if err := requireAgent(a, "share views"); err != nil {
		return nil, err
	}
	return s.changeView(ctx, a, name, func(v *domain.SavedView) error { v.Shared = shared; return nil })
}

// SetDigest schedules a view's digest ("mon 09:00 Europe/Paris") into a
// channel ("" DMs the owner); an empty schedule stops it. Slots before
// now never fire, so setting a schedule never posts a past one.
func (s *Service) SetDigest(ctx context.Context, a domain.Actor, name, schedule, channel string) (*domain.SavedView, error) {
	if err := requireAgent(a, "schedule digests"); err != nil {
		return nil, err
	}
	canon := ""
	if strings.TrimSpace(schedule) != "" {
		sc, err := domain.ParseSchedule(schedule)
		if err != nil {
			return nil, err
		}
		canon = sc.String()
	}
	var v *domain.SavedView
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if v, err = findView(ctx, tx, a, name, true); err != nil {
			return err
		}
		now := tx.Now()
		v.Digest, v.DigestChannel, v.DigestSince = canon, channel, &now
		if canon == "" {
			v.DigestChannel, v.DigestSince = "", nil
		}
		return tx.UpdateSavedView(ctx, v)
	})
	return v, err
}

// DeleteView deletes one of the actor's views.
func (s *Service) DeleteView(ctx context.Context, a domain.Actor, name string) error {
	return s.store.Update(ctx, func(tx domain.Tx) error {
		v, err := findView(ctx, tx, a, name, true)
		if err != nil {
			return err
		}
		return tx.DeleteSavedView(ctx, v.ID)
	})
}

// DigestJob is the payload of an OutboxDigest message: post the view's
// digest for one slot into Channel, or DM User when Channel is empty.
type DigestJob struct {
	ViewID  int64     `json:"view_id"`
	Slot    time.Time `json:"slot"`
	Channel string    `json:"channel,omitempty"`
	User    string    `json:"user,omitempty"`
}

// digestGrace is how late a slot may still be sent: a replica back from
// an outage sends this morning's digest, not last week's.
const digestGrace = 6 * time.Hour

// DueDigests queues the digest of every saved view whose latest slot has
// come, and returns how many it queued. The scheduler calls it every
// minute or so. Each slot is claimed by a unique (view, slot) row in the
// transaction that queues the post, so replicas looking together, or a
// restart in the middle, never send a slot twice.
func (s *Service) DueDigests(ctx context.Context) (int, error) {
	var views []*domain.SavedView
	var now time.Time
	if err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		now = tx.Now()
		views, err = tx.DigestViews(ctx)
		return err
	}); err != nil {
		return 0, err
	}
	queued := 0
	for _, v := range views {
		sc, err := domain.ParseSchedule(v.Digest)
		if err != nil {
			s.log.Warn("views: bad digest schedule", "view", v.ID, "schedule", v.Digest, "err", err)
			continue
		}
		slot := sc.Last(now)
		if slot.IsZero() || now.Sub(slot) > digestGrace || v.DigestSince != nil && slot.Before(*v.DigestSince) {
			continue
		}
		job := DigestJob{ViewID: v.ID, Slot: slot, Channel: v.DigestChannel}
		if job.Channel == "" {
			job.User = v.Owner
		}
		var claimed bool
		err = s.store.Update(ctx, func(tx domain.Tx) (err error) {
			if claimed, err = tx.ClaimDigest(ctx, v.ID, slot); err != nil || !claimed {
				return err
			}
			payload, err := json.Marshal(job)
			if err != nil {
				return fmt.Errorf("commands: unable to encode digest: %w", err)
			}
			return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxDigest, Payload: string(payload)})
		})
		if err != nil {
			if ctx.Err() != nil {
				return queued, ctx.Err()
			}
			s.log.Error("views: unable to queue digest", "view", v.ID, "err", err)
			continue
		}
		if claimed {
			queued++
		}
	}
	return queued, nil
}

// Digest runs a digest's view as its owner (an agent: only agents
// schedule digests), with days in the schedule's zone, for the transport
// to post. A deleted view gives ENOTFOUND, and the digest is dropped.
//
// A digest posted in a customer's channel is read in that customer's
// scope, whatever its query: the channel's readers are the customer.
func (s *Service) Digest(ctx context.Context, job DigestJob) (*ViewResult, error) {
	scope := domain.Scope{}
	err := s.store.View(ctx, func(tx domain.Tx) error {
		v, err := tx.SavedView(ctx, job.ViewID)
		if err != nil {
			return err
		}
		p, err := tx.CustomerByChannel(ctx, v.DigestChannel)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			return nil
		case err != nil:
			return err
		}
		scope = domain.Scope{Customer: true, CustomerID: p.ID, UserID: v.Owner}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var r *ViewResult
	err = s.store.ViewAs(ctx, scope, func(tx domain.Tx) error {
		v, err := tx.SavedView(ctx, job.ViewID)
		if err != nil {
			return err
		}
		owner := domain.Actor{UserID: v.Owner, Role: domain.RoleAgent, Channel: domain.ChannelScheduler}
		loc := time.UTC
		if sc, err := domain.ParseSchedule(v.Digest); err == nil {
			loc = sc.Loc
		}
		r, err = s.runSaved(ctx, tx, owner, v, 0, loc)
		if err == nil && scope.Customer {
			r.forCustomer()
		}
		return err
	})
	return r, err
}

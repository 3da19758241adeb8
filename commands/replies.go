package commands

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// Saved replies (macros). Any agent keeps personal replies and uses the
// shared ones; only admins (IsAdmin) add, edit or delete shared replies,
// so the team's wording changes in one place, by people who answer for it.

// slackUserRE is a Slack user ID, as a saved reply's assignee.
var slackUserRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// ReplyInput is a saved reply as a form or a command gives it.
type ReplyInput struct {
	ID       int64 // 0: a new reply
	Name     string
	Body     string
	Shared   bool
	Status   string // a status to move the ticket to, "" none
	Priority string
	Tags     string // tags to add, space- or comma-separated
	Assignee string // a Slack user ID, "me", or ""
}

// SavedReplies lists the replies a person may use: the shared ones and their own, by name.
func (s *Service) SavedReplies(ctx context.Context, a domain.Actor) ([]*domain.SavedReply, error) {
	if err := requireAgent(a, "use saved replies"); err != nil {
		return nil, err
	}
	var out []*domain.SavedReply
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		out, err = tx.SavedReplies(ctx, a.UserID)
		return err
	})
	return out, err
}

// FindSavedReply finds one of a person's replies by name (case does not
// matter), their own before a shared one of the same name.
func (s *Service) FindSavedReply(ctx context.Context, a domain.Actor, name string) (*domain.SavedReply, error) {
	rs, err := s.SavedReplies(ctx, a)
	if err != nil {
		return nil, err
	}
	var found *domain.SavedReply
	for _, r := range rs {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) && (found == nil || !r.Shared()) {
			found = r
		}
	}
	if found == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no saved reply named %q; `/desk reply list` shows them.", name)
	}
	return found, nil
}

// mayChangeReply: one's own replies, and shared ones for admins.
func (s *Service) mayChangeReply(a domain.Actor, r *domain.SavedReply) error {
	if r.Shared() && !s.IsAdmin(a) {
		return domain.Errorf(domain.EFORBIDDEN, "Only admins can change shared replies; keep a personal one instead.")
	}
	if !r.Shared() && r.Owner != a.UserID {
		return domain.Errorf(domain.ENOTFOUND, "Saved reply not found.")
	}
	return nil
}

// SaveReply adds or edits a saved reply; unknown placeholders, statuses,
// priorities and tags are refused with what is known.
func (s *Service) SaveReply(ctx context.Context, a domain.Actor, in ReplyInput) (*domain.SavedReply, error) {
	if err := requireAgent(a, "keep saved replies"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	r := &domain.SavedReply{ID: in.ID, Name: in.Name, Body: in.Body, Status: strings.TrimSpace(in.Status),
		Priority: strings.TrimSpace(in.Priority), Tags: in.Tags, Assignee: strings.TrimSpace(in.Assignee), CreatedBy: a.Ref()}
	if !in.Shared {
		r.Owner = a.UserID
	}
	if err := domain.ValidateSavedReply(r); err != nil {
		return nil, err
	}
	if r.Status != "" && cfg.Status(r.Status) == nil {
		return nil, domain.FieldErrorf("status", "There is no status %q.", r.Status)
	}
	if r.Priority != "" && !cfg.HasPriority(r.Priority) {
		return nil, domain.FieldErrorf("priority", "%s", unknownMsg("priority", r.Priority, cfg.Priorities))
	}
	if as := r.Assignee; as != "" && as != "me" && !slackUserRE.MatchString(as) {
		return nil, domain.FieldErrorf("assign_user", "%q is not a person to assign to.", as)
	}
	if err := s.mayChangeReply(a, r); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		if r.ID != 0 {
			old, err := tx.SavedReply(ctx, r.ID)
			if err != nil {
				return err
			}
			if err := s.mayChangeReply(a, old); err != nil {
				return err
			}
			r.CreatedBy, r.Uses = old.CreatedBy, old.Uses
		} else {
			n, err := tx.SavedReplies(ctx, a.UserID)
			if err != nil {
				return err
			}
			if len(n) >= domain.MaxReplies {
				return domain.Errorf(domain.EINVALID, "You see %d saved replies already; delete one first.", len(n))
			}
		}
		return tx.SaveReply(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteSavedReply deletes one of a person's replies by name.
func (s *Service) DeleteSavedReply(ctx context.Context, a domain.Actor, name string) (*domain.SavedReply, error) {
	r, err := s.FindSavedReply(ctx, a, name)
	if err != nil {
		return nil, err
	}
	if err := s.mayChangeReply(a, r); err != nil {
		return nil, err
	}
	return r, s.store.Update(ctx, func(tx domain.Tx) error { return tx.DeleteReply(ctx, r.ID) })
}

// ExpandSavedReply is a saved reply's text filled for a ticket, as the
// Reply to customer form shows it before sending.
func (s *Service) ExpandSavedReply(ctx context.Context, a domain.Actor, key string, id int64) (string, *domain.SavedReply, error) {
	if err := requireAgent(a, "use saved replies"); err != nil {
		return "", nil, err
	}
	var text string
	var r *domain.SavedReply
	err := s.store.View(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		if r, err = s.usableReply(ctx, tx, a, id); err != nil {
			return err
		}
		rc, err := s.replyContext(ctx, tx, a, t)
		text = domain.ExpandReply(r.Body, rc)
		return err
	})
	return text, r, err
}

func (s *Service) usableReply(ctx context.Context, tx domain.ReplyStore, a domain.Actor, id int64) (*domain.SavedReply, error) {
	r, err := tx.SavedReply(ctx, id)
	if err != nil {
		return nil, err
	}
	if !r.Shared() && r.Owner != a.UserID {
		return nil, domain.Errorf(domain.ENOTFOUND, "Saved reply not found.")
	}
	return r, nil
}

// replyContext gathers what placeholders expand to for t. Dates are in
// the requester's time zone: their customer's, else UTC.
func (s *Service) replyContext(ctx context.Context, tx domain.Tx, a domain.Actor, t *domain.Ticket) (domain.ReplyContext, error) {
	cfg := s.Config()
	rc := domain.ReplyContext{RequesterName: t.RequesterName, RequesterEmail: t.RequesterEmail, TicketKey: t.Key(),
		TicketTitle: t.Title, TicketStatus: cfg.StatusLabel(t.Status), TicketPriority: t.Priority, AgentName: a.Name, Loc: time.UTC}
	if t.DueAt != nil && t.DuePublic {
		rc.Due = *t.DueAt
	}
	recs, err := tx.TicketRecords(ctx, []int64{t.ID})
	if err != nil || len(recs) == 0 {
		return rc, err
	}
	p := recs[0].Customer
	rc.CustomerName, rc.CustomerKey = p.Name, p.Key
	if loc, err := time.LoadLocation(p.TimeZone); err == nil && p.TimeZone != "" {
		rc.Loc = loc
	}
	if v := s.cardOf(cfg, recs[0], tx.Now()); v.SLA != nil {
		for _, c := range v.SLA.Clocks {
			switch c.Target {
			case domain.TargetFirstResponse:
				rc.FirstResponseDue = c.Due
			case domain.TargetResolution:
				rc.ResolutionDue = c.Due
			}
		}
	}
	return rc, nil
}

// applySavedReply sets what a saved reply sets besides its text, inside
// the reply's transaction, each through its use case's own checks (the
// workflow's moves, the known priorities, tag syntax): one event each.
func (s *Service) applySavedReply(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, r *domain.SavedReply) error {
	if r.Status != "" && r.Status != t.Status {
		if err := s.moveStatus(ctx, tx, cfg, a, t, r.Status); err != nil {
			return err
		}
	}
	if r.Priority != "" {
		if err := s.setPriority(ctx, tx, cfg, a, t, r.Priority); err != nil {
			return err
		}
	}
	if r.Tags != "" {
		if err := s.applyTags(ctx, tx, cfg, a, t, domain.TagChange{Add: strings.Fields(r.Tags)}); err != nil {
			return err
		}
	}
	if as := r.Assignee; as != "" {
		if as == "me" {
			as = a.UserID
		}
		if err := s.assign(ctx, tx, a, t, as); err != nil {
			return err
		}
	}
	return tx.CountReplyUse(ctx, r.ID)
}

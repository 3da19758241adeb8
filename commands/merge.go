package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// NoticeMerged tells the source's customer their ticket goes on in
// another one, once, where they follow it (PostJob and EmailJob). Args:
// into (the target's key, only when it is the same customer's).
const NoticeMerged = "merged"

// NoticeUnmerged tells the source's customer, where the merge told them,
// that an undone merge leaves their ticket on its own again. Args: from
// (the target's key, only when it is the same customer's).
const NoticeUnmerged = "unmerged"

// MergePlan is what a merge would do, checked before anything changes.
type MergePlan struct {
	Source, Target *domain.Ticket
	// Cross: the tickets are different customers'; an admin must confirm.
	Cross bool
	// SourceCustomer and TargetCustomer are the customers' keys.
	SourceCustomer, TargetCustomer string
}

// MergeResult is a merge done or undone.
type MergeResult struct {
	Source, Target *domain.Ticket
	Merge          *domain.Merge
}

// CheckMerge tells whether source may be merged into target, and whether
// it crosses customers; it changes nothing (the modal's validation).
func (s *Service) CheckMerge(ctx context.Context, a domain.Actor, sourceKey, targetKey string) (*MergePlan, error) {
	if err := requireAgent(a, "merge tickets"); err != nil {
		return nil, err
	}
	var p *MergePlan
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		p, err = s.planMerge(ctx, tx, sourceKey, targetKey)
		return err
	})
	return p, err
}

func (s *Service) planMerge(ctx context.Context, tx domain.Tx, sourceKey, targetKey string) (*MergePlan, error) {
	src, err := mergeTicket(ctx, tx, sourceKey, "source")
	if err != nil {
		return nil, err
	}
	dst, err := mergeTicket(ctx, tx, targetKey, "target")
	if err != nil {
		return nil, err
	}
	if src.ID == dst.ID {
		return nil, domain.FieldErrorf("target", "A ticket cannot be merged into itself: name the ticket %s goes on in.", src.Key())
	}
	if m, err := tx.LiveMerge(ctx, src.ID); err == nil {
		into, _ := tx.Ticket(ctx, m.TargetID)
		return nil, domain.Errorf(domain.ECONFLICT, "%s is already merged into %s.", src.Key(), mergedKey(into))
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	if m, err := tx.LiveMerge(ctx, dst.ID); err == nil {
		into, _ := tx.Ticket(ctx, m.TargetID)
		return nil, domain.FieldErrorf("target", "%s was merged into %s: merge into %s instead.", dst.Key(), mergedKey(into), mergedKey(into))
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	cfg := s.Config()
	if st := cfg.Status(dst.Status); st != nil && st.Done() {
		return nil, domain.FieldErrorf("target", "%s is %s: reopen it first, or merge it into %s instead.", dst.Key(), strings.ToLower(cfg.StatusLabel(dst.Status)), src.Key())
	}
	if mergedStatus(cfg) == "" {
		return nil, domain.Errorf(domain.EINVALID, "The config has no status of category closed to put a merged ticket in.")
	}
	return &MergePlan{Source: src, Target: dst, Cross: src.CustomerID != dst.CustomerID,
		SourceCustomer: src.CustomerKey, TargetCustomer: dst.CustomerKey}, nil
}

func mergeTicket(ctx context.Context, tx domain.TicketStore, key, field string) (*domain.Ticket, error) {
	if !domain.IsKey(key) {
		return nil, domain.FieldErrorf(field, "%q is not a ticket key (like ACME-42).", key)
	}
	t, err := tx.TicketByKey(ctx, key)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.FieldErrorf(field, "There is no ticket %s.", strings.ToUpper(key))
	}
	return t, err
}

func mergedKey(t *domain.Ticket) string {
	if t == nil {
		return "another ticket"
	}
	return t.Key()
}

// mergedStatus is where a merged ticket goes: the first closed status.
func mergedStatus(cfg *domain.Config) string {
	for _, st := range cfg.Statuses {
		if st.Category == domain.CategoryClosed {
			return st.Name
		}
	}
	return ""
}

// MergeTickets merges source into target in one transaction: its
// comments, time, attachments, mail threading, participants and links
// move to the target, the source closes as merged, each ticket gets one
// event, the source's customer is told once. Across customers only an
// admin may merge, and only with confirmed set (their second click).
func (s *Service) MergeTickets(ctx context.Context, a domain.Actor, sourceKey, targetKey string, confirmed bool) (*MergeResult, error) {
	if err := requireAgent(a, "merge tickets"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	var res *MergeResult
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		p, err := s.planMerge(ctx, tx, sourceKey, targetKey)
		if err != nil {
			return err
		}
		if p.Cross {
			if err := s.mayMergeAcross(ctx, tx, a, p, confirmed); err != nil {
				return err
			}
		}
		res, err = s.merge(ctx, tx, cfg, a, p)
		return err
	})
	return res, err
}

// mayMergeAcross refuses a merge across customers unless an admin
// confirmed it, and when it would move invoiced time to another customer.
func (s *Service) mayMergeAcross(ctx context.Context, tx domain.Tx, a domain.Actor, p *MergePlan, confirmed bool) error {
	switch {
	case !s.IsAdmin(a):
		return domain.Errorf(domain.EFORBIDDEN, "%s is %s's and %s is %s's: only a deskbot admin can merge tickets of different customers.",
			p.Source.Key(), p.SourceCustomer, p.Target.Key(), p.TargetCustomer)
	case !confirmed:
		return domain.Errorf(domain.ECONFLICT, "%s is %s's and %s is %s's: confirm to merge across customers.",
			p.Source.Key(), p.SourceCustomer, p.Target.Key(), p.TargetCustomer)
	}
	es, err := tx.TimeEntries(ctx, domain.TimeFilter{TicketID: p.Source.ID})
	if err != nil {
		return err
	}
	for _, e := range es {
		for _, c := range []int64{p.Source.CustomerID, p.Target.CustomerID} {
			if l, err := tx.BillingLockAt(ctx, c, e.StartedAt); err == nil {
				return domain.Errorf(domain.EINVALID, "%s has time in %s, an invoiced period: it cannot move to another customer.", p.Source.Key(), l.Period)
			} else if domain.ErrorCode(err) != domain.ENOTFOUND {
				return err
			}
		}
	}
	return nil
}

func (s *Service) merge(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, p *MergePlan) (*MergeResult, error) {
	src, dst := p.Source, p.Target
	m := &domain.Merge{SourceID: src.ID, TargetID: dst.ID, MergedBy: a.Ref()}
	m.Moved.Source = domain.SourceBefore{Status: src.Status, ResolvedAt: src.ResolvedAt, ClosedAt: src.ClosedAt,
		SLAPolicy: src.SLAPolicy, SLADueAt: src.SLADueAt, SLADeadline: src.SLADeadline}
	// Told before the mail threading moves: the notice answers the
	// source's own thread, and moves with it.
	if err := s.tellMerged(ctx, tx, src, dst); err != nil {
		return nil, err
	}
	if err := tx.MergeTickets(ctx, m, dst.CustomerID); err != nil {
		return nil, err
	}
	prev := src.Status
	now := tx.Now()
	src.Status, src.ClosedAt = mergedStatus(cfg), &now
	if src.ResolvedAt == nil {
		src.ResolvedAt = &now
	}
	if err := tx.UpdateTicket(ctx, src); err != nil {
		return nil, err
	}
	// One event each. The source's carries its status before the merge
	// (OldValue), which the SLA clock reads as the move to closed.
	if err := event(ctx, tx, a, src, domain.EventMerged, "merged_into", prev, dst.Key()); err != nil {
		return nil, err
	}
	if err := event(ctx, tx, a, dst, domain.EventMerged, "merged_from", "", src.Key()); err != nil {
		return nil, err
	}
	// The source's clock stops (no more alerts); the target's is left as
	// it was: what came with the merge is not its conversation. No
	// automation runs: a merge is bookkeeping, not a customer's closure.
	if err := s.ApplySLA(ctx, tx, cfg, src, []string{domain.EventStatus}); err != nil {
		return nil, err
	}
	if err := refreshCard(ctx, tx, src); err != nil {
		return nil, err
	}
	return &MergeResult{Source: src, Target: dst, Merge: m}, refreshCard(ctx, tx, dst)
}

// tellMerged tells the source's customer once where it goes on: by mail
// when it came by mail, else in its Slack thread. Another customer's
// ticket is never named to them.
func (s *Service) tellMerged(ctx context.Context, tx domain.Tx, src, dst *domain.Ticket) error {
	return s.tellMerge(ctx, tx, src, dst, NoticeMerged, "into")
}

// tellMerge words a merge, or its undoing, for the source's customer, the
// same way both times: the undo tells them where the merge did.
func (s *Service) tellMerge(ctx context.Context, tx domain.Tx, src, dst *domain.Ticket, notice, arg string) error {
	args := map[string]string{}
	if src.CustomerID == dst.CustomerID {
		args[arg] = dst.Key()
	}
	by := domain.SystemActor(domain.ChannelSlack).Ref()
	switch {
	case src.EmailThread != "" && src.RequesterEmail != "" && s.mail.sending():
		return s.mailTicket(ctx, tx, src, mailSpec{kind: notice, auto: "auto-generated",
			text: noticeMail(src, EmailJob{Notice: notice, Args: args})})
	case src.SlackChannel != "":
		return post(ctx, tx, PostJob{Notice: notice, TicketID: src.ID, InTicketThread: true, By: by, Args: args})
	}
	return nil
}

// Unmerge undoes a merge within domain.MergeUndoWindow: exactly what
// moved goes back (what was added to the target since stays), the source
// gets its status back, each ticket one event.
func (s *Service) Unmerge(ctx context.Context, a domain.Actor, sourceKey string) (*MergeResult, error) {
	if err := requireAgent(a, "undo a merge"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	var res *MergeResult
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		src, err := mergeTicket(ctx, tx, sourceKey, "source")
		if err != nil {
			return err
		}
		m, err := tx.LiveMerge(ctx, src.ID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Errorf(domain.ENOTFOUND, "%s is not merged into another ticket.", src.Key())
		} else if err != nil {
			return err
		}
		dst, err := tx.Ticket(ctx, m.TargetID)
		if err != nil {
			return err
		}
		if later, err := tx.LiveMerge(ctx, dst.ID); err == nil {
			// What moved went on with the target: undo that merge first.
			into, _ := tx.Ticket(ctx, later.TargetID)
			return domain.Errorf(domain.EINVALID, "%s was merged into %s since: undo that first (`/ticket %s unmerge`).", dst.Key(), mergedKey(into), dst.Key())
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if !m.Undoable(tx.Now()) {
			return domain.Errorf(domain.EINVALID, "%s was merged into %s %s ago: a merge can be undone within %s.",
				src.Key(), dst.Key(), domain.FormatDuration(tx.Now().Sub(m.MergedAt)), domain.FormatDuration(domain.MergeUndoWindow))
		}
		if err := tx.UndoMerge(ctx, m, a.Ref()); err != nil {
			return err
		}
		// Told after the mail threading moved back: the notice answers the
		// source's own thread again.
		if err := s.tellMerge(ctx, tx, src, dst, NoticeUnmerged, "from"); err != nil {
			return err
		}
		b := m.Moved.Source
		src.Status, src.ResolvedAt, src.ClosedAt = b.Status, b.ResolvedAt, b.ClosedAt
		if err := tx.UpdateTicket(ctx, src); err != nil {
			return err
		}
		if err := event(ctx, tx, a, src, domain.EventUnmerged, "merged_into", dst.Key(), b.Status); err != nil {
			return err
		}
		if err := event(ctx, tx, a, dst, domain.EventUnmerged, "merged_from", src.Key(), ""); err != nil {
			return err
		}
		if err := s.ApplySLA(ctx, tx, cfg, src, []string{domain.EventStatus}); err != nil {
			return err
		}
		if err := refreshCard(ctx, tx, src); err != nil {
			return err
		}
		res = &MergeResult{Source: src, Target: dst, Merge: m}
		return refreshCard(ctx, tx, dst)
	})
	return res, err
}

// followMerges is the ticket that goes on for t: t itself, or the
// target of its merge (and of that one's, a few hops at most).
func followMerges(ctx context.Context, tx domain.Tx, t *domain.Ticket) (*domain.Ticket, error) {
	for range 5 {
		m, err := tx.LiveMerge(ctx, t.ID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return t, nil
		} else if err != nil {
			return nil, err
		}
		if t, err = tx.Ticket(ctx, m.TargetID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// MergeNotice words NoticeMerged for the customer (mail and Slack share it).
func MergeNotice(key, into string) string {
	if into != "" {
		return fmt.Sprintf("%s is the same request as %s, so we merged them: we go on in %s, and your replies to %s reach us there.", key, into, into, key)
	}
	return fmt.Sprintf("We now handle %s together with a related request; your replies here still reach us.", key)
}

// UnmergeNotice words NoticeUnmerged for the customer (mail and Slack share it).
func UnmergeNotice(key, from string) string {
	if from != "" {
		return fmt.Sprintf("We merged %s into %s by mistake: %s goes on as its own request, and your replies to it reach us there.", key, from, key)
	}
	return fmt.Sprintf("We handle %s on its own again; your replies here still reach us.", key)
}

// mergePointers reads a ticket's merges in force from its history: the
// ticket it was merged into, and those merged into it.
func mergePointers(events []*domain.Event) (into string, from []string) {
	for _, e := range events {
		switch {
		case e.Kind == domain.EventMerged && e.Field == "merged_into":
			into = e.NewValue
		case e.Kind == domain.EventUnmerged && e.Field == "merged_into":
			into = ""
		case e.Kind == domain.EventMerged && e.Field == "merged_from":
			from = append(from, e.NewValue)
		case e.Kind == domain.EventUnmerged && e.Field == "merged_from":
			from = slices.DeleteFunc(from, func(k string) bool { return k == e.OldValue })
		}
	}
	return into, from
}

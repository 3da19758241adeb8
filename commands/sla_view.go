package commands

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// SLAView is a ticket's SLA at Now: a headline for the card's SLA line
// and each clock with its explanation, for `/desk sla ACME-42`.
type SLAView struct {
	Ticket   *domain.Ticket
	Policy   string         // policy in force; "" when the config has none (then Clocks is empty)
	Calendar string         // its calendar's name
	Location *time.Location // its calendar's zone; show times in it
	Priority string         // the priority in force
	Now      time.Time

	// The headline is the clock that matters most now: a running one that
	// breached, else at risk, else on track (the soonest due first), else a
	// paused one, else a stopped one (breached before met). Status is
	// NotApplicable when no clock applies.
	Status sla.Status
	Target string        // the headline clock's target (domain.TargetFirstResponse…)
	Due    time.Time     // its deadline; zero while paused
	Left   time.Duration // business time left on it

	Clocks []SLAClock         // the clocks that apply, first response, resolution, next response
	Alerts []*domain.SLAAlert // alerts sent, oldest first
}

// SLAClock is one target's clock with its named thresholds.
type SLAClock struct {
	Target string
	sla.Clock
	// Thresholds are the warnings and the deadline still ahead or passed
	// on a running clock; empty when the clock is stopped or paused.
	Thresholds []Threshold
}

// SLAState explains a ticket's SLA to someone who may see the ticket.
func (s *Service) SLAState(ctx context.Context, a domain.Actor, key string) (*SLAView, error) {
	return s.slaView(ctx, a.Scope(), func(tx domain.Tx) (*domain.Ticket, error) { return ticketFor(ctx, tx, a, key) })
}

// SLAStateByID is SLAState for rendering a ticket's card, which is
// deskbot's own doing and needs no actor.
func (s *Service) SLAStateByID(ctx context.Context, ticketID int64) (*SLAView, error) {
	return s.slaView(ctx, domain.Scope{}, func(tx domain.Tx) (*domain.Ticket, error) { return tx.Ticket(ctx, ticketID) })
}

func (s *Service) slaView(ctx context.Context, scope domain.Scope, find func(domain.Tx) (*domain.Ticket, error)) (*SLAView, error) {
	var v *SLAView
	err := s.store.ViewAs(ctx, scope, func(tx domain.Tx) error {
		t, err := find(tx)
		if err != nil {
			return err
		}
		v, err = slaViewIn(ctx, tx, s.Config(), t)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// slaViewIn computes a ticket's SLA view inside a read the caller has open.
func slaViewIn(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket) (*SLAView, error) {
	run, err := loadSLA(ctx, tx, cfg, t, tx.Now())
	if err != nil {
		return nil, err
	}
	return slaViewOf(t, run, tx.Now()), nil
}

func slaViewOf(t *domain.Ticket, run *slaRun, now time.Time) *SLAView {
	v := &SLAView{Ticket: t, Now: now, Priority: t.Priority}
	if run.policy == nil {
		return v
	}
	v.Policy, v.Calendar, v.Location = run.policy.Name, run.policy.Calendar.Name(), run.policy.Calendar.Location()
	v.Priority, v.Alerts = run.state.Priority, run.alerts
	v.fill(run)
	return v
}

// fill sets the clocks and picks the headline.
func (v *SLAView) fill(run *slaRun) {
	best := -1
	for _, tg := range slaTargets {
		c := SLAClock{Target: tg.name, Clock: tg.pick(run.state)}
		if c.Status == sla.NotApplicable {
			continue
		}
		for _, th := range run.thresholds {
			if th.Target == tg.name {
				c.Thresholds = append(c.Thresholds, th)
			}
		}
		v.Clocks = append(v.Clocks, c)
		if i := len(v.Clocks) - 1; best < 0 || headlineBefore(c, v.Clocks[best]) {
			best = i
		}
	}
	if best >= 0 {
		c := v.Clocks[best]
		v.Status, v.Target, v.Due, v.Left = c.Status, c.Target, c.Due, c.Remaining
	}
}

// headlineBefore orders clocks for the headline (see SLAView).
func headlineBefore(a, b SLAClock) bool {
	ra, rb := headlineRank(a), headlineRank(b)
	if ra != rb {
		return ra < rb
	}
	return !a.Due.IsZero() && (b.Due.IsZero() || a.Due.Before(b.Due))
}

func headlineRank(c SLAClock) int {
	running := c.MetAt == nil
	switch {
	case c.Status == sla.Breached && running:
		return 0
	case c.Status == sla.AtRisk:
		return 1
	case c.Status == sla.OnTrack:
		return 2
	case c.Status == sla.Paused:
		return 3
	case c.Status == sla.Breached:
		return 4
	}
	return 5 // met
}

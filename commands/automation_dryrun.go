package commands

import (
	"context"
	"fmt"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/automation"
)

// RuleCheck is what the dry-run says of one rule.
type RuleCheck struct {
	Rule *automation.Rule
	// Fires: the rule's conditions hold for the ticket now, so its event
	// would fire it (for a time-based rule: and its time has come).
	Fires bool
	Why   string
}

// TestAutomations is the dry-run (/desk automations test ACME-42): for
// every rule, whether it would fire if its event happened to the ticket
// now, and why. Nothing changes. Only agents may.
func (s *Service) TestAutomations(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, []RuleCheck, error) {
	if err := requireAgent(a, "test automations"); err != nil {
		return nil, nil, err
	}
	cfg := s.Config()
	var t *domain.Ticket
	var out []RuleCheck
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		f, err := s.facts(ctx, tx, cfg, t, "")
		if err != nil {
			return err
		}
		var timed map[string]timedEvent
		for _, r := range cfg.Automations {
			ok, why := r.Explain(f)
			if ok && automation.Timed(r.On) {
				if timed == nil {
					if timed, err = ticketTimedEvents(ctx, tx, cfg, t); err != nil {
						return err
					}
				}
				ok, why = timeHas(r, timed[r.On], why)
			}
			out = append(out, RuleCheck{Rule: r, Fires: ok, Why: why})
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return t, out, nil
}

// ticketTimedEvents works out one ticket's time-based events from its
// history, as the scan's one statement does for all open tickets.
func ticketTimedEvents(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket) (map[string]timedEvent, error) {
	act := &domain.TicketActivity{TicketID: t.ID, Status: t.Status, SLAPolicy: t.SLAPolicy, CreatedAt: t.CreatedAt}
	events, err := tx.Events(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		at := e.At
		if e.Channel != domain.ChannelAutomation && (act.LastActivity == nil || at.After(*act.LastActivity)) {
			act.LastActivity = &at
		}
	}
	comments, err := tx.Comments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range comments {
		at := c.CreatedAt
		switch {
		case !c.Public || c.DeletedAt != nil:
		case c.AuthorRole == domain.RoleAgent && (act.LastAgentReply == nil || at.After(*act.LastAgentReply)):
			act.LastAgentReply = &at
		case c.AuthorRole == domain.RoleCustomer && (act.LastCustomerReply == nil || at.After(*act.LastCustomerReply)):
			act.LastCustomerReply = &at
		}
	}
	out := map[string]timedEvent{}
	for _, ev := range timedEvents(cfg, act, tx.Now()) {
		out[ev.Kind] = ev
	}
	return out, nil
}

// timeHas adds the time condition of a time-based rule to the dry-run's answer.
func timeHas(r *automation.Rule, ev timedEvent, why string) (bool, string) {
	if ev.Kind == "" {
		return false, "the customer has answered the agents' last reply (or there is none): nothing to wait for"
	}
	so := fmt.Sprintf("%s so far, of %s", domain.FormatDuration(ev.Elapsed), domain.FormatDuration(r.After))
	if !r.Triggered(ev.Event) {
		return false, "not yet: " + so
	}
	return true, why + "; " + so
}

package commands

import (
	"context"

	"github.com/deskbot/deskbot/domain"
)

// Onboarding is what a fresh workspace still lacks, in the order that
// matters: a customer, that customer's channel, a first ticket.
type Onboarding struct {
	Customer, Channel, Ticket bool // done
}

// Done reports whether every step is done: then nothing is shown.
func (o Onboarding) Done() bool { return o.Customer && o.Channel && o.Ticket }

// OnboardingFor tells an admin which first steps are left; nil for anyone
// else, and once all are done.
func (s *Service) OnboardingFor(ctx context.Context, a domain.Actor) (*Onboarding, error) {
	if !a.IsAgent() || !s.IsAdmin(a) {
		return nil, nil
	}
	var o Onboarding
	err := s.store.View(ctx, func(tx domain.Tx) error {
		ps, err := tx.Customers(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			// The triage customer deskbot made itself is no customer yet.
			o.Customer = o.Customer || p.Key != TriageKey
			o.Channel = o.Channel || p.ChannelID != ""
		}
		n, err := tx.CountTickets(ctx, domain.TicketFilter{})
		o.Ticket = n > 0
		return err
	})
	if err != nil || o.Done() {
		return nil, err
	}
	return &o, nil
}

// NoticeAgentIntro is the DM an agent gets once: what deskbot can do.
const NoticeAgentIntro = "agent_intro"

// IntroduceAgent queues, the first time an agent is seen, a DM telling
// them what deskbot can do; later calls do nothing.
func (s *Service) IntroduceAgent(ctx context.Context, a domain.Actor) error {
	if !a.IsAgent() || a.UserID == "" {
		return nil
	}
	return s.store.Update(ctx, func(tx domain.Tx) error {
		first, err := tx.MarkProcessed(ctx, "agent-intro", a.UserID)
		if err != nil || !first {
			return err
		}
		return post(ctx, tx, PostJob{Notice: NoticeAgentIntro, User: a.UserID})
	})
}

package commands

import (
	"context"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// ProjectInput describes a customer to create, typed, for Go callers (the
// demo, benchmarks, tests): the slash command's key=value options are
// AddCustomer's.
type ProjectInput struct {
	Key, Name, ChannelID, EmailDomains, TimeZone, Tier, SLAPolicy, CurrentVersion string
	// AutoTickets opens tickets from top-level messages in ChannelID;
	// AddCustomer's channel= always does.
	AutoTickets bool
}

// CreateProject is AddCustomer with typed input: the same checks, the
// same insert.
func (s *Service) CreateProject(ctx context.Context, a domain.Actor, in ProjectInput) (*domain.Project, error) {
	opts := map[string]string{}
	for k, v := range map[string]string{"channel": in.ChannelID, "domains": in.EmailDomains, "time_zone": in.TimeZone,
		"tier": in.Tier, "sla_policy": in.SLAPolicy, "version": in.CurrentVersion} {
		if v != "" {
			opts[k] = v
		}
	}
	return s.addCustomer(ctx, a, in.Key, in.Name, opts, func(p *domain.Project) { p.AutoTickets = in.AutoTickets && p.ChannelID != "" })
}

// createProject inserts a customer with its first version in the history.
func createProject(ctx context.Context, tx domain.Tx, a domain.Actor, p *domain.Project) error {
	if err := tx.CreateProject(ctx, p); err != nil {
		return err
	}
	if p.CurrentVersion == "" {
		return nil
	}
	return tx.AddVersionChange(ctx, &domain.VersionChange{ProjectID: p.ID, Version: p.CurrentVersion, Since: tx.Now(), RecordedBy: a.Ref()})
}

// Projects lists the customers an actor may see.
func (s *Service) Projects(ctx context.Context, a domain.Actor) ([]*domain.Project, error) {
	var out []*domain.Project
	err := s.view(ctx, a, func(tx domain.Tx) error {
		ps, err := tx.Projects(ctx)
		for _, p := range ps {
			if a.IsAgent() || p.ID == a.ProjectID {
				out = append(out, p)
			}
		}
		return err
	})
	return out, err
}

// ProjectByChannel finds the customer of a Slack channel, nil if none.
func (s *Service) ProjectByChannel(ctx context.Context, channelID string) (*domain.Project, error) {
	var p *domain.Project
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		p, err = tx.ProjectByChannel(ctx, channelID)
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return p, err
}

// LinkChannel makes a Slack channel a customer's: their tickets show there
// and their top-level messages there open tickets.
func (s *Service) LinkChannel(ctx context.Context, a domain.Actor, key, channelID string) (*domain.Project, error) {
	if err := requireAgent(a, "link channels"); err != nil {
		return nil, err
	}
	var p *domain.Project
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if p, err = tx.ProjectByKey(ctx, key); err != nil {
			return err
		}
		p.ChannelID, p.AutoTickets = channelID, true
		return tx.UpdateProject(ctx, p)
	})
	return p, err
}

// ProjectByEmail finds the customer that owns an address's domain, or nil:
// how a customer writing outside their channel (a DM, the App Home) is told.
func (s *Service) ProjectByEmail(ctx context.Context, address string) (*domain.Project, error) {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return nil, nil
	}
	var p *domain.Project
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		p, err = tx.ProjectByDomain(ctx, address[at+1:])
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return p, err
}

package commands

import (
	"context"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// ProjectInput describes a customer to create.
type ProjectInput struct {
	Key, Name, ChannelID, EmailDomains, TimeZone, Tier, SLAPolicy, CurrentVersion string
	AutoTickets                                                                   bool
	HourlyRate                                                                    int64 // cents
}

// CreateProject adds a customer. Only agents may.
func (s *Service) CreateProject(ctx context.Context, a domain.Actor, in ProjectInput) (*domain.Project, error) {
	if err := requireAgent(a, "add customers"); err != nil {
		return nil, err
	}
	p := &domain.Project{
		Key: strings.ToUpper(strings.TrimSpace(in.Key)), Name: strings.TrimSpace(in.Name),
		ChannelID: in.ChannelID, AutoTickets: in.AutoTickets, Tier: in.Tier, SLAPolicy: in.SLAPolicy,
		HourlyRate: in.HourlyRate, TimeZone: in.TimeZone,
	}
	if err := domain.ValidateProjectKey(p.Key); err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = p.Key
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil {
		return nil, domain.FieldErrorf("time_zone", "%q is not a time zone; use an IANA name like Europe/Paris.", p.TimeZone)
	}
	if p.SLAPolicy != "" && s.Config().Policy(p.SLAPolicy) == nil {
		return nil, domain.FieldErrorf("sla_policy", "%s", unknownMsg("SLA policy", p.SLAPolicy, s.Config().PolicyNames()))
	}
	if in.HourlyRate < 0 {
		return nil, domain.FieldErrorf("rate", "The hourly rate cannot be negative.")
	}
	var domains []string
	for _, d := range strings.Split(in.EmailDomains, ",") {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if d == "" {
			continue
		}
		if !strings.Contains(d, ".") || strings.ContainsAny(d, " @/") {
			return nil, domain.FieldErrorf("email_domains", "%q is not an email domain like acme.com.", d)
		}
		domains = append(domains, d)
	}
	p.EmailDomains = strings.Join(domains, ",")
	if in.CurrentVersion != "" {
		v, ok := domain.ParseSemver(in.CurrentVersion)
		if !ok {
			return nil, domain.FieldErrorf("version", "%q is not a version like 4.2.1.", in.CurrentVersion)
		}
		p.CurrentVersion = v.String()
	}
	err := s.store.Update(ctx, func(tx domain.Tx) error { return createProject(ctx, tx, a, p) })
	if err != nil {
		return nil, err
	}
	return p, nil
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

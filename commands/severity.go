package commands

import (
	"context"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// SetSeverity sets a ticket's severity, one of the config's (empty
// clears it). Agents may. A policy keyed by severity (sla_by: severity)
// recomputes the ticket's deadlines from it.
func (s *Service) SetSeverity(ctx context.Context, a domain.Actor, key, severity string) (*domain.Ticket, error) {
	if err := requireAgent(a, "set severities"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	severity = strings.ToLower(strings.TrimSpace(severity))
	if severity != "" && !slices.Contains(cfg.Severities, severity) {
		return nil, domain.FieldErrorf("severity", "%s", unknownMsg("severity", severity, cfg.Severities))
	}
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		return s.setSeverity(ctx, tx, cfg, a, t, severity)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) setSeverity(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, severity string) error {
	if t.Severity == severity {
		return nil
	}
	old := t.Severity
	t.Severity = severity
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventSeverity, "severity", old, severity); err != nil {
		return err
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventSeverity); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

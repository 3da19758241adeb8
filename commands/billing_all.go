package commands

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

// ReportAll is ReportPeriod for every customer the actor may see that has
// time in the period (each counted in its own time zone), by key: what
// `/time report this-week` answers without a customer.
func (s *Service) ReportAll(ctx context.Context, a domain.Actor, period string) ([]*Report, error) {
	if err := requireAgent(a, "see time reports"); err != nil {
		return nil, err
	}
	parse := func(_ *domain.Customer, now time.Time, loc *time.Location) (billing.Period, error) {
		return billing.ParsePeriod(period, now, loc)
	}
	cfg := s.Config()
	var out []*Report
	err := s.store.View(ctx, func(tx domain.Tx) error {
		ps, err := tx.Customers(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			r, err := reportOn(ctx, tx, cfg, p, parse)
			if err != nil {
				return err
			}
			if r.Total.Entries > 0 || r.Running > 0 {
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// IsPeriod reports whether s names a report period (this-week, 2026-10,
// 2026-10-01..2026-10-15), whatever today is.
func IsPeriod(s string) bool {
	_, err := billing.ParsePeriod(s, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC)
	return err == nil
}

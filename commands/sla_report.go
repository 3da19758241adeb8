package commands

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
	"github.com/deskbot/deskbot/domain/sla"
)

// SLAReport is SLA compliance of the tickets opened in [From, To), judged
// at Now: per customer and priority, then in total.
type SLAReport struct {
	From, To, Now time.Time
	Label         string         // the period as people read it
	CustomerKey   string         // "" for every customer
	Rows          []SLAReportRow // by customer key, then most urgent priority first
	Total         SLAReportRow   // every ticket (CustomerKey and Priority empty)
}

// SLAReportRow counts one customer's tickets of one priority.
type SLAReportRow struct {
	CustomerKey, CustomerName, Priority string
	Tickets                             int
	FirstResponse, Resolution           SLACompliance
	// MedianFirstResponse is the median business time to the first agent
	// reply (what the SLA measures), over the Replied tickets.
	MedianFirstResponse time.Duration
	Replied             int
	firstResponses      []time.Duration
}

// SLACompliance counts one target's outcomes. Open clocks (running or
// paused, not breached yet) are neither met nor breached.
type SLACompliance struct{ Met, Breached, Open int }

// Rate is the share met of the tickets decided, and false when none is.
func (c SLACompliance) Rate() (float64, bool) {
	if n := c.Met + c.Breached; n > 0 {
		return float64(c.Met) / float64(n), true
	}
	return 0, false
}

func (c *SLACompliance) add(k sla.Clock) {
	switch k.Status {
	case sla.Met:
		c.Met++
	case sla.Breached:
		c.Breached++
	case sla.OnTrack, sla.AtRisk, sla.Paused:
		c.Open++
	}
}

// SLAReport builds the compliance report of one customer (customerKey) or
// of all (""), for agents, over [from, to).
func (s *Service) SLAReport(ctx context.Context, a domain.Actor, customerKey string, from, to time.Time) (*SLAReport, error) {
	return s.slaReport(ctx, a, customerKey, func(time.Time) (billing.Period, error) {
		label := from.Format("2006-01-02") + " to " + to.Add(-time.Nanosecond).Format("2006-01-02")
		return billing.Period{From: from, To: to, Label: label}, nil
	})
}

// SLAReportPeriod is SLAReport over a period as people write it
// (this-month, last-week, 2026-10, 2026-10-01..2026-10-15), read in loc on
// the store's clock.
func (s *Service) SLAReportPeriod(ctx context.Context, a domain.Actor, customerKey, period string, loc *time.Location) (*SLAReport, error) {
	return s.slaReport(ctx, a, customerKey, func(now time.Time) (billing.Period, error) {
		return billing.ParsePeriod(period, now, locOrUTC(loc))
	})
}

func (s *Service) slaReport(ctx context.Context, a domain.Actor, customerKey string, period func(now time.Time) (billing.Period, error)) (*SLAReport, error) {
	if err := requireAgent(a, "read SLA reports"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	r := &SLAReport{CustomerKey: strings.ToUpper(customerKey)}
	rows := map[[2]string]*SLAReportRow{}
	err := s.view(ctx, a, func(tx domain.Tx) error {
		r.Now = tx.Now()
		p, err := period(r.Now)
		if err != nil {
			return err
		}
		if !p.From.Before(p.To) {
			return domain.Errorf(domain.EINVALID, "The period must end after it starts.")
		}
		r.From, r.To, r.Label = p.From, p.To, p.Label
		customers, err := reportCustomers(ctx, tx, r.CustomerKey)
		if err != nil {
			return err
		}
		var pid int64
		if r.CustomerKey != "" {
			pid = customers[0].ID
		}
		tickets, err := tx.TicketsCreated(ctx, pid, r.From, r.To)
		if err != nil {
			return err
		}
		names := map[int64]*domain.Customer{}
		for _, p := range customers {
			names[p.ID] = p
		}
		for _, t := range tickets {
			run, err := loadSLA(ctx, tx, cfg, t, r.Now)
			if err != nil {
				return err
			}
			if run.policy == nil {
				continue
			}
			k := [2]string{t.CustomerKey, t.Priority}
			if rows[k] == nil {
				rows[k] = &SLAReportRow{CustomerKey: t.CustomerKey, CustomerName: names[t.CustomerID].Name, Priority: t.Priority}
			}
			rows[k].add(run.state)
			r.Total.add(run.state)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		row.finish()
		r.Rows = append(r.Rows, *row)
	}
	r.Total.finish()
	slices.SortFunc(r.Rows, func(a, b SLAReportRow) int {
		if c := strings.Compare(a.CustomerKey, b.CustomerKey); c != 0 {
			return c
		}
		return cfg.PriorityRank(b.Priority) - cfg.PriorityRank(a.Priority)
	})
	return r, nil
}

func reportCustomers(ctx context.Context, tx domain.CustomerStore, key string) ([]*domain.Customer, error) {
	if key == "" {
		return tx.Customers(ctx)
	}
	p, err := tx.CustomerByKey(ctx, key)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.FieldErrorf("customer", "There is no customer %s. `/desk customers` lists them.", key)
	}
	if err != nil {
		return nil, err
	}
	return []*domain.Customer{p}, nil
}

func (row *SLAReportRow) add(st sla.State) {
	row.Tickets++
	row.FirstResponse.add(st.FirstResponse)
	row.Resolution.add(st.Resolution)
	if st.FirstResponse.MetAt != nil {
		row.firstResponses = append(row.firstResponses, st.FirstResponse.Used)
	}
}

func (row *SLAReportRow) finish() {
	row.Replied = len(row.firstResponses)
	if row.Replied == 0 {
		return
	}
	slices.Sort(row.firstResponses)
	mid := row.Replied / 2
	row.MedianFirstResponse = row.firstResponses[mid]
	if row.Replied%2 == 0 {
		row.MedianFirstResponse = (row.firstResponses[mid-1] + row.firstResponses[mid]) / 2
	}
	row.firstResponses = nil
}

package commands

import (
	"context"
	"log/slog"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

// MaxReportSpan bounds a report: a year of one customer is a few tens of
// thousands of entries, held in memory and uploaded as one CSV.
const MaxReportSpan = 366 * 24 * time.Hour

// Report is a customer's time and money over a period: the priced entries
// (one line each, for the CSV) and their totals.
type Report struct {
	Customer *domain.Customer
	Period   billing.Period
	Location *time.Location // the customer's: days and weeks are theirs
	Currency string         // from time.currency, display only
	Lines    []billing.Line // one per stopped entry, in start order
	billing.Summary
	// Locks are the invoiced months the period overlaps, with what they
	// came to when locked; a total that differs means rates changed since.
	Locks []*domain.BillingLock
	// Running counts timers started in the period that still run: their
	// time is not in the report yet.
	Running int
	// Names maps engineers' user IDs to display names; the transport fills
	// it before ReportCSV so the accountant reads names, not IDs.
	Names map[string]string
}

// EngineerName is the display name of an engineer, else their user ID.
func (r *Report) EngineerName(userID string) string {
	if n := r.Names[userID]; n != "" {
		return n
	}
	return userID
}

// Report prices a customer's time in [from, to).
func (s *Service) Report(ctx context.Context, a domain.Actor, customerKey string, from, to time.Time) (*Report, error) {
	return s.report(ctx, a, customerKey, func(*domain.Customer, time.Time, *time.Location) (billing.Period, error) {
		label := from.Format("2006-01-02") + " to " + to.Add(-time.Nanosecond).Format("2006-01-02")
		return billing.Period{From: from, To: to, Label: label}, nil
	})
}

// ReportPeriod prices a customer's time over a period as people write it
// (last-month, this-week, 2026-10, 2026-10-01..2026-10-15), read in the
// customer's time zone.
func (s *Service) ReportPeriod(ctx context.Context, a domain.Actor, customerKey, period string) (*Report, error) {
	return s.report(ctx, a, customerKey, func(_ *domain.Customer, now time.Time, loc *time.Location) (billing.Period, error) {
		return billing.ParsePeriod(period, now, loc)
	})
}

type periodFunc func(p *domain.Customer, now time.Time, loc *time.Location) (billing.Period, error)

func (s *Service) report(ctx context.Context, a domain.Actor, customerKey string, period periodFunc) (*Report, error) {
	if err := requireAgent(a, "see time reports"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	var r *Report
	err := s.view(ctx, a, func(tx domain.Tx) error {
		p, err := tx.CustomerByKey(ctx, customerKey)
		if err != nil {
			return err
		}
		r, err = reportOn(ctx, tx, cfg, p, period)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// reportOn reports a customer's time in a period.
func reportOn(ctx context.Context, tx domain.Tx, cfg *domain.Config, p *domain.Customer, period periodFunc) (*Report, error) {
	r := &Report{Currency: cfg.Time.Currency, Customer: p, Location: customerLocation(p)}
	var err error
	if r.Period, err = period(r.Customer, tx.Now(), r.Location); err != nil {
		return nil, err
	}
	if !r.Period.To.After(r.Period.From) {
		return nil, domain.FieldErrorf("period", "The period ends before it starts.")
	}
	if r.Period.To.Sub(r.Period.From) > MaxReportSpan {
		return nil, domain.FieldErrorf("period", "Ask for at most a year at a time.")
	}
	if r.Lines, err = priceRows(ctx, tx, cfg, r.Customer, r.Period); err != nil {
		return nil, err
	}
	running := true
	live, err := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: r.Customer.ID, From: r.Period.From, To: r.Period.To, Running: &running})
	if err != nil {
		return nil, err
	}
	r.Running = len(live)
	if r.Locks, err = tx.BillingLocks(ctx, r.Customer.ID, r.Period.From, r.Period.To); err != nil {
		return nil, err
	}
	r.Summary = billing.Summarize(r.Lines, r.Period, r.Location)
	return r, nil
}

// priceRows reads a customer's stopped entries in a period and prices them.
func priceRows(ctx context.Context, tx domain.TimeStore, cfg *domain.Config, p *domain.Customer, per billing.Period) ([]billing.Line, error) {
	stopped := false
	rows, err := tx.TimeRows(ctx, domain.TimeFilter{CustomerID: p.ID, From: per.From, To: per.To, Running: &stopped})
	if err != nil {
		return nil, err
	}
	entries := make([]billing.Entry, len(rows))
	for i, r := range rows {
		entries[i] = billing.Entry{ID: r.ID, TicketID: r.TicketID, Ticket: r.Key(), Title: r.TicketTitle, Type: r.TicketType,
			User: r.UserID, Start: r.StartedAt, Seconds: r.Seconds, Billable: r.Billable, Note: r.Note}
	}
	return billing.Price(entries, contract(cfg, p)), nil
}

// contract is how a customer is billed: their contract's rate and rules,
// with the config's per-engineer and per-type rates over them.
func contract(cfg *domain.Config, p *domain.Customer) billing.Contract {
	round, least := BillingRules(cfg, p)
	c := billing.Contract{Rate: p.HourlyRate, RoundTo: round, MinPerTicket: least,
		EngineerRates: map[string]int64{}, TypeRates: map[string]int64{}}
	for id, r := range cfg.Time.Rates.Engineers {
		c.EngineerRates[id] = int64(r)
	}
	for t, r := range cfg.Time.Rates.Types {
		c.TypeRates[t] = int64(r)
	}
	return c
}

func customerLocation(p *domain.Customer) *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// LockPeriod locks a customer's month once it is invoiced: from then on no
// time that started in it can be logged, edited or deleted. The month
// (2026-10, last-month) is read in the customer's time zone and must be over.
func (s *Service) LockPeriod(ctx context.Context, a domain.Actor, customerKey, month string) (*domain.BillingLock, error) {
	cfg := s.Config()
	if !isLead(cfg, a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only agent leads (slack.leads in the config) can lock billing periods.")
	}
	var l *domain.BillingLock
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		p, per, err := lockMonth(ctx, tx, customerKey, month)
		if err != nil {
			return err
		}
		if per.To.After(tx.Now()) {
			return domain.FieldErrorf("month", "%s has not ended yet; lock it once it is over.", per.Label)
		}
		running := true
		live, err := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: p.ID, From: per.From, To: per.To, Running: &running})
		if err != nil {
			return err
		}
		if len(live) > 0 {
			return domain.FieldErrorf("month", "A timer started in %s is still running on %s's tickets; stop it before locking.", per.Label, p.Key)
		}
		lines, err := priceRows(ctx, tx, cfg, p, per)
		if err != nil {
			return err
		}
		tot := billing.Summarize(lines, per, customerLocation(p)).Total
		l = &domain.BillingLock{CustomerID: p.ID, Period: per.From.Format("2006-01"), Start: per.From, End: per.To, LockedBy: a.Ref(),
			Entries: tot.Entries, Seconds: tot.Seconds, BilledSeconds: tot.BilledSeconds, Amount: tot.Amount}
		if err := tx.AddBillingLock(ctx, l); domain.ErrorCode(err) == domain.ECONFLICT {
			return domain.Errorf(domain.ECONFLICT, "%s's %s is already locked.", p.Key, per.Label)
		} else if err != nil {
			return err
		}
		s.log.Info("billing period locked", slog.String("customer", p.Key), slog.String("period", l.Period),
			slog.String("by", a.Ref()), slog.Int64("amount_cents", l.Amount))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// UnlockPeriod lifts a lock, to correct an invoice.
func (s *Service) UnlockPeriod(ctx context.Context, a domain.Actor, customerKey, month string) error {
	if !isLead(s.Config(), a) {
		return domain.Errorf(domain.EFORBIDDEN, "Only agent leads (slack.leads in the config) can unlock billing periods.")
	}
	return s.store.Update(ctx, func(tx domain.Tx) error {
		p, per, err := lockMonth(ctx, tx, customerKey, month)
		if err != nil {
			return err
		}
		if err := tx.DeleteBillingLock(ctx, p.ID, per.From); domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.FieldErrorf("month", "%s's %s is not locked.", p.Key, per.Label)
		} else if err != nil {
			return err
		}
		s.log.Info("billing period unlocked", slog.String("customer", p.Key), slog.String("period", per.From.Format("2006-01")), slog.String("by", a.Ref()))
		return nil
	})
}

func lockMonth(ctx context.Context, tx domain.Tx, customerKey, month string) (*domain.Customer, billing.Period, error) {
	p, err := tx.CustomerByKey(ctx, customerKey)
	if err != nil {
		return nil, billing.Period{}, err
	}
	per, err := billing.ParseMonth(month, tx.Now(), customerLocation(p))
	return p, per, err
}

// BillingLocks lists a customer's locked months, oldest first.
func (s *Service) BillingLocks(ctx context.Context, a domain.Actor, customerKey string) ([]*domain.BillingLock, error) {
	if err := requireAgent(a, "see billing periods"); err != nil {
		return nil, err
	}
	var out []*domain.BillingLock
	err := s.view(ctx, a, func(tx domain.Tx) error {
		p, err := tx.CustomerByKey(ctx, customerKey)
		if err != nil {
			return err
		}
		out, err = tx.BillingLocks(ctx, p.ID, time.Time{}, time.Time{})
		return err
	})
	return out, err
}

// checkUnlocked refuses a change to time that started in an invoiced period.
func checkUnlocked(ctx context.Context, tx domain.Tx, customerID int64, at time.Time, field string) error {
	l, err := tx.BillingLockAt(ctx, customerID, at)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	p, err := tx.Customer(ctx, customerID)
	if err != nil {
		return err
	}
	label := l.Period
	if m, err := time.Parse("2006-01", l.Period); err == nil {
		label = m.Format("January 2006")
	}
	return domain.FieldErrorf(field, "%s's %s is locked: it was invoiced (locked on %s). Ask a lead to unlock it to change time in it.",
		p.Key, label, l.LockedAt.Format("2006-01-02"))
}

// isLead tells whether the actor may fix others' time and lock periods.
func isLead(cfg *domain.Config, a domain.Actor) bool {
	return a.Role == domain.RoleSystem || (a.IsAgent() && cfg.IsLead(a.UserID))
}

// BillingTerms change a customer's contract; nil fields stay as they are.
type BillingTerms struct {
	HourlyRate   *int64 // cents per hour
	RoundMinutes *int64 // round each entry up to this many minutes; 0: exact
	MinMinutes   *int64 // least billed per ticket and period; 0: none
}

// SetBillingTerms changes how a customer is billed. Locked months keep
// what they were invoiced at (see Report.Locks).
func (s *Service) SetBillingTerms(ctx context.Context, a domain.Actor, customerKey string, in BillingTerms) (*domain.Customer, error) {
	if err := requireAgent(a, "change billing terms"); err != nil {
		return nil, err
	}
	switch {
	case in.HourlyRate != nil && *in.HourlyRate < 0:
		return nil, domain.FieldErrorf("rate", "The hourly rate cannot be negative.")
	case in.RoundMinutes != nil && (*in.RoundMinutes < 0 || *in.RoundMinutes > 240):
		return nil, domain.FieldErrorf("round", "Round entries up to between 0 (exact) and 240 minutes, like 6 or 15.")
	case in.MinMinutes != nil && (*in.MinMinutes < 0 || *in.MinMinutes > 24*60):
		return nil, domain.FieldErrorf("minimum", "The minimum per ticket must be between 0 (none) and 1440 minutes.")
	}
	var p *domain.Customer
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if p, err = tx.CustomerByKey(ctx, customerKey); err != nil {
			return err
		}
		if in.HourlyRate != nil {
			p.HourlyRate = *in.HourlyRate
		}
		if in.RoundMinutes != nil {
			p.BillingRoundMinutes = *in.RoundMinutes
		}
		if in.MinMinutes != nil {
			p.BillingMinMinutes = *in.MinMinutes
		}
		return tx.UpdateCustomer(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// BillingRules are a customer's rounding and per-ticket minimum: their
// contract's (/desk customer edit KEY rounding=15m minimum=30m), else the
// config's time.rounding and time.minimum.
func BillingRules(cfg *domain.Config, p *domain.Customer) (round, least time.Duration) {
	round, least = cfg.Time.Rounding.Duration, cfg.Time.Minimum.Duration
	if p.BillingRoundMinutes > 0 {
		round = time.Duration(p.BillingRoundMinutes) * time.Minute
	}
	if p.BillingMinMinutes > 0 {
		least = time.Duration(p.BillingMinMinutes) * time.Minute
	}
	return round, least
}

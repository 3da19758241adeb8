package commands

import (
	"context"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

// Dates people write ("today", "last week", "17:30", "fri 17:00") are read
// here, on the store's clock and in the person's time zone, never on the
// transport's wall clock: a server in UTC must not give a person in
// Auckland yesterday's date, and tests set the clock.

// now reads the store's clock: the time a transaction would start at.
func (s *Service) now(ctx context.Context) (time.Time, error) {
	var now time.Time
	err := s.store.View(ctx, func(tx domain.Tx) error {
		now = tx.Now()
		return nil
	})
	return now, err
}

// LocalDate is today's midnight in loc, on the store's clock: what a form
// that asks for a day starts with.
func (s *Service) LocalDate(ctx context.Context, loc *time.Location) (time.Time, error) {
	now, err := s.now(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return localDate(now, locOrUTC(loc)), nil
}

// ParseDue reads a due date as people write it ("fri 17:00", "in 3 days",
// "none" for zero) in loc, relative to the store's clock.
func (s *Service) ParseDue(ctx context.Context, text string, loc *time.Location) (time.Time, error) {
	now, err := s.now(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return domain.ParseDue(text, now, locOrUTC(loc))
}

func locOrUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// localDate is the midnight of now's day in loc.
func localDate(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// timesheetWeek is the week (Monday to Monday, in loc) that contains now,
// weeksBack weeks earlier.
func timesheetWeek(now time.Time, weeksBack int, loc *time.Location) billing.Period {
	monday := billing.WeekStart(now.In(loc)).AddDate(0, 0, -7*weeksBack)
	return billing.Period{From: monday, To: monday.AddDate(0, 0, 7), Label: "week of " + monday.Format("2006-01-02")}
}

// clockTimeBefore reads a time of day (17:30) as its last occurrence at or
// before now in loc: today, or yesterday when today's is still to come
// (23:30 typed after midnight is last night).
func clockTimeBefore(text string, now time.Time, loc *time.Location) (time.Time, error) {
	hm, err := time.ParseInLocation("15:04", strings.TrimSpace(text), loc)
	if err != nil {
		return time.Time{}, domain.FieldErrorf("end", "Write the time like 17:30.")
	}
	now = now.In(loc)
	at := time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
	if at.After(now) {
		at = time.Date(now.Year(), now.Month(), now.Day()-1, hm.Hour(), hm.Minute(), 0, 0, loc)
	}
	return at, nil
}

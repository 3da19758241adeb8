package commands

import (
	"context"
	"slices"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

// Timesheet is one person's week: time per ticket per day, Monday first.
// An entry counts on the day it started, in Location.
type Timesheet struct {
	User      string
	Week      billing.Period // Monday 00:00 to the next Monday, in Location
	Location  *time.Location
	Days      [7]time.Time // each day's midnight
	Rows      []TimesheetRow
	DayTotals [7]time.Duration
	Total     time.Duration
	Billable  time.Duration
	// Entries are the week's stopped entries, for edit and delete buttons.
	Entries []*domain.TimeRow
}

// TimesheetRow is one ticket's week.
type TimesheetRow struct {
	TicketID   int64
	Key, Title string
	Days       [7]time.Duration
	Total      time.Duration
}

// Timesheet returns a person's week in loc: this week (Monday to Monday,
// on the store's clock), or weeksBack weeks earlier. People see their own;
// leads see anyone's. An empty user is the actor.
func (s *Service) Timesheet(ctx context.Context, a domain.Actor, user string, weeksBack int, loc *time.Location) (*Timesheet, error) {
	if err := requireAgent(a, "see timesheets"); err != nil {
		return nil, err
	}
	if user == "" {
		user = a.UserID
	}
	if user != a.UserID && !isLead(s.Config(), a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "You can see your own timesheet; an agent lead can see anyone's.")
	}
	loc = locOrUTC(loc)
	ts := &Timesheet{User: user, Location: loc}
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		ts.Week = timesheetWeek(tx.Now(), weeksBack, loc)
		stopped := false
		ts.Entries, err = tx.TimeRows(ctx, domain.TimeFilter{UserID: user, From: ts.Week.From, To: ts.Week.To, Running: &stopped})
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range ts.Days {
		ts.Days[i] = ts.Week.From.AddDate(0, 0, i)
	}
	rows := map[int64]*TimesheetRow{}
	for _, e := range ts.Entries {
		day := dayIndex(ts.Days[:], e.StartedAt.In(loc))
		r := rows[e.TicketID]
		if r == nil {
			r = &TimesheetRow{TicketID: e.TicketID, Key: e.Key(), Title: e.TicketTitle}
			rows[e.TicketID] = r
		}
		d := time.Duration(e.Seconds) * time.Second
		r.Days[day] += d
		r.Total += d
		ts.DayTotals[day] += d
		ts.Total += d
		if e.Billable {
			ts.Billable += d
		}
	}
	for _, r := range rows {
		ts.Rows = append(ts.Rows, *r)
	}
	slices.SortFunc(ts.Rows, func(x, y TimesheetRow) int { return billing.CompareKeys(x.Key, y.Key) })
	return ts, nil
}

// dayIndex is the index of the day t falls on, among midnights.
func dayIndex(days []time.Time, t time.Time) int {
	i := len(days) - 1
	for i > 0 && t.Before(days[i]) {
		i--
	}
	return i
}

// DayLog is what bare /time shows: the running timer and today's time.
type DayLog struct {
	Date          time.Time // today's midnight, in the actor's location
	Now           time.Time
	Running       *domain.TimeEntry // nil when no timer runs
	RunningTicket *domain.Ticket
	Entries       []*domain.TimeRow // stopped entries started today
	Logged        time.Duration     // their total; add Running.Duration(Now) for the day so far
}

// Today returns the actor's running timer and today's entries (today in loc).
func (s *Service) Today(ctx context.Context, a domain.Actor, loc *time.Location) (*DayLog, error) {
	if err := requireAgent(a, "track time"); err != nil {
		return nil, err
	}
	loc = locOrUTC(loc)
	l := &DayLog{}
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		l.Now = tx.Now()
		l.Date = localDate(l.Now, loc)
		stopped := false
		if l.Entries, err = tx.TimeRows(ctx, domain.TimeFilter{UserID: a.UserID, From: l.Date, To: l.Date.AddDate(0, 0, 1), Running: &stopped}); err != nil {
			return err
		}
		l.Running, err = tx.RunningTimer(ctx, a.UserID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			l.Running = nil
			return nil
		} else if err != nil {
			return err
		}
		l.RunningTicket, err = tx.Ticket(ctx, l.Running.TicketID)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, e := range l.Entries {
		l.Logged += time.Duration(e.Seconds) * time.Second
	}
	return l, nil
}

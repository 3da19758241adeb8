package commands

import (
	"context"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

// MaxEntry is the longest time one entry may hold.
const MaxEntry = 24 * time.Hour

// MaxNote is the longest note on a time entry, as the log-time form allows.
const MaxNote = 500

// TimerResult tells what a start did: the new timer, and the one it stopped.
type TimerResult struct {
	Started *domain.TimeEntry
	Ticket  *domain.Ticket
	Stopped *domain.TimeEntry // nil when no other timer was running
	// StoppedTicket is the ticket the stopped timer ran on.
	StoppedTicket *domain.Ticket
}

// StartTimer starts the actor's timer on a ticket. A person has at most one
// running timer: starting another stops the first.
func (s *Service) StartTimer(ctx context.Context, a domain.Actor, key string) (*TimerResult, error) {
	if err := requireAgent(a, "track time"); err != nil {
		return nil, err
	}
	var res *TimerResult
	var err error
	// Two starts at once by one person: the unique index refuses the second
	// insert; run it again and it stops the first like any other start.
	for attempt := 0; attempt < 3; attempt++ {
		res, err = s.startTimer(ctx, a, key)
		if domain.ErrorCode(err) != domain.ECONFLICT {
			break
		}
	}
	return res, err
}

func (s *Service) startTimer(ctx context.Context, a domain.Actor, key string) (*TimerResult, error) {
	res := &TimerResult{}
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if res.Ticket, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		if err := firstWork(ctx, tx, "timer"); err != nil {
			return err
		}
		running, err := tx.RunningTimer(ctx, a.UserID)
		switch {
		case err == nil && running.TicketID == res.Ticket.ID:
			return domain.Errorf(domain.EINVALID, "Your timer is already running on %s (since %s UTC).", res.Ticket.Key(), running.StartedAt.Format("15:04"))
		case err == nil:
			if res.StoppedTicket, err = stopEntry(ctx, tx, a, running, tx.Now()); err != nil {
				return err
			}
			res.Stopped = running
		case domain.ErrorCode(err) != domain.ENOTFOUND:
			return err
		}
		res.Started = &domain.TimeEntry{TicketID: res.Ticket.ID, UserID: a.UserID, StartedAt: tx.Now(),
			Billable: true, Source: domain.TimeFromTimer}
		if err := tx.CreateTimeEntry(ctx, res.Started); err != nil {
			return err
		}
		if err := s.remindAtWorkdayEnd(ctx, tx, a, res.Started); err != nil {
			return err
		}
		if err := event(ctx, tx, a, res.Ticket, domain.EventTimerStarted, "", "", ""); err != nil {
			return err
		}
		return refreshCard(ctx, tx, res.Ticket)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// StopTimer stops the actor's running timer.
func (s *Service) StopTimer(ctx context.Context, a domain.Actor) (*domain.TimeEntry, *domain.Ticket, error) {
	return s.StopTimerAt(ctx, a, time.Time{})
}

// StopTimerAt stops the actor's timer at a given time (zero: now), for the
// forgotten timer that really ended earlier.
func (s *Service) StopTimerAt(ctx context.Context, a domain.Actor, at time.Time) (*domain.TimeEntry, *domain.Ticket, error) {
	var e *domain.TimeEntry
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if err := firstWork(ctx, tx, "timer"); err != nil {
			return err
		}
		e, err = tx.RunningTimer(ctx, a.UserID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Errorf(domain.ENOTFOUND, "You have no timer running.")
		} else if err != nil {
			return err
		}
		end, err := stopTime(e, tx.Now(), at)
		if err != nil {
			return err
		}
		t, err = stopEntry(ctx, tx, a, e, end)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return e, t, nil
}

// stopTime is when a running entry stops: now, or at (when not zero) if
// it falls after the start, not in the future and within one entry's length.
func stopTime(e *domain.TimeEntry, now, at time.Time) (time.Time, error) {
	switch {
	case at.IsZero():
		return now, nil
	case at.After(now):
		return time.Time{}, domain.FieldErrorf("end", "The end time is in the future.")
	case !at.After(e.StartedAt):
		return time.Time{}, domain.FieldErrorf("end", "The end time is before the timer started (%s UTC).", e.StartedAt.Format("2006-01-02 15:04"))
	case at.Sub(e.StartedAt) > MaxEntry:
		return time.Time{}, domain.FieldErrorf("end", "That makes the entry longer than a day; stop it earlier and log the rest day by day.")
	}
	return at, nil
}

func stopEntry(ctx context.Context, tx domain.Tx, a domain.Actor, e *domain.TimeEntry, end time.Time) (*domain.Ticket, error) {
	end = end.UTC().Truncate(time.Second)
	if end.Before(e.StartedAt) {
		end = e.StartedAt
	}
	e.EndedAt = &end
	e.Seconds = int64(end.Sub(e.StartedAt).Seconds())
	if err := tx.UpdateTimeEntry(ctx, e); err != nil {
		return nil, err
	}
	t, err := tx.Ticket(ctx, e.TicketID)
	if err != nil {
		return nil, err
	}
	if err := event(ctx, tx, a, t, domain.EventTimerStopped, "seconds", "", domain.FormatDuration(time.Duration(e.Seconds)*time.Second)); err != nil {
		return nil, err
	}
	return t, refreshCard(ctx, tx, t)
}

// RunningTimer returns the actor's running timer and its ticket, or nils.
func (s *Service) RunningTimer(ctx context.Context, a domain.Actor) (*domain.TimeEntry, *domain.Ticket, error) {
	var e *domain.TimeEntry
	var t *domain.Ticket
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		if e, err = tx.RunningTimer(ctx, a.UserID); err != nil {
			return err
		}
		t, err = tx.Ticket(ctx, e.TicketID)
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil, nil
	}
	return e, t, err
}

// LogTimeInput is time entered after the fact.
type LogTimeInput struct {
	Key      string
	Duration string // as people write it: 1h30, 90m, 1.5h, 0:45
	// Date is the day worked, in the actor's time zone; zero means today.
	Date     time.Time
	Note     string
	Billable *bool // nil: billable
	Location *time.Location
	// DedupID, when set, makes the call idempotent: a second call with it
	// logs nothing and fails with domain.ErrInputSeen (IsDuplicate).
	DedupID string
}

// LogTime records time spent on a ticket.
func (s *Service) LogTime(ctx context.Context, a domain.Actor, in LogTimeInput) (*domain.TimeEntry, error) {
	if err := requireAgent(a, "log time"); err != nil {
		return nil, err
	}
	d, err := domain.ParseWorkDuration(in.Duration)
	if err != nil {
		return nil, err
	}
	if d > MaxEntry {
		return nil, domain.FieldErrorf("duration", "%s is more than a day; log each day on its own.", domain.FormatDuration(d))
	}
	if err := textclean.Check("note", "The note", strings.TrimSpace(in.Note), MaxNote); err != nil {
		return nil, err
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	// Today's time is slid back past the person's entries, then checked
	// for overlap: an entry of theirs committed in between (a timer
	// started, another log, as when retried inputs all run at once after
	// an outage) refuses it. Run again, it slides past that one too.
	var e *domain.TimeEntry
	for attempt := 0; ; attempt++ {
		overlapped := false
		e, err = s.logTime(ctx, a, in, d, loc, &overlapped)
		if !overlapped || attempt == 2 {
			return e, err
		}
	}
}

func (s *Service) logTime(ctx context.Context, a domain.Actor, in LogTimeInput, d time.Duration, loc *time.Location, overlapped *bool) (*domain.TimeEntry, error) {
	var e *domain.TimeEntry
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		if in.DedupID != "" {
			if err := tx.RecordInput(ctx, "time", in.DedupID, ""); err != nil {
				return err
			}
		}
		t, err := ticketFor(ctx, tx, a, in.Key)
		if err != nil {
			return err
		}
		now := tx.Now()
		if running, err := tx.RunningTimer(ctx, a.UserID); err == nil {
			// Today's logged time ends where the running timer began.
			now = running.StartedAt
		}
		start, err := entryStart(now, in.Date, d, loc)
		if err != nil {
			return err
		}
		if in.Date.IsZero() || sameDay(in.Date.In(loc), now.In(loc)) {
			// "1h30 today" has no clock time: slide it back past the
			// person's own entries so it fills free time.
			if start, err = fitBefore(ctx, tx, a.UserID, start, d); err != nil {
				return err
			}
		}
		if err := checkUnlocked(ctx, tx, t.CustomerID, start, "date"); err != nil {
			return err
		}
		if err := checkOverlap(ctx, tx, a.UserID, start, start.Add(d)); err != nil {
			*overlapped = true
			return err
		}
		end := start.Add(d)
		e = &domain.TimeEntry{TicketID: t.ID, UserID: a.UserID, StartedAt: start, EndedAt: &end,
			Seconds: int64(d.Seconds()), Billable: in.Billable == nil || *in.Billable,
			Note: strings.TrimSpace(in.Note), Source: domain.TimeFromManual}
		if err := tx.CreateTimeEntry(ctx, e); err != nil {
			return err
		}
		if err := event(ctx, tx, a, t, domain.EventTimeLogged, "seconds", "", domain.FormatDuration(d)); err != nil {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// entryStart places a logged duration: today it ends now; on an earlier
// day it starts at 09:00 local time (the day is what matters for reports).
func entryStart(now, day time.Time, d time.Duration, loc *time.Location) (time.Time, error) {
	today := now.In(loc)
	if day.IsZero() || sameDay(day.In(loc), today) {
		return now.Add(-d), nil
	}
	y, m, dd := day.Date()
	start := time.Date(y, m, dd, 9, 0, 0, 0, loc)
	if start.After(now) {
		return time.Time{}, domain.FieldErrorf("date", "%s is in the future.", day.Format("2006-01-02"))
	}
	return start.UTC(), nil
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// fitBefore moves [start, start+d) earlier until it overlaps none of the
// person's entries, at most a day back.
func fitBefore(ctx context.Context, tx domain.Tx, user string, start time.Time, d time.Duration) (time.Time, error) {
	entries, err := tx.TimeEntries(ctx, domain.TimeFilter{UserID: user, From: start.Add(-2 * MaxEntry), To: start.Add(d)})
	if err != nil {
		return start, err
	}
	limit := start.Add(-MaxEntry)
	for moved := true; moved && !start.Before(limit); {
		moved = false
		for _, e := range entries {
			end := tx.Now()
			if e.EndedAt != nil {
				end = *e.EndedAt
			}
			if e.StartedAt.Before(start.Add(d)) && start.Before(end) {
				start, moved = e.StartedAt.Add(-d), true
			}
		}
	}
	return start, nil
}

// checkOverlap refuses an entry that overlaps the person's own time.
func checkOverlap(ctx context.Context, tx domain.Tx, user string, start, end time.Time) error {
	entries, err := tx.TimeEntries(ctx, domain.TimeFilter{UserID: user, From: start.Add(-MaxEntry), To: end})
	if err != nil {
		return err
	}
	for _, e := range entries {
		eEnd := tx.Now()
		if e.EndedAt != nil {
			eEnd = *e.EndedAt
		}
		if e.StartedAt.Before(end) && start.Before(eEnd) {
			return domain.FieldErrorf("duration", "This overlaps time you already logged (%s to %s UTC). Log a shorter time or pick another day.",
				e.StartedAt.Format("Jan 2 15:04"), eEnd.Format("15:04"))
		}
	}
	return nil
}

// TimeEntries lists time on a ticket, or the actor's own in a period.
func (s *Service) TimeEntries(ctx context.Context, a domain.Actor, f domain.TimeFilter) ([]*domain.TimeEntry, error) {
	if !a.IsAgent() {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only support agents can see time entries.")
	}
	var out []*domain.TimeEntry
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		out, err = tx.TimeEntries(ctx, f)
		return err
	})
	return out, err
}

// remindAtWorkdayEnd brings a new timer's reminder forward to the end of
// its owner's working day, when that comes before time.remind_after.
func (s *Service) remindAtWorkdayEnd(ctx context.Context, tx domain.TimeStore, a domain.Actor, e *domain.TimeEntry) error {
	cfg := s.Config().Time
	loc, err := time.LoadLocation(a.TimeZone)
	if a.TimeZone == "" || err != nil {
		return nil
	}
	at := cfg.WorkdayReminder(e.StartedAt, loc)
	if at.IsZero() || !at.Before(e.StartedAt.Add(cfg.RemindAfterOrDefault())) {
		return nil
	}
	return tx.SetTimerReminder(ctx, e.ID, nil, &at)
}

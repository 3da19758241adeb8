package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// NoticeTimeChanged goes to User, the owner of a time entry someone else
// (a lead, By) edited or deleted. Args: ticket (key), entry_id, change
// ("edited" or "deleted"), old and new (summaries of the entry; new is
// empty for a deletion).
const NoticeTimeChanged = "time_changed"

// EditTimeInput changes a time entry; zero fields stay as they are.
type EditTimeInput struct {
	EntryID int64
	Key     string // move the entry to this ticket
	// Date moves the entry to another day (read in Location), keeping its time of day.
	Date     time.Time
	Duration string // as people write it: 1h30, 90m, 1.5h, 0:45
	Note     *string
	Billable *bool
	Location *time.Location
}

func (in *EditTimeInput) location() *time.Location {
	if in.Location == nil {
		return time.UTC
	}
	return in.Location
}

// TimeEntry reads one entry and its ticket, to fill an edit form. People
// see their own; leads see anyone's.
func (s *Service) TimeEntry(ctx context.Context, a domain.Actor, id int64) (*domain.TimeEntry, *domain.Ticket, error) {
	var e *domain.TimeEntry
	var t *domain.Ticket
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		if e, err = ownEntry(ctx, tx, s.Config(), a, id, "see"); err != nil {
			return err
		}
		t, err = tx.Ticket(ctx, e.TicketID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return e, t, nil
}

// EditTime changes a time entry: its owner may, and so may a lead. The
// change is checked like new time (more than zero, at most a day, not in
// the future, no overlap with the owner's other time, not in a locked
// period) and written as an event on the ticket.
func (s *Service) EditTime(ctx context.Context, a domain.Actor, in EditTimeInput) (*domain.TimeEntry, error) {
	if err := requireAgent(a, "edit time"); err != nil {
		return nil, err
	}
	var d time.Duration
	if strings.TrimSpace(in.Duration) != "" {
		var err error
		if d, err = domain.ParseWorkDuration(in.Duration); err != nil {
			return nil, err
		}
		if d > MaxEntry {
			return nil, domain.FieldErrorf("duration", "%s is more than a day; log each day on its own.", domain.FormatDuration(d))
		}
	}
	cfg := s.Config()
	var e *domain.TimeEntry
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if e, err = ownEntry(ctx, tx, cfg, a, in.EntryID, "edit"); err != nil {
			return err
		}
		from, err := tx.Ticket(ctx, e.TicketID)
		if err != nil {
			return err
		}
		if err := checkUnlocked(ctx, tx, from.CustomerID, e.StartedAt, "date"); err != nil {
			return err
		}
		to := from
		if in.Key != "" && !strings.EqualFold(in.Key, from.Key()) {
			if to, err = ticketFor(ctx, tx, a, in.Key); err != nil {
				return err
			}
		}
		old := *e
		if err := applyEdit(ctx, tx, e, in, d); err != nil {
			return err
		}
		e.TicketID = to.ID
		if entrySummary(e, to) == entrySummary(&old, from) {
			return nil // nothing changed: no event, no notice
		}
		if err := checkUnlocked(ctx, tx, to.CustomerID, e.StartedAt, "date"); err != nil {
			return err
		}
		if err := tx.UpdateTimeEntry(ctx, e); err != nil {
			return err
		}
		return recordTimeChange(ctx, tx, a, e, &old, from, to)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// applyEdit sets an entry's new day, duration, note and billable flag.
func applyEdit(ctx context.Context, tx domain.Tx, e *domain.TimeEntry, in EditTimeInput, d time.Duration) error {
	if in.Note != nil {
		e.Note = strings.TrimSpace(*in.Note)
	}
	if in.Billable != nil {
		e.Billable = *in.Billable
	}
	moved := !in.Date.IsZero() && !sameDay(in.Date, e.StartedAt.In(in.location()))
	if !moved && d == 0 {
		return nil
	}
	if e.Running() {
		return domain.FieldErrorf("duration", "This timer is still running: stop it first, then fix its time.")
	}
	now := tx.Now()
	start, dur := e.StartedAt, time.Duration(e.Seconds)*time.Second
	if d > 0 {
		dur = d
	}
	if moved {
		local := e.StartedAt.In(in.location())
		y, m, day := in.Date.Date()
		start = time.Date(y, m, day, local.Hour(), local.Minute(), local.Second(), 0, in.location()).UTC()
		if start.After(now) {
			return domain.FieldErrorf("date", "%s is in the future.", in.Date.Format("2006-01-02"))
		}
	}
	if end := start.Add(dur); end.After(now) {
		// Time logged "today" ends when it was logged: a longer duration
		// grows it backwards rather than into the future.
		anchor := now
		if !moved {
			anchor = *e.EndedAt
		}
		start = anchor.Add(-dur)
	}
	end := start.Add(dur)
	if err := checkOverlapExcept(ctx, tx, e, start, end); err != nil {
		return err
	}
	e.StartedAt, e.EndedAt, e.Seconds = start, &end, int64(dur/time.Second)
	return nil
}

// checkOverlapExcept refuses moving an entry onto its owner's other time.
func checkOverlapExcept(ctx context.Context, tx domain.Tx, e *domain.TimeEntry, start, end time.Time) error {
	others, err := tx.TimeEntries(ctx, domain.TimeFilter{UserID: e.UserID, From: start.Add(-MaxEntry), To: end})
	if err != nil {
		return err
	}
	for _, o := range others {
		oEnd := tx.Now()
		if o.EndedAt != nil {
			oEnd = *o.EndedAt
		}
		if o.ID != e.ID && o.StartedAt.Before(end) && start.Before(oEnd) {
			return domain.FieldErrorf("duration", "This overlaps other time of the same person (%s to %s UTC). Pick a shorter time or another day.",
				o.StartedAt.Format("Jan 2 15:04"), oEnd.Format("15:04"))
		}
	}
	return nil
}

// DeleteTime deletes a time entry (a running timer is stopped first). The
// row stays, marked deleted, and the ticket's history keeps what it was.
func (s *Service) DeleteTime(ctx context.Context, a domain.Actor, id int64) (*domain.TimeEntry, error) {
	if err := requireAgent(a, "delete time"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	var e *domain.TimeEntry
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if e, err = ownEntry(ctx, tx, cfg, a, id, "delete"); err != nil {
			return err
		}
		t, err := tx.Ticket(ctx, e.TicketID)
		if err != nil {
			return err
		}
		if err := checkUnlocked(ctx, tx, t.CustomerID, e.StartedAt, "date"); err != nil {
			return err
		}
		if e.Running() {
			// The one-running-timer index counts rows with no end, deleted or not.
			end := tx.Now()
			e.EndedAt, e.Seconds = &end, int64(end.Sub(e.StartedAt)/time.Second)
			if err := tx.UpdateTimeEntry(ctx, e); err != nil {
				return err
			}
		}
		if err := tx.DeleteTimeEntry(ctx, e.ID, a.Ref()); err != nil {
			return err
		}
		now := tx.Now()
		e.DeletedAt, e.DeletedBy = &now, a.Ref()
		return recordTimeChange(ctx, tx, a, e, nil, t, t)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ownEntry loads a live entry the actor may change: their own, or anyone's for a lead.
func ownEntry(ctx context.Context, tx domain.TimeStore, cfg *domain.Config, a domain.Actor, id int64, verb string) (*domain.TimeEntry, error) {
	e, err := tx.TimeEntry(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && e.DeletedAt != nil) {
		return nil, domain.Errorf(domain.ENOTFOUND, "That time entry does not exist or was deleted.")
	} else if err != nil {
		return nil, err
	}
	if e.UserID != a.UserID && !isLead(cfg, a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "You can only %s your own time; an agent lead can %s anyone's.", verb, verb)
	}
	return e, nil
}

// recordTimeChange writes the history of an edit (old set) or a deletion
// (old nil, e as it was) on the tickets involved, refreshes their cards and
// tells the owner when someone else changed their time.
func recordTimeChange(ctx context.Context, tx domain.Tx, a domain.Actor, e, old *domain.TimeEntry, from, to *domain.Ticket) error {
	field := "time_entry:" + strconv.FormatInt(e.ID, 10)
	kind, change, before, after := domain.EventTimeEdited, "edited", "", entrySummary(e, to)
	if old == nil {
		kind, change, before, after = domain.EventTimeDeleted, "deleted", entrySummary(e, from), ""
	} else {
		before = entrySummary(old, from)
	}
	tickets := []*domain.Ticket{from}
	if to.ID != from.ID {
		tickets = append(tickets, to)
	}
	for _, t := range tickets {
		if err := event(ctx, tx, a, t, kind, field, before, after); err != nil {
			return err
		}
		if err := refreshCard(ctx, tx, t); err != nil {
			return err
		}
	}
	if a.UserID == e.UserID {
		return nil
	}
	return post(ctx, tx, PostJob{Notice: NoticeTimeChanged, TicketID: to.ID, User: e.UserID, By: a.Ref(),
		Args: map[string]string{"ticket": to.Key(), "entry_id": strconv.FormatInt(e.ID, 10), "change": change, "old": before, "new": after}})
}

// entrySummary is how an entry reads in history: enough to restore it by hand.
func entrySummary(e *domain.TimeEntry, t *domain.Ticket) string {
	s := fmt.Sprintf("%s on %s by %s from %s UTC", domain.FormatDuration(time.Duration(e.Seconds)*time.Second),
		t.Key(), e.UserID, e.StartedAt.Format("2006-01-02 15:04"))
	if e.Running() {
		s = fmt.Sprintf("timer on %s by %s since %s UTC", t.Key(), e.UserID, e.StartedAt.Format("2006-01-02 15:04"))
	}
	if !e.Billable {
		s += ", not billable"
	}
	if e.Note != "" {
		s += fmt.Sprintf(", note %q", e.Note)
	}
	return s
}

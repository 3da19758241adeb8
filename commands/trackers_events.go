package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

// What the trackers tell (webhooks, polls) and what it does to tickets.

// trackerActor is who a tracker's doings are in events and notes.
func trackerActor(tracker, who string) domain.Actor {
	name := tracker
	if who != "" {
		name = who + " (" + tracker + ")"
	}
	return domain.Actor{UserID: "tracker:" + tracker, Name: name, Role: domain.RoleSystem, Channel: domain.ChannelTracker}
}

// ErrReplayed refuses a webhook delivery already handled.
var ErrReplayed = domain.Errorf(domain.ECONFLICT, "This delivery was already handled.")

// TrackerDelivery applies a webhook delivery once: source and id (the
// tracker's delivery id) are recorded in the same transaction, and a
// delivery seen before is ErrReplayed. Events about issues no ticket is
// linked to are recorded and otherwise ignored.
func (s *Service) TrackerDelivery(ctx context.Context, source, id string, ev *domain.TrackerEvent) (int, error) {
	n := 0
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		fresh, err := tx.MarkProcessed(ctx, source, id)
		if err != nil {
			return err
		}
		if !fresh {
			return ErrReplayed
		}
		if ev == nil {
			return nil
		}
		n, err = s.applyTrackerEvent(ctx, tx, ev)
		return err
	})
	return n, err
}

func (s *Service) applyTrackerEvent(ctx context.Context, tx domain.Tx, ev *domain.TrackerEvent) (int, error) {
	switch ev.Kind {
	case domain.TrackerIssueState:
		return s.applyIssueState(ctx, tx, ev)
	case domain.TrackerComment:
		return s.engineeringNote(ctx, tx, ev, ev.Number, NoticeEngineering,
			fmt.Sprintf("%s commented on %s:\n%s", cmpOr(ev.Author, "Engineering"), domain.FormatIssueRef(ev.Repo, ev.Number), ev.Body),
			"tracker:"+ev.Tracker+":comment:"+cmpOr(ev.CommentID, ev.URL))
	case domain.TrackerMerged:
		total := 0
		for _, num := range ev.Issues {
			n, err := s.engineeringNote(ctx, tx, ev, num, NoticeFixMerged,
				fmt.Sprintf("Fix merged for %s: %s (%s), by %s", domain.FormatIssueRef(ev.Repo, num), ev.Title, ev.URL, cmpOr(ev.Author, "engineering")),
				fmt.Sprintf("tracker:%s:merged:%s:%d", ev.Tracker, ev.URL, num))
			if err != nil {
				return total, err
			}
			total += n
		}
		return total, nil
	}
	return 0, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// engineeringNote keeps what engineering said as an internal note on
// every ticket of the issue and posts it in the card's thread (the
// dispatcher takes it elsewhere when the customer reads that thread).
func (s *Service) engineeringNote(ctx context.Context, tx domain.Tx, ev *domain.TrackerEvent, number int64, notice, text, ref string) (int, error) {
	issue, err := tx.IssueByRef(ctx, ev.Tracker, ev.Repo, number)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	ids, err := tx.IssueTicketIDs(ctx, issue.ID)
	if err != nil {
		return 0, err
	}
	cfg := s.Config()
	a := trackerActor(ev.Tracker, ev.Author)
	text = cutRunes(textclean.Text(text), MaxComment)
	n := 0
	for _, id := range ids {
		t, err := tx.Ticket(ctx, id)
		if err != nil {
			return n, err
		}
		if c, err := tx.CommentBySource(ctx, t.ID, ref); err == nil && c != nil {
			continue // told already
		}
		c := &domain.Comment{TicketID: t.ID, AuthorID: a.UserID, AuthorName: a.Name, AuthorRole: domain.RoleAgent,
			Body: text, Public: false, Channel: a.Channel, SourceRef: ref}
		if err := s.addComment(ctx, tx, cfg, a, t, c); err != nil {
			return n, err
		}
		if t.SlackChannel != "" {
			if err := post(ctx, tx, PostJob{Notice: notice, TicketID: t.ID, InTicketThread: true, By: a.Ref(),
				Args: map[string]string{"text": text, "issue": issue.Ref(), "url": ev.URL}}); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// applyIssueState records an issue's new state and, when it closed or
// reopened, moves its tickets and tells their agents.
func (s *Service) applyIssueState(ctx context.Context, tx domain.Tx, ev *domain.TrackerEvent) (int, error) {
	issue, err := tx.IssueByRef(ctx, ev.Tracker, ev.Repo, ev.Number)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	was := issue.State
	if ev.State != "" {
		issue.State = ev.State
	}
	if ev.Title != "" {
		issue.Title = cutRunes(ev.Title, 500)
	}
	if ev.URL != "" {
		issue.URL = ev.URL
	}
	if ev.MilestoneKnown {
		issue.Milestone = ev.Milestone
	}
	if ev.LabelsKnown {
		issue.Labels = strings.Join(ev.Labels, "\n")
	}
	if err := tx.SaveIssue(ctx, issue); err != nil {
		return 0, err
	}
	if was == issue.State {
		return 0, nil
	}
	return s.issueMoved(ctx, tx, issue, ev.Author)
}

// issueMoved applies a closed or reopened issue to its tickets: closing
// moves each unresolved one to engineering.closed_status, reopening moves
// those still there back to work; each records the change and its agent
// hears of it.
func (s *Service) issueMoved(ctx context.Context, tx domain.Tx, issue *domain.TrackerIssue, who string) (int, error) {
	cfg := s.Config()
	a := trackerActor(issue.Tracker, who)
	ids, err := tx.IssueTicketIDs(ctx, issue.ID)
	if err != nil {
		return 0, err
	}
	closed := issue.State == domain.IssueClosed
	notice := NoticeIssueReopened
	if closed {
		notice = NoticeIssueClosed
	}
	n := 0
	for _, id := range ids {
		t, err := tx.Ticket(ctx, id)
		if err != nil {
			return n, err
		}
		st := cfg.Status(t.Status)
		if st != nil && st.Done() {
			continue
		}
		if err := event(ctx, tx, a, t, domain.EventIssueState, "issue", issue.Ref(), issue.State); err != nil {
			return n, err
		}
		moved := ""
		if to := s.issueTarget(cfg, t, closed); to != "" {
			if err := s.moveStatus(ctx, tx, cfg, a, t, to); err == nil {
				moved = cfg.StatusLabel(to)
			} else if domain.ErrorCode(err) == domain.EINTERNAL {
				return n, err
			}
		}
		if err := refreshCard(ctx, tx, t); err != nil {
			return n, err
		}
		job := PostJob{Notice: notice, TicketID: t.ID, By: a.Ref(),
			Args: map[string]string{"issue": issue.Ref(), "url": issue.URL, "status": moved}}
		if t.AssigneeID != "" {
			job.User = t.AssigneeID
		} else if t.SlackChannel != "" {
			job.InTicketThread = true
		} else {
			continue
		}
		if err := post(ctx, tx, job); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// issueTarget is where a ticket goes when its issue closes (the
// configured status, when the workflow allows it) or reopens (from that
// status back to the first open status allowed); "" to stay.
func (s *Service) issueTarget(cfg *domain.Config, t *domain.Ticket, closed bool) string {
	target := cfg.Engineering.ClosedStatus
	wf := cfg.WorkflowFor(t.Type)
	if wf == nil || target == "" {
		return ""
	}
	if closed {
		if t.Status != target && slices.Contains(wf.Next(t.Status), target) {
			return target
		}
		return ""
	}
	if t.Status != target {
		return ""
	}
	for _, to := range wf.Next(t.Status) {
		if st := cfg.Status(to); st != nil && st.Category == domain.CategoryOpen {
			return to
		}
	}
	return ""
}

// reconcileBatch bounds the issues polled in one run.
const reconcileBatch = 500

// ReconcileIssues polls the state of every issue an unresolved ticket
// waits on and applies what changed, so a missed webhook heals. It
// returns how many messages it queued.
func (s *Service) ReconcileIssues(ctx context.Context) (int, error) {
	var issues []*domain.TrackerIssue
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		issues, err = tx.OpenLinkedIssues(ctx, reconcileBatch)
		return err
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, i := range issues {
		st, err := s.pollIssue(ctx, i)
		if err != nil {
			s.log.Warn("tracker: unable to poll an issue", "issue", i.Ref(), "tracker", i.Tracker, "err", err)
			continue
		}
		ev := &domain.TrackerEvent{Tracker: i.Tracker, Kind: domain.TrackerIssueState, Repo: i.Repo, Number: i.Number,
			Title: st.Title, URL: st.URL, State: st.State, Milestone: st.Milestone, MilestoneKnown: true,
			Labels: st.Labels, LabelsKnown: true}
		var n int
		err = s.store.Update(ctx, func(tx domain.Tx) (err error) {
			n, err = s.applyIssueState(ctx, tx, ev)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (s *Service) pollIssue(ctx context.Context, i *domain.TrackerIssue) (*domain.IssueState, error) {
	def := s.Config().Trackers[i.Tracker]
	if def == nil {
		return nil, fmt.Errorf("tracker %q is no longer configured", i.Tracker)
	}
	client, err := s.trackerClient(def)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := client.Issue(ctx, def.Repository, i.Number)
	if err == nil && st.State != domain.IssueClosed {
		st.State = domain.IssueOpen
	}
	return st, err
}

// ReleaseIssueTickets lists the unresolved tickets whose linked issue
// ships in version (domain.IssueInRelease), after polling those issues
// so their milestones and labels are current (a tracker that cannot be
// reached leaves what was last heard). Agents only.
func (s *Service) ReleaseIssueTickets(ctx context.Context, a domain.Actor, version string) ([]string, error) {
	if err := requireAgent(a, "register releases"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	sv, ok := domain.ParseSemver(version)
	if !ok {
		return nil, domain.FieldErrorf("version", "%q is not a version like 4.2.1.", version)
	}
	if len(cfg.Trackers) == 0 {
		return nil, nil
	}
	if _, err := s.ReconcileIssues(ctx); err != nil {
		return nil, err
	}
	var keys []string
	err := s.store.View(ctx, func(tx domain.Tx) error {
		issues, err := tx.OpenLinkedIssues(ctx, reconcileBatch)
		if err != nil {
			return err
		}
		for _, i := range issues {
			if !domain.IssueInRelease(i, sv.String(), cfg.Engineering.ReleaseLabelPrefix) {
				continue
			}
			ids, err := tx.IssueTicketIDs(ctx, i.ID)
			if err != nil {
				return err
			}
			for _, id := range ids {
				t, err := tx.Ticket(ctx, id)
				if err != nil {
					return err
				}
				if st := cfg.Status(t.Status); (st == nil || !st.Done()) && !slices.Contains(keys, t.Key()) {
					keys = append(keys, t.Key())
				}
			}
		}
		return nil
	})
	return keys, err
}

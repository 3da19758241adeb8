package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

// IssueTracker is a tracker's REST API as the use cases need it. The
// tracker package implements it for GitHub and GitLab; the use cases
// never know which.
type IssueTracker interface {
	CreateIssue(ctx context.Context, repo string, in domain.NewIssue) (*domain.IssueState, error)
	Issue(ctx context.Context, repo string, number int64) (*domain.IssueState, error)
}

// TrackerClients returns the client of a configured tracker (its token
// read from the environment when asked, so a config reload takes effect).
type TrackerClients func(t *domain.TrackerDef) (IssueTracker, error)

// Notices of the trackers' side; all are for agents only.
const (
	NoticeIssueClosed   = "issue_closed"   // the linked issue closed: to the assignee, or the thread
	NoticeIssueReopened = "issue_reopened" // it reopened
	NoticeEngineering   = "engineering"    // an engineer's comment, in the card's thread
	NoticeFixMerged     = "fix_merged"     // a merged request mentions the issue
)

// TrackerNotice reports the notices above: never shown to customers.
func TrackerNotice(n string) bool {
	switch n {
	case NoticeIssueClosed, NoticeIssueReopened, NoticeEngineering, NoticeFixMerged:
		return true
	}
	return false
}

// Limits of what an escalation sends.
const (
	maxIssueTitle = 256
	maxIssueBody  = 60_000 // GitHub refuses bodies over 65,536 characters
	maxQuoted     = 4_000  // of one customer message
	maxLabels     = 20
)

func (s *Service) trackerClient(t *domain.TrackerDef) (IssueTracker, error) {
	if s.trackers == nil {
		return nil, domain.Errorf(domain.EINVALID, "No issue tracker is wired in this process.")
	}
	return s.trackers(t)
}

// EscalationDraft is the escalate form, filled from the ticket.
type EscalationDraft struct {
	Ticket   *domain.Ticket
	Trackers []string
	Title    string
	Body     string
	Labels   []string // the first tracker's default labels
	HasNotes bool     // the ticket has internal notes the agent may add
}

// EscalationDraft prefills the escalate form: title, body (the customer's
// words quoted, never internal notes) and labels. link is the card's
// address in Slack, for the way back.
func (s *Service) EscalationDraft(ctx context.Context, a domain.Actor, key, link string) (*EscalationDraft, error) {
	if err := requireAgent(a, "escalate to engineering"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	if len(cfg.Trackers) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "No issue tracker is configured: add one under `trackers:` in the config (README: Configuration).")
	}
	d := &EscalationDraft{Trackers: cfg.TrackerNames()}
	err := s.store.View(ctx, func(tx domain.Tx) error {
		in, notes, t, err := s.escalationInput(ctx, tx, a, key, link)
		if err != nil {
			return err
		}
		d.Ticket, d.HasNotes = t, len(notes) > 0
		d.Title = cutRunes(fmt.Sprintf("[%s] %s", t.Key(), t.Title), maxIssueTitle)
		d.Body = domain.EscalationBody(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.Labels = cfg.Trackers[d.Trackers[0]].Labels
	return d, nil
}

// escalationInput gathers the body's facts; notes are the internal
// notes, kept apart.
func (s *Service) escalationInput(ctx context.Context, tx domain.Tx, a domain.Actor, key, link string) (domain.EscalationInput, []string, *domain.Ticket, error) {
	t, err := ticketFor(ctx, tx, a, key)
	if err != nil {
		return domain.EscalationInput{}, nil, nil, err
	}
	in := domain.EscalationInput{Key: t.Key(), Title: t.Title, Version: t.Version, Priority: t.Priority, Link: link}
	if p, err := tx.Customer(ctx, t.CustomerID); err == nil {
		in.Customer = p.Name
	}
	if t.SLAPolicy != "" {
		in.SLA = t.SLAPolicy
		if t.SLADeadline != nil {
			in.SLA += ", next deadline " + t.SLADeadline.UTC().Format("2006-01-02 15:04 UTC")
		}
	}
	if d := strings.TrimSpace(t.Description); d != "" {
		in.Words = append(in.Words, cutRunes(d, maxQuoted))
	}
	cs, err := tx.Comments(ctx, t.ID)
	if err != nil {
		return in, nil, nil, err
	}
	var notes []string
	for _, c := range cs {
		switch {
		case c.DeletedAt != nil:
		case c.Public && c.AuthorRole == domain.RoleCustomer:
			in.Words = append(in.Words, cutRunes(c.Body, maxQuoted))
		case !c.Public:
			notes = append(notes, cutRunes(c.Body, maxQuoted))
		}
	}
	return in, notes, t, nil
}

// sourceEscalate records the escalate forms handled (processed_inputs).
const sourceEscalate = "escalate_form"

// EscalateInput is the submitted escalate form.
type EscalateInput struct {
	Tracker   string
	Title     string
	Body      string
	Labels    []string
	WithNotes bool // add the ticket's internal notes to the body
	// DedupID (the form's view id) makes a submission handled twice
	// create one issue: the second is refused naming the first.
	DedupID string
}

// Escalate creates an issue in a configured tracker from the form, links
// it to the ticket and records it. The issue is created before the
// transaction (a tracker call must not hold a ticket's lock); should the
// link then fail, the error names the issue so nobody creates it twice.
func (s *Service) Escalate(ctx context.Context, a domain.Actor, key string, in EscalateInput) (*domain.TrackerIssue, error) {
	if err := requireAgent(a, "escalate to engineering"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	def := cfg.Trackers[in.Tracker]
	if def == nil {
		return nil, domain.FieldErrorf("tracker", "Pick a tracker: %s.", strings.Join(cfg.TrackerNames(), ", "))
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > maxIssueTitle {
		return nil, domain.FieldErrorf("title", "The issue needs a title of at most %d characters.", maxIssueTitle)
	}
	if err := textclean.Check("body", "The issue's body", in.Body, maxIssueBody); err != nil {
		return nil, err
	}
	labels, err := cleanLabels(in.Labels)
	if err != nil {
		return nil, err
	}
	body := in.Body
	if in.WithNotes {
		err := s.store.View(ctx, func(tx domain.Tx) error {
			_, notes, _, err := s.escalationInput(ctx, tx, a, key, "")
			if len(notes) > 0 {
				body = strings.TrimRight(body, "\n") + "\n" + domain.NotesMarkdown(notes)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		body = cutRunes(body, maxIssueBody)
	} else if _, err := s.Ticket(ctx, a, key); err != nil {
		return nil, err // no issue for a ticket that is not there
	}
	if in.DedupID != "" {
		var done string
		err := s.store.View(ctx, func(tx domain.Tx) (err error) {
			done, err = tx.ProcessedResult(ctx, sourceEscalate, in.DedupID)
			return err
		})
		if err == nil {
			return nil, domain.Errorf(domain.ECONFLICT, "This form was already sent: %s is %s.", key, done)
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
	}
	client, err := s.trackerClient(def)
	if err != nil {
		return nil, err
	}
	st, err := client.CreateIssue(ctx, def.Repository, domain.NewIssue{Title: in.Title, Body: body, Labels: labels})
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "%s did not create the issue: %v", def.Name, err)
	}
	issue := issueOf(def, st)
	err = s.store.Update(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		if in.DedupID != "" {
			if err := tx.RecordInput(ctx, sourceEscalate, in.DedupID, "escalated as "+issue.Ref()); err != nil {
				return err
			}
		}
		return s.linkIssue(ctx, tx, a, t, issue, domain.EventEscalated)
	})
	if err != nil {
		s.log.Error("tracker: issue created but not linked", "issue", issue.Ref(), "ticket", key, "err", err)
		// Not retried (a retry would create the issue again): the agent links it.
		return nil, domain.Errorf(domain.ECONFLICT, "%s was created but could not be linked to %s (%s): link it with `/ticket %s link %s`.",
			issue.Ref(), key, domain.ErrorMessage(err), key, issue.Ref())
	}
	s.log.Info("ticket escalated", "ticket", key, "issue", issue.Ref(), "tracker", def.Name, "by", a.Ref())
	return issue, nil
}

// LinkIssue links an existing issue (org/repo#123, or its address) to a
// ticket, reading it from its tracker first: an issue that does not
// exist is refused.
func (s *Service) LinkIssue(ctx context.Context, a domain.Actor, key, ref string) (*domain.TrackerIssue, error) {
	if err := requireAgent(a, "link issues"); err != nil {
		return nil, err
	}
	r, err := domain.ParseIssueRef(ref)
	if err != nil {
		return nil, err
	}
	def := s.Config().TrackerFor(r.Kind, r.Repo)
	if def == nil {
		return nil, domain.FieldErrorf("issue", "No tracker is configured for %s: add it under `trackers:` in the config.", r.Repo)
	}
	if _, err := s.Ticket(ctx, a, key); err != nil {
		return nil, err
	}
	client, err := s.trackerClient(def)
	if err != nil {
		return nil, err
	}
	st, err := client.Issue(ctx, def.Repository, r.Number)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "%s could not read %s: %v", def.Name, domain.FormatIssueRef(r.Repo, r.Number), err)
	}
	issue := issueOf(def, st)
	var added bool
	err = s.store.Update(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		if err := tx.SaveIssue(ctx, issue); err != nil {
			return err
		}
		if added, err = tx.LinkIssue(ctx, t.ID, issue.ID, a.Ref()); err != nil || !added {
			return err
		}
		if err := event(ctx, tx, a, t, domain.EventIssueLinked, "issue", "", issue.Ref()); err != nil {
			return err
		}
		if err := s.notifyWatchers(ctx, tx, nil, t, nil); err != nil {
			return err
		}
		return s.refreshIssueCards(ctx, tx, issue.ID)
	})
	if err != nil {
		return nil, err
	}
	if !added {
		return nil, domain.Errorf(domain.ECONFLICT, "%s is already linked to %s.", issue.Ref(), key)
	}
	return s.issueWithWaiting(ctx, key, issue)
}

func (s *Service) linkIssue(ctx context.Context, tx domain.Tx, a domain.Actor, t *domain.Ticket, issue *domain.TrackerIssue, kind string) error {
	if err := tx.SaveIssue(ctx, issue); err != nil {
		return err
	}
	if _, err := tx.LinkIssue(ctx, t.ID, issue.ID, a.Ref()); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, kind, "issue", "", issue.Ref()); err != nil {
		return err
	}
	// Linking runs no change hooks (no automation reads it); watchers hear of it.
	if err := s.notifyWatchers(ctx, tx, nil, t, nil); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

// refreshIssueCards updates the cards of every ticket of an issue: their
// "N customers are waiting" line changed.
func (s *Service) refreshIssueCards(ctx context.Context, tx domain.Tx, issueID int64) error {
	ids, err := tx.IssueTicketIDs(ctx, issueID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := refreshCard(ctx, tx, &domain.Ticket{ID: id}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) issueWithWaiting(ctx context.Context, key string, issue *domain.TrackerIssue) (*domain.TrackerIssue, error) {
	err := s.store.View(ctx, func(tx domain.Tx) error {
		t, err := tx.TicketByKey(ctx, key)
		if err != nil {
			return err
		}
		m, err := tx.TicketIssues(ctx, []int64{t.ID})
		for _, i := range m[t.ID] {
			if i.ID == issue.ID {
				issue = i
			}
		}
		return err
	})
	return issue, err
}

func issueOf(def *domain.TrackerDef, st *domain.IssueState) *domain.TrackerIssue {
	state := domain.IssueOpen
	if st.State == domain.IssueClosed {
		state = domain.IssueClosed
	}
	return &domain.TrackerIssue{Tracker: def.Name, Repo: def.Repository, Number: st.Number, URL: st.URL,
		Title: cutRunes(st.Title, 500), State: state, Milestone: st.Milestone, Labels: strings.Join(st.Labels, "\n")}
}

// cleanLabels trims, dedupes and checks labels.
func cleanLabels(in []string) ([]string, error) {
	var out []string
	for _, l := range in {
		for _, l := range strings.Split(l, ",") {
			l = strings.TrimSpace(l)
			if l == "" || slices.Contains(out, l) {
				continue
			}
			if utf8.RuneCountInString(l) > 50 || strings.ContainsAny(l, "\n\r\t") {
				return nil, domain.FieldErrorf("labels", "A label is one line of at most 50 characters; %q is not.", cutRunes(l, 60))
			}
			out = append(out, l)
		}
	}
	if len(out) > maxLabels {
		return nil, domain.FieldErrorf("labels", "At most %d labels.", maxLabels)
	}
	return out, nil
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

package commands

import (
	"context"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/automation"
)

// Notices automations and the customer-facing rules queue (PostJob.Notice).
const (
	// NoticeAutomation: a rule's post (Channel) or DM (User). Args: rule,
	// text (the rule's own words, may be empty).
	NoticeAutomation = "automation"
	// NoticeStaleReminder: the ticket waits on the customer; in its thread.
	// Args: close_after (business time before it closes, "" when it never does).
	NoticeStaleReminder = "stale_reminder"
	// NoticeStaleClosed: closed after the reminder went unanswered; in its thread.
	NoticeStaleClosed = "stale_closed"
	// NoticeReleaseFixed: a release fixes the ticket; in its thread. Args: version.
	NoticeReleaseFixed = "release_fixed"
	// NoticeSurvey: the satisfaction question, in the thread of a resolved
	// ticket. Args: question. Answers go to AnswerSurvey.
	NoticeSurvey = "survey"
)

// EmailJob is the payload of a domain.OutboxEmail message: a plain-text
// mail the mail transport sends. InReplyTo threads it under the ticket's
// mail (Ticket.EmailThread) when the ticket came by mail. Notice tells
// why (NoticeAutomation, NoticeStaleReminder, NoticeStaleClosed,
// NoticeReleaseFixed), with the same Args as the Slack notice; Subject
// and Text are set for automation mails and may be empty otherwise, for
// the transport to word.
type EmailJob struct {
	TicketID  int64             `json:"ticket_id"`
	To        string            `json:"to"`
	Subject   string            `json:"subject,omitempty"`
	Text      string            `json:"text,omitempty"`
	InReplyTo string            `json:"in_reply_to,omitempty"`
	Notice    string            `json:"notice"`
	Args      map[string]string `json:"args,omitempty"`
}

// maxAutomationDepth bounds how deep one rule's changes may trigger
// others. A rule's own changes never trigger it again, so a loop is
// already impossible; the bound keeps long chains of distinct rules in check.
const maxAutomationDepth = 5

// chain is the rules running, outermost first: a change made by them
// triggers only the other rules.
type chain []string

type chainKey struct{}

func chainOf(ctx context.Context) chain {
	c, _ := ctx.Value(chainKey{}).(chain)
	return c
}

func (c chain) with(rule string) chain { return append(slices.Clip(c), rule) }

type fieldsKey struct{}

// withFields tells the hooks which fields a field event changed: the
// hook's kinds say only that some did.
func withFields(ctx context.Context, names ...string) context.Context {
	return context.WithValue(ctx, fieldsKey{}, names)
}

// Automate is the ChangeHook that runs the automations (and asks the
// satisfaction question when a ticket is resolved), inside the change's
// transaction. Register it with OnChange before ApplySLA: rules may change
// the priority and the SLA policy. Without rules it costs nothing.
func (s *Service) Automate(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, kinds []string) error {
	if err := s.askSurvey(ctx, tx, cfg, t, kinds); err != nil {
		return err
	}
	if len(cfg.Automations) == 0 {
		return nil
	}
	events, comment, err := automationEvents(ctx, tx, t, kinds)
	if err != nil || len(events) == 0 {
		return err
	}
	return s.runRules(ctx, tx, cfg, t, comment, events...)
}

// RunAutomations runs the rules on one event for a ticket inside the
// caller's transaction. The SLA scan calls it once per ticket and pass with
// automation.OnSLAWarning or automation.OnSLABreach (see RunSLAAutomations).
func (s *Service) RunAutomations(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, ev automation.Event) error {
	if len(cfg.Automations) == 0 {
		return nil
	}
	return s.runRules(ctx, tx, cfg, t, "", ev)
}

// RunSLAAutomations runs the SLA rules: on sla_breach when breach, else on sla_warning.
func (s *Service) RunSLAAutomations(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, breach bool) error {
	ev := automation.Event{Kind: automation.OnSLAWarning}
	if breach {
		ev.Kind = automation.OnSLABreach
	}
	return s.RunAutomations(ctx, tx, cfg, t, ev)
}

// automationEvents turns a change's event kinds into rule events (one
// updated event for all its fields), with the comment a comment event added.
func automationEvents(ctx context.Context, tx domain.Tx, t *domain.Ticket, kinds []string) ([]automation.Event, string, error) {
	var out []automation.Event
	var fields []string
	comment := ""
	for _, k := range kinds {
		switch k {
		case domain.EventCreated:
			out = append(out, automation.Event{Kind: automation.OnCreated})
		case domain.EventStatus, domain.EventDismissed:
			out = append(out, automation.Event{Kind: automation.OnStatusChanged})
		case domain.EventPriority:
			fields = append(fields, "priority")
		case domain.EventAssigned:
			fields = append(fields, "assignee")
		case domain.EventTitle:
			fields = append(fields, "title")
		case domain.EventType:
			fields = append(fields, "type")
		case domain.EventTag:
			fields = append(fields, "tags")
		case domain.EventSLAPolicy:
			fields = append(fields, "sla_policy")
		case domain.EventField:
			names, _ := ctx.Value(fieldsKey{}).([]string)
			fields = append(fields, names...)
		case domain.EventComment:
			c, err := lastComment(ctx, tx, t.ID)
			if err != nil || c == nil {
				return nil, "", err
			}
			by := automation.BySystem
			switch c.AuthorRole {
			case domain.RoleAgent:
				by = automation.ByAgent
			case domain.RoleCustomer:
				by = automation.ByCustomer
			}
			comment = c.Body
			out = append(out, automation.Event{Kind: automation.OnCommentAdded, By: by})
		}
	}
	if len(fields) > 0 {
		out = append(out, automation.Event{Kind: automation.OnUpdated, Fields: fields})
	}
	return out, comment, nil
}

func lastComment(ctx context.Context, tx domain.CommentStore, ticketID int64) (*domain.Comment, error) {
	cs, err := tx.Comments(ctx, ticketID)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	last := cs[0]
	for _, c := range cs[1:] {
		if c.ID > last.ID {
			last = c
		}
	}
	return last, nil
}

// runRules fires the rules the events trigger, each once, in config order.
func (s *Service) runRules(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, comment string, events ...automation.Event) error {
	running := chainOf(ctx)
	if len(running) >= maxAutomationDepth {
		s.log.Warn("automation: depth limit reached; rules their changes trigger do not run",
			"ticket", t.Key(), "chain", strings.Join(running, " → "), "limit", maxAutomationDepth)
		return nil
	}
	f, err := s.facts(ctx, tx, cfg, t, comment)
	if err != nil {
		return err
	}
	skip := func(r *automation.Rule) bool { return slices.Contains(running, r.Name) }
	var fire []*automation.Rule
	for _, ev := range events {
		for _, r := range automation.Match(cfg.Automations, ev, f, skip) {
			if !slices.Contains(fire, r) {
				fire = append(fire, r)
			}
		}
	}
	for _, r := range fire {
		if err := s.fire(context.WithValue(ctx, chainKey{}, running.with(r.Name)), tx, cfg, t, r); err != nil {
			return err
		}
	}
	return nil
}

// facts gathers what conditions test about a ticket now.
func (s *Service) facts(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, comment string) (*automation.Facts, error) {
	p, err := tx.Customer(ctx, t.CustomerID)
	if err != nil {
		return nil, err
	}
	tags, err := tx.Tags(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	fields := make(map[string]string, len(t.Fields)+1)
	for k, v := range t.Fields {
		fields[k] = v
	}
	if t.Version != "" && fields["version"] == "" {
		fields["version"] = t.Version
	}
	text := t.Title + "\n" + t.Description
	if comment != "" {
		text += "\n" + comment
	}
	return &automation.Facts{
		Type: t.Type, Status: t.Status, Priority: t.Priority, Source: t.Source,
		Customer: strings.ToUpper(p.Key), Tier: strings.ToLower(p.Tier),
		Assignee: t.AssigneeID, Requester: firstNonEmpty(t.RequesterID, t.RequesterEmail), Title: t.Title,
		Fields: fields, Tags: tags, Text: text,
		BusinessHours: businessHours(cfg, t, p, tx),
	}, nil
}

// businessHours tells whether the ticket's business calendar (its SLA
// policy's) is open now; without one, every hour is a business hour.
func businessHours(cfg *domain.Config, t *domain.Ticket, p *domain.Customer, tx domain.Tx) bool {
	pol := cfg.PolicyFor(firstNonEmpty(t.SLAPolicy, p.SLAPolicy))
	if pol == nil || pol.Calendar == nil {
		return true
	}
	return pol.Calendar.IsOpen(tx.Now())
}

// automationActor is who automations act as: deskbot, on the automation channel.
func automationActor(rule string) domain.Actor {
	a := domain.SystemActor(domain.ChannelAutomation)
	a.Name = "automation " + rule
	return a
}

// fire runs a rule's actions and records the run on the ticket. An action
// the ticket refuses (a workflow move, a field its type lacks) is noted in
// the record and the others still run; a storage error undoes the change.
func (s *Service) fire(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, r *automation.Rule) error {
	sys := automationActor(r.Name)
	var did []string
	for _, a := range r.Then {
		what, err := s.act(ctx, tx, cfg, sys, t, r, a)
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				return err
			}
			did = append(did, a.String()+": refused: "+domain.ErrorMessage(err))
			continue
		}
		if what != "" {
			did = append(did, what)
		}
	}
	// The run is recorded when it ends, with what it did: after the
	// events of its actions and of the rules they triggered.
	summary := strings.Join(did, "; ")
	if summary == "" {
		summary = "nothing to change"
	}
	s.log.Debug("automation ran", "rule", r.Name, "ticket", t.Key(), "did", summary)
	if err := event(ctx, tx, sys, t, domain.EventAutomation, r.Name, "", cutText(summary, 1000)); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

func cutText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

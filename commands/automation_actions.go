package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/automation"
)

// act runs one action on t inside the change's transaction and says what
// it did ("" when there was nothing to change). Each change writes its
// event and runs the change hooks, as a person's would: other rules may
// react to it, and the SLA clock follows a new priority or policy.
func (s *Service) act(ctx context.Context, tx domain.Tx, cfg *domain.Config, sys domain.Actor, t *domain.Ticket, r *automation.Rule, a *automation.Action) (string, error) {
	switch a.Kind {
	case automation.ActSetField:
		return s.actSetField(ctx, tx, cfg, sys, t, a)
	case automation.ActSetPriority:
		if t.Priority == a.Value {
			return "", nil
		}
		old := t.Priority
		t.Priority = a.Value
		return a.String(), s.save(ctx, tx, cfg, sys, t, domain.EventPriority, "priority", old, a.Value)
	case automation.ActAssign:
		return s.actAssign(ctx, tx, cfg, sys, t, a)
	case automation.ActSetSeverity:
		if t.Severity == a.Value {
			return "", nil
		}
		return a.String(), s.setSeverity(ctx, tx, cfg, sys, t, a.Value)
	case automation.ActSetDue:
		at, err := domain.ParseDue(a.Value, tx.Now(), time.UTC)
		if err != nil {
			return "", err
		}
		return a.String(), s.setDue(ctx, tx, cfg, sys, t, at, a.Public)
	case automation.ActApplySLA:
		if t.SLAPolicy == a.Value {
			return "", nil
		}
		old := t.SLAPolicy
		t.SLAPolicy = a.Value
		return a.String(), s.save(ctx, tx, cfg, sys, t, domain.EventSLAPolicy, "sla_policy", old, a.Value)
	case automation.ActAddTag, automation.ActRemoveTag:
		return s.actTag(ctx, tx, cfg, sys, t, a)
	case automation.ActSetStatus:
		if t.Status == a.Value {
			return "", nil
		}
		return a.String(), s.moveStatus(ctx, tx, cfg, sys, t, a.Value)
	case automation.ActPost:
		return a.String(), post(ctx, tx, PostJob{Notice: NoticeAutomation, TicketID: t.ID, Channel: a.Value,
			By: sys.Ref(), Args: map[string]string{"rule": r.Name, "text": a.Text}})
	case automation.ActDM:
		user := a.To
		switch a.To {
		case automation.ToAssignee:
			user = t.AssigneeID
		case automation.ToRequester:
			user = t.RequesterID
		}
		if user == "" {
			return "", domain.Errorf(domain.EINVALID, "The ticket has no %s on Slack to write to.", a.To)
		}
		return "DM " + user, post(ctx, tx, PostJob{Notice: NoticeAutomation, TicketID: t.ID, User: user,
			By: sys.Ref(), Args: map[string]string{"rule": r.Name, "text": a.Text}})
	case automation.ActEmail:
		to := a.To
		if a.To == automation.ToRequester {
			to = t.RequesterEmail
		}
		if to == "" {
			return "", domain.Errorf(domain.EINVALID, "The requester has no email address.")
		}
		return "email " + to, enqueueMail(ctx, tx, EmailJob{TicketID: t.ID, To: to, Subject: a.Subject, Text: a.Text,
			InReplyTo: t.EmailThread, Notice: NoticeAutomation, Args: map[string]string{"rule": r.Name}})
	case automation.ActNote:
		c := &domain.Comment{TicketID: t.ID, AuthorName: sys.Name, AuthorRole: domain.RoleSystem, Body: a.Text,
			Public: false, Channel: domain.ChannelAutomation}
		if err := tx.AddComment(ctx, c); err != nil {
			return "", err
		}
		if err := event(ctx, tx, sys, t, domain.EventComment, "", "", visibility(false)); err != nil {
			return "", err
		}
		return a.String(), s.changed(ctx, tx, cfg, t, domain.EventComment)
	}
	return "", domain.Errorf(domain.EINVALID, "Unknown action %q.", a.Kind)
}

// save writes t, its event and runs the hooks for that event.
func (s *Service) save(ctx context.Context, tx domain.Tx, cfg *domain.Config, sys domain.Actor, t *domain.Ticket, kind, field, old, new string) error {
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, sys, t, kind, field, old, new); err != nil {
		return err
	}
	return s.changed(ctx, tx, cfg, t, kind)
}

func (s *Service) actSetField(ctx context.Context, tx domain.Tx, cfg *domain.Config, sys domain.Actor, t *domain.Ticket, a *automation.Action) (string, error) {
	changed, err := s.setFields(ctx, tx, cfg, sys, t, map[string]string{a.Field: a.Value})
	if err != nil || len(changed) == 0 {
		return "", err
	}
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return "", err
	}
	return a.String(), s.changed(withFields(ctx, changed...), tx, cfg, t, domain.EventField)
}

func (s *Service) actTag(ctx context.Context, tx domain.Tx, cfg *domain.Config, sys domain.Actor, t *domain.Ticket, a *automation.Action) (string, error) {
	var did bool
	var err error
	old, new := "", a.Value
	if a.Kind == automation.ActAddTag {
		did, err = tx.AddTag(ctx, t.ID, a.Value)
	} else {
		did, err = tx.RemoveTag(ctx, t.ID, a.Value)
		old, new = a.Value, ""
	}
	if err != nil || !did {
		return "", err
	}
	if err := event(ctx, tx, sys, t, domain.EventTag, "tag", old, new); err != nil {
		return "", err
	}
	return a.String(), s.changed(ctx, tx, cfg, t, domain.EventTag)
}

// actAssign picks the assignee (a person, the next in the group's turn,
// or the group's member with the fewest open tickets) and assigns.
func (s *Service) actAssign(ctx context.Context, tx domain.Tx, cfg *domain.Config, sys domain.Actor, t *domain.Ticket, a *automation.Action) (string, error) {
	user := a.Value
	switch a.Assign {
	case automation.AssignRoundRobin:
		n, err := tx.NextCounter(ctx, "round_robin:"+a.Group)
		if err != nil {
			return "", err
		}
		user = a.Members[int((n-1)%int64(len(a.Members)))]
	case automation.AssignLeastLoaded:
		best := -1
		for _, m := range a.Members {
			m := m
			n, err := tx.CountTickets(ctx, domain.TicketFilter{AssigneeID: &m, Statuses: s.openStatuses(cfg)})
			if err != nil {
				return "", err
			}
			if best < 0 || n < best {
				user, best = m, n
			}
		}
	}
	if t.AssigneeID == user {
		return "", nil
	}
	old := t.AssigneeID
	t.AssigneeID = user
	if err := s.save(ctx, tx, cfg, sys, t, domain.EventAssigned, "assignee", old, user); err != nil {
		return "", err
	}
	if err := s.notifyAssignee(ctx, tx, sys, t); err != nil {
		return "", err
	}
	how := ""
	switch a.Assign {
	case automation.AssignRoundRobin:
		how = fmt.Sprintf(" (round-robin in %s)", a.Group)
	case automation.AssignLeastLoaded:
		how = fmt.Sprintf(" (least loaded in %s)", a.Group)
	}
	return "assigned " + user + how, nil
}

// openStatuses are the statuses of a config that are not done.
func (s *Service) openStatuses(cfg *domain.Config) []string {
	var out []string
	for _, st := range cfg.Statuses {
		if !st.Done() {
			out = append(out, st.Name)
		}
	}
	return out
}

// postOnce queues a post that coalesces with a pending one of the same key.
func postOnce(ctx context.Context, tx domain.OutboxStore, job PostJob, key string) error {
	payload, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("commands: unable to encode post: %w", err)
	}
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: string(payload), DedupKey: &key})
}

// enqueueMail queues a mail for the mail transport.
func enqueueMail(ctx context.Context, tx domain.OutboxStore, job EmailJob) error {
	payload, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("commands: unable to encode mail: %w", err)
	}
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxEmail, Payload: string(payload)})
}

// tellCustomer writes to a ticket's customer where they follow it: the
// ticket's Slack thread, and its mail thread when it came by mail.
func tellCustomer(ctx context.Context, tx domain.OutboxStore, t *domain.Ticket, notice string, args map[string]string) error {
	by := domain.SystemActor(domain.ChannelAutomation).Ref()
	if t.SlackChannel != "" {
		if err := post(ctx, tx, PostJob{Notice: notice, TicketID: t.ID, InTicketThread: true, By: by, Args: args}); err != nil {
			return err
		}
	}
	if t.EmailThread != "" && t.RequesterEmail != "" {
		return enqueueMail(ctx, tx, EmailJob{TicketID: t.ID, To: t.RequesterEmail, InReplyTo: t.EmailThread, Notice: notice, Args: args})
	}
	return nil
}

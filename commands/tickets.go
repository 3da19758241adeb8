package commands

import (
	"context"
	"errors"
	"fmt"
	"github.com/deskbot/deskbot/domain/query"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
)

// MaxTitle is the longest title kept; longer ones are refused, not cut,
// so nothing the requester wrote is silently lost.
const MaxTitle = 200

// TicketInput describes a ticket to open. CustomerKey may be empty when the
// actor is a customer (their company is used) or ChannelID maps to one.
type TicketInput struct {
	CustomerKey string
	Title       string
	Description string
	Type        string
	Priority    string
	Severity    string
	AssigneeID  string
	Version     string
	Fields      map[string]string
	Source      string
	SourceRef   string
	// ChannelID is where the request was made; the card goes there when the
	// customer has no channel of their own.
	ChannelID string
	// RequesterID/Email/Name default to the actor.
	RequesterID, RequesterEmail, RequesterName string
	// DedupID, when set, makes the call idempotent: a second call with the
	// same id creates nothing and returns the ticket of the first.
	DedupID string
	// SlackThread is the Slack thread the ticket's conversation runs in
	// when it is known at creation (the message it was made from).
	SlackThread string
}

// TriageKey is the customer that holds tickets whose customer is not known yet.
const TriageKey = "TRIAGE"

// CreateTicket opens a ticket, writes its created event and queues its card.
func (s *Service) CreateTicket(ctx context.Context, a domain.Actor, in TicketInput) (*domain.Ticket, error) {
	cfg := s.Config()
	valid, err := s.newTicket(cfg, a, in)
	if err != nil {
		return nil, err
	}
	var t *domain.Ticket
	err = s.creates.do(ctx, s.store, createLane(a, in), func(tx domain.Tx) error {
		// Each run starts from the validated input: a shared transaction
		// may run this again after hooks changed the ticket.
		t = valid.Clone()
		p, err := s.customerFor(ctx, tx, a, in)
		if err != nil {
			return err
		}
		if err := checkCreateReleased(ctx, tx, cfg, t.Fields); err != nil {
			return err
		}
		t.SlackThreadTS = in.SlackThread
		if err := s.openTicket(ctx, tx, cfg, a, t, p, in.ChannelID); err != nil {
			return err
		}
		if in.DedupID != "" {
			// Recorded with the key, so a redelivery finds the ticket. A
			// redelivery fails here with ErrInputSeen; one racing this
			// one waits for its commit on the unique index.
			if err := tx.RecordInput(ctx, "ticket", in.DedupID, t.Key()); err != nil {
				return err
			}
		}
		return s.notifyAssignee(ctx, tx, a, t)
	})
	if errors.Is(err, domain.ErrInputSeen) {
		return s.ticketByDedup(ctx, in.DedupID)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// openTicket files a validated ticket under its customer, with the
// customer's current version and SLA policy, its card in the customer's
// channel (else channel, else triage), its created event, the change hooks
// and its card queued: what every way of opening a ticket shares.
func (s *Service) openTicket(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, p *domain.Customer, channel string) error {
	t.CustomerID = p.ID
	if td := cfg.Type(t.Type); t.Version == "" && p.CurrentVersion != "" && td != nil && slices.Contains(td.Fields, "version") {
		t.Version = p.CurrentVersion
		t.Fields["version"] = p.CurrentVersion
	}
	t.SLAPolicy = p.SLAPolicy
	t.SlackChannel = firstNonEmpty(p.ChannelID, channel, s.triageChannel)
	if t.SlackThreadTS != "" && channel != "" {
		// The conversation already runs in a thread of that channel (a
		// message someone of another organisation wrote there): the card
		// answers in it.
		t.SlackChannel = channel
	}
	s.startFreshSLA(cfg, t, tx.Now())
	if err := tx.CreateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventCreated, "", "", t.Key()); err != nil {
		return err
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventCreated); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

// createLane is the customer a new ticket will most likely be filed
// under, as far as the input tells before any read: creations for one
// customer share transactions (groupcommit.go).
func createLane(a domain.Actor, in TicketInput) string {
	switch {
	case a.Role == domain.RoleCustomer:
		return "id:" + strconv.FormatInt(a.CustomerID, 10)
	case in.CustomerKey != "":
		return "key:" + strings.ToUpper(in.CustomerKey)
	}
	return "channel:" + in.ChannelID
}

// IsDuplicate reports a repeated input: the ticket returned with it is the
// one the first input created.
func IsDuplicate(err error) bool { return errors.Is(err, domain.ErrInputSeen) }

func (s *Service) ticketByDedup(ctx context.Context, id string) (*domain.Ticket, error) {
	// The dedup row and the ticket were written in one transaction, so
	// the first call's ticket exists by now.
	var t *domain.Ticket
	err := s.store.View(ctx, func(tx domain.Tx) error {
		key, err := tx.ProcessedResult(ctx, "ticket", id)
		if err != nil {
			return err
		}
		t, err = tx.TicketByKey(ctx, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, domain.ErrInputSeen
}

// newTicket validates the input against the config, before any I/O.
func (s *Service) newTicket(cfg *domain.Config, a domain.Actor, in TicketInput) (*domain.Ticket, error) {
	title := strings.Join(strings.Fields(in.Title), " ")
	switch {
	case title == "":
		return nil, domain.FieldErrorf("title", "A ticket needs a title.")
	case utf8.RuneCountInString(title) > MaxTitle:
		return nil, domain.FieldErrorf("title", "The title is %d characters long; keep it under %d and put the rest in the description.", utf8.RuneCountInString(title), MaxTitle)
	}
	if in.Source == "" || !slices.Contains(domain.Sources(), in.Source) {
		return nil, domain.Errorf(domain.EINVALID, "Unknown ticket source %q.", in.Source)
	}
	typ := firstNonEmpty(in.Type, cfg.DefaultType)
	td := cfg.Type(typ)
	if td == nil {
		return nil, domain.FieldErrorf("type", "%s", unknownMsg("type", typ, typeNames(cfg)))
	}
	prio := firstNonEmpty(in.Priority, td.DefaultPriority, cfg.DefaultPriority)
	if !cfg.HasPriority(prio) {
		return nil, domain.FieldErrorf("priority", "%s", unknownMsg("priority", prio, cfg.Priorities))
	}
	if in.Severity != "" && !slices.Contains(cfg.Severities, in.Severity) {
		return nil, domain.FieldErrorf("severity", "%s", unknownMsg("severity", in.Severity, cfg.Severities))
	}
	if in.AssigneeID != "" {
		if err := requireAgent(a, "assign tickets"); err != nil {
			return nil, err
		}
	}
	fields, err := normalizeFields(cfg, td, in.Fields, in.Version)
	if err != nil {
		return nil, err
	}
	t := &domain.Ticket{
		Title: title, Description: strings.TrimSpace(in.Description), Type: typ, Priority: prio,
		Severity: in.Severity, Status: cfg.Workflows[td.Workflow].Initial, AssigneeID: in.AssigneeID,
		Fields: fields, Version: fields["version"], Source: in.Source, SourceRef: in.SourceRef,
		RequesterID: firstNonEmpty(in.RequesterID, a.UserID), RequesterEmail: firstNonEmpty(in.RequesterEmail, a.Email),
		RequesterName: firstNonEmpty(in.RequesterName, a.Name), CreatedBy: a.Ref(),
	}
	return t, nil
}

// normalizeFields checks custom field values against the type's fields.
func normalizeFields(cfg *domain.Config, td *domain.TypeDef, in map[string]string, version string) (domain.Fields, error) {
	out := domain.Fields{}
	if version != "" {
		if in == nil {
			in = map[string]string{}
		}
		in["version"] = version
	}
	for name, raw := range in {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		def := cfg.Field(name)
		if def == nil || !slices.Contains(td.Fields, name) {
			return nil, domain.FieldErrorf(name, "A %s has no field %q; its fields are: %s.", td.Label, name, strings.Join(td.Fields, ", "))
		}
		v, err := normalizeValue(def, raw)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// customerFor decides the customer of a new ticket, and never refuses for
// want of one: a customer's own company; else the customer named, the
// one whose channel this is, the requester's (by email domain); else the
// triage customer, as for mail.
func (s *Service) customerFor(ctx context.Context, tx domain.Tx, a domain.Actor, in TicketInput) (*domain.Customer, error) {
	if a.Role == domain.RoleCustomer {
		if a.CustomerID == 0 {
			// Nobody could tell their company: an agent files it later
			// (`/ticket KEY customer acme`).
			return triageCustomer(ctx, tx)
		}
		p, err := tx.Customer(ctx, a.CustomerID)
		if err != nil {
			return nil, err
		}
		if in.CustomerKey != "" && !strings.EqualFold(in.CustomerKey, p.Key) {
			return nil, domain.Errorf(domain.EFORBIDDEN, "You can only open tickets for %s; leave out `#%s` and it goes to them.", p.Name, strings.ToLower(in.CustomerKey))
		}
		return p, nil
	}
	if in.CustomerKey != "" {
		return namedCustomer(ctx, tx, in.CustomerKey)
	}
	if in.ChannelID != "" {
		p, err := tx.CustomerByChannel(ctx, in.ChannelID)
		if err == nil || domain.ErrorCode(err) != domain.ENOTFOUND {
			return p, err
		}
	}
	if in.RequesterEmail != "" {
		if p, err := customerByEmail(ctx, tx, in.RequesterEmail); p != nil || err != nil {
			return p, err
		}
	}
	return triageCustomer(ctx, tx)
}

// namedCustomer is the customer a person named; a name that is no customer
// is refused with the nearest one, since a typo must not file a ticket
// under triage unnoticed.
func namedCustomer(ctx context.Context, tx domain.CustomerStore, key string) (*domain.Customer, error) {
	key = strings.ToUpper(strings.TrimPrefix(key, "#"))
	if key == TriageKey {
		return triageCustomer(ctx, tx)
	}
	p, err := tx.CustomerByKey(ctx, key)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		return p, err
	}
	ps, err := tx.Customers(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(ps))
	for _, p := range ps {
		keys = append(keys, p.Key)
	}
	hint := "`/desk customers` lists them"
	if sug, ok := query.Suggest(key, keys); ok {
		hint = fmt.Sprintf("did you mean `#%s`? (`/desk customers` lists them)", strings.ToLower(sug))
	} else if len(keys) == 0 {
		hint = "there are none yet: `/desk customer add " + key + " Name` adds it"
	}
	return nil, domain.FieldErrorf("customer", "I read `#%s` as the customer, and there is no customer %s: %s. Leave it out and the ticket goes to %s.",
		strings.ToLower(key), key, hint, TriageKey)
}

// MoveTicket files a ticket under another customer. Its key stays (people
// have seen it); the move is an event; the SLA policy follows the new
// customer's. Only agents may.
func (s *Service) MoveTicket(ctx context.Context, a domain.Actor, key, customer string) (*domain.Ticket, error) {
	if err := requireAgent(a, "move tickets to another customer"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		to, err := namedCustomer(ctx, tx, customer)
		if err != nil {
			return err
		}
		from, err := tx.Customer(ctx, t.CustomerID)
		if err != nil {
			return err
		}
		if to.ID == from.ID {
			return domain.Errorf(domain.EINVALID, "%s is already %s's.", t.Key(), to.Name)
		}
		if err := tx.MoveTicket(ctx, t, to); err != nil {
			return err
		}
		if t.SLAPolicy == from.SLAPolicy {
			t.SLAPolicy = to.SLAPolicy
		}
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return err
		}
		if err := event(ctx, tx, a, t, domain.EventMoved, "customer", from.Key, to.Key); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, cfg, t, domain.EventMoved); err != nil {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Ticket reads a ticket the actor may see.
func (s *Service) Ticket(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, error) {
	var t *domain.Ticket
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		t, err = ticketFor(ctx, tx, a, key)
		return err
	})
	return t, err
}

// TicketByID reads a ticket by its internal id (for card rendering).
func (s *Service) TicketByID(ctx context.Context, id int64) (*domain.Ticket, error) {
	var t *domain.Ticket
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		t, err = tx.Ticket(ctx, id)
		return err
	})
	return t, err
}

// TicketByCard finds the ticket a Slack message shows, or nil.
func (s *Service) TicketByCard(ctx context.Context, channel, ts string) (*domain.Ticket, error) {
	var t *domain.Ticket
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		t, err = tx.TicketByCard(ctx, channel, ts)
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return t, err
}

// Assign gives a ticket to an agent ("" unassigns). Only agents may.
func (s *Service) Assign(ctx context.Context, a domain.Actor, key, assignee string) (*domain.Ticket, error) {
	if err := requireAgent(a, "assign tickets"); err != nil {
		return nil, err
	}
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		return s.assign(ctx, tx, a, t, assignee)
	})
	return t, err
}

// assign gives t to assignee inside tx, with its event, the hooks, the
// card and the assignee's DM; the same assignee changes nothing.
func (s *Service) assign(ctx context.Context, tx domain.Tx, a domain.Actor, t *domain.Ticket, assignee string) error {
	if t.AssigneeID == assignee {
		return nil
	}
	old := t.AssigneeID
	t.AssigneeID = assignee
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventAssigned, "assignee", old, assignee); err != nil {
		return err
	}
	if err := s.changed(ctx, tx, s.Config(), t, domain.EventAssigned); err != nil {
		return err
	}
	if err := refreshCard(ctx, tx, t); err != nil {
		return err
	}
	return s.notifyAssignee(ctx, tx, a, t)
}

func (s *Service) notifyAssignee(ctx context.Context, tx domain.OutboxStore, a domain.Actor, t *domain.Ticket) error {
	if t.AssigneeID == "" || t.AssigneeID == a.UserID || !s.Config().Slack.NotifyAssignee {
		return nil
	}
	// One DM per assignment, even when a rule and the person's own change
	// both assign within one transaction.
	return postOnce(ctx, tx, PostJob{User: t.AssigneeID, TicketID: t.ID, Notice: NoticeAssigned, By: a.Ref()},
		fmt.Sprintf("assigned:%d:%s", t.ID, t.AssigneeID))
}

// ChangeStatus moves a ticket as its workflow allows.
func (s *Service) ChangeStatus(ctx context.Context, a domain.Actor, key, status string) (*domain.Ticket, error) {
	cfg := s.Config()
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		if !a.IsAgent() && !customerMayMove(cfg, t.Status, status) {
			return domain.Errorf(domain.EFORBIDDEN, "Only support agents can move a ticket to %s.", cfg.StatusLabel(status))
		}
		return s.moveStatus(ctx, tx, cfg, a, t, status)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// customerMayMove: a customer may close their own ticket or reopen it.
func customerMayMove(cfg *domain.Config, from, to string) bool {
	st := cfg.Status(to)
	return st != nil && (st.Category == domain.CategoryClosed || st.Category == domain.CategoryOpen && cfg.Status(from).Done())
}

// moveStatus applies a workflow move with its timestamps, event and card refresh.
func (s *Service) moveStatus(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, to string) error {
	wf := cfg.WorkflowFor(t.Type)
	if wf == nil {
		return domain.Errorf(domain.EINVALID, "Ticket type %q is no longer configured.", t.Type)
	}
	if err := wf.CheckMove(cfg, t.Status, to, t.Fields); err != nil {
		return err
	}
	if err := checkBlockers(ctx, tx, cfg, a, t, to); err != nil {
		return err
	}
	from := t.Status
	t.Status = to
	now := tx.Now()
	switch cfg.Status(to).Category {
	case domain.CategoryResolved:
		t.ResolvedAt = &now
	case domain.CategoryClosed:
		t.ClosedAt = &now
		if t.ResolvedAt == nil {
			t.ResolvedAt = &now
		}
	default:
		t.ResolvedAt, t.ClosedAt = nil, nil
	}
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := event(ctx, tx, a, t, domain.EventStatus, "status", from, to); err != nil {
		return err
	}
	if err := s.changed(ctx, tx, cfg, t, domain.EventStatus); err != nil {
		return err
	}
	return refreshCard(ctx, tx, t)
}

// TransitionsFor lists the statuses the ticket may move to now.
func (s *Service) TransitionsFor(t *domain.Ticket) []string {
	if wf := s.Config().WorkflowFor(t.Type); wf != nil {
		return wf.Next(t.Status)
	}
	return nil
}

// ListTickets lists tickets the actor may see, newest first.
func (s *Service) ListTickets(ctx context.Context, a domain.Actor, f domain.TicketFilter) ([]*domain.Ticket, int, error) {
	if !a.IsAgent() {
		if a.CustomerID == 0 {
			return nil, 0, nil
		}
		f.CustomerID = a.CustomerID
	}
	var out []*domain.Ticket
	var total int
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		if out, err = tx.FindTickets(ctx, f); err != nil {
			return err
		}
		total, err = tx.CountTickets(ctx, f)
		return err
	})
	return out, total, err
}

// OpenStatuses are the statuses of tickets not yet done.
func (s *Service) OpenStatuses() []string {
	var out []string
	for _, st := range s.Config().Statuses {
		if !st.Done() {
			out = append(out, st.Name)
		}
	}
	return out
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func unknownMsg(what, v string, known []string) string {
	if sug, ok := query.Suggest(v, known); ok {
		return fmt.Sprintf("There is no %s %q. Did you mean %q?", what, v, sug)
	}
	return fmt.Sprintf("There is no %s %q. Choose one of: %s.", what, v, strings.Join(known, ", "))
}

func typeNames(cfg *domain.Config) []string {
	out := make([]string, len(cfg.Types))
	for i, t := range cfg.Types {
		out[i] = t.Name
	}
	return out
}

// Package commands holds deskbot's use cases. A transport (Slack, email,
// the scheduler, the CLI) turns its input into one call here; each call
// checks the input and the actor's rights, changes state in one
// transaction, writes the ticket's event rows and queues in the outbox
// whatever must happen outside. It knows neither Slack nor SQL.
package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/deskbot/deskbot/domain"
)

// Service runs the use cases.
type Service struct {
	store  domain.Store
	config atomic.Pointer[domain.Config]
	log    *slog.Logger
	// TriageChannel shows tickets that have no customer channel and no
	// channel they were created in (mail from unknown senders, say).
	triageChannel string
	hooks         []ChangeHook
	// slaAtInsert: the standard hooks run, so a fresh ticket is inserted
	// with its SLA clock started instead of ApplySLA writing it after.
	slaAtInsert bool
	mail        MailOptions   // email in and out (email.go)
	portal      PortalOptions // the customers' ticket page (portal.go)
	// Ticket creation, mail ingestion and recording posted cards share
	// transactions under load (groupcommit.go).
	creates *groupCommit
	ingests *groupCommit
	cards   *groupCommit
	// trackers makes issue trackers' clients (trackers.go).
	trackers TrackerClients
}

// groupCommitMax bounds the writes one shared transaction takes: enough
// to absorb a burst, few enough that a transaction stays short.
const groupCommitMax = 64

// Options configure a Service.
type Options struct {
	TriageChannel string
	Logger        *slog.Logger
	Mail          MailOptions
	Portal        PortalOptions
	// Trackers makes the clients of the configured issue trackers
	// (tracker.Clients); nil: escalating and polling are refused.
	Trackers TrackerClients
}

// New returns a Service over a store with a config.
func New(store domain.Store, cfg *domain.Config, opts Options) *Service {
	s := &Service{store: store, log: opts.Logger, triageChannel: opts.TriageChannel, mail: opts.Mail.normalized(), portal: opts.Portal.normalized(),
		creates: newGroupCommit(groupCommitMax, isSingleWriter(store)),
		ingests: newGroupCommit(groupCommitMax, isSingleWriter(store)),
		cards:   newGroupCommit(groupCommitMax, true), trackers: opts.Trackers}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.config.Store(cfg)
	return s
}

// Config is the configuration in force.
func (s *Service) Config() *domain.Config { return s.config.Load() }

// SetConfig replaces the configuration; calls in flight keep the one they started with.
func (s *Service) SetConfig(c *domain.Config) { s.config.Store(c) }

// event appends one row to the ticket's history.
func event(ctx context.Context, tx domain.EventStore, a domain.Actor, t *domain.Ticket, kind, field, old, new string) error {
	return tx.AddEvent(ctx, &domain.Event{TicketID: t.ID, Actor: a.Ref(), Channel: a.Channel,
		Kind: kind, Field: field, OldValue: old, NewValue: new})
}

// refreshCard queues an update of the ticket's card; pending ones coalesce.
func refreshCard(ctx context.Context, tx domain.OutboxStore, t *domain.Ticket) error {
	payload, _ := json.Marshal(CardJob{TicketID: t.ID})
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: string(payload), DedupKey: domain.CardDedupKey(t.ID)})
}

// CardJob is the payload of an OutboxCard message.
type CardJob struct {
	TicketID int64 `json:"ticket_id"`
}

// PostJob is the payload of an OutboxSlackPost message: a notice about a
// ticket for a channel, a person (DM), or, with InTicketThread, the ticket
// card's thread (its ts is looked up at delivery, since the card may not be
// posted yet when the job is queued). The transport words the notice.
type PostJob struct {
	Notice         string            `json:"notice"`
	TicketID       int64             `json:"ticket_id,omitempty"`
	Channel        string            `json:"channel,omitempty"`
	User           string            `json:"user,omitempty"` // DM this user
	InTicketThread bool              `json:"in_ticket_thread,omitempty"`
	By             string            `json:"by,omitempty"` // who caused it
	Args           map[string]string `json:"args,omitempty"`
}

// Notices the transports know how to word.
const (
	NoticeAssigned     = "assigned"      // to User: you were assigned
	NoticeTimerStopped = "timer_stopped" // to User: starting a timer stopped your other one
)

func post(ctx context.Context, tx domain.OutboxStore, job PostJob) error {
	payload, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("commands: unable to encode post: %w", err)
	}
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: string(payload)})
}

func requireAgent(a domain.Actor, what string) error {
	if !a.IsAgent() {
		return domain.Errorf(domain.EFORBIDDEN, "Only support agents can %s.", what)
	}
	return nil
}

// canSee tells whether a customer may see a ticket: their own company's only.
func canSee(a domain.Actor, t *domain.Ticket) bool {
	return a.IsAgent() || (a.CustomerID != 0 && a.CustomerID == t.CustomerID)
}

// ticketFor loads a ticket the actor may see; others read as not found,
// so customers cannot probe other customers' keys.
func ticketFor(ctx context.Context, tx domain.TicketStore, a domain.Actor, key string) (*domain.Ticket, error) {
	t, err := tx.TicketByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	if !canSee(a, t) {
		return nil, domain.Errorf(domain.ENOTFOUND, "Ticket %s not found.", t.Key())
	}
	return t, nil
}

// ChangeHook reacts to a ticket change inside the transaction that made it,
// so what it derives (SLA deadlines, automation results) commits with the
// change or not at all. kinds are the event kinds the change wrote.
type ChangeHook func(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, kinds []string) error

// OnChange registers a hook. Call it at start-up, before serving.
func (s *Service) OnChange(h ChangeHook) { s.hooks = append(s.hooks, h) }

// changed runs the hooks after a use case changed a ticket.
func (s *Service) changed(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, kinds ...string) error {
	for _, h := range s.hooks {
		if err := h(ctx, tx, cfg, t, kinds); err != nil {
			return err
		}
	}
	return nil
}

// FirstDelivery records an input id (a Slack event id) and reports whether
// this is its first delivery; redeliveries are then ignored.
func (s *Service) FirstDelivery(ctx context.Context, source, id string) (bool, error) {
	var first bool
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		first, err = tx.MarkProcessed(ctx, source, id)
		return err
	})
	return first, err
}

// UseStandardHooks registers what every running deskbot does on each
// ticket change, in order: automations first (they may change priority or
// policy), then the SLA clock.
func (s *Service) UseStandardHooks() {
	s.OnChange(s.Automate)
	s.OnChange(s.ApplySLA)
	s.OnChange(s.notifyWatchers) // watch.go
	s.slaAtInsert = true
}

// view reads as the actor may: a customer's reads run in their scope, so
// storage returns nothing of another customer's (domain.Scope).
func (s *Service) view(ctx context.Context, a domain.Actor, fn func(domain.Tx) error) error {
	return s.store.ViewAs(ctx, a.Scope(), fn)
}

// TriageChannel is the channel of tickets that have nowhere else to go,
// "" when none is set.
func (s *Service) TriageChannel() string { return s.triageChannel }

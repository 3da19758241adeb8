package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// outboxKinds are the outbox messages the bot delivers (deliver): a kind
// missing here is never claimed and waits forever, as digests once did.
// TestEveryOutboxKindIsDelivered (package main) holds every kind any code
// enqueues to this list or the mail transport's.
var outboxKinds = []string{domain.OutboxCard, domain.OutboxSlackPost, domain.OutboxSlackFile, domain.OutboxDigest}

// OutboxKinds lists the outbox kinds the bot claims and delivers.
func OutboxKinds() []string { return slices.Clone(outboxKinds) }

// dispatchOutbox delivers queued side effects until ctx ends. A Slack
// outage or a 429 delays delivery, never loses it: a message stays in the
// outbox until Slack took it. Claimed messages are paced per rate key
// (pacer.go); with several replicas one of them dispatches at a time
// (leadDispatch), so the workspace's limits have one spender.
func (b *Bot) dispatchOutbox(ctx context.Context) {
	// The dispatching replica is not woken by the others' kicks: it polls
	// often enough that a card queued on another replica waits little.
	t := time.NewTicker(min(b.poll, leaderPoll))
	defer t.Stop()
	p := b.pacer
	p.send, p.route, p.failed, p.done = b.sendDelivery, b.routeOf, b.deliveryFailed, b.deliveryDone
	p.fresh = func(m *domain.OutboxMessage) { b.cardsAhead.forget(m.ID) }
	d := newDispatcher(b.outbox, p, b.log)
	d.readAhead = b.readCardsAhead
	d.owner = b.instance
	d.claimed = func() { b.failpoint(FailAfterClaim) }
	if b.inbox != nil { // its leases are renewed (Bot.retakeInputs)
		d.lease = leaseTime
	}
	lead := b.leader()
	defer lead.resign(context.WithoutCancel(ctx), p)
	for {
		// The lease is renewed between batches too: a backlog of
		// thousands (after an outage) is claimed in many batches, longer
		// than the lease lasts, and a lapsed lease makes a second
		// dispatcher that frees this one's claims while they are sent.
		for lead.lead(ctx, p) && d.claim(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.kick:
		}
	}
}

// outboxBatch is how many messages one claim takes.
const outboxBatch = 50

// dispatcher claims due messages and hands them to the pacer, which
// queues them per rate key and delivers them in their turn.
type dispatcher struct {
	outbox domain.Outbox
	pacer  *pacer
	// readAhead, when set, is given the claimed messages before they are
	// queued: the cards they need can be read in one go.
	readAhead func(context.Context, []*domain.OutboxMessage)
	// owner names this process in its claims, which it renews while it
	// lives (Bot.retakeInputs) and releases when it restarts; lease is
	// how long a claim lasts unless renewed.
	owner string
	lease time.Duration
	// claimed, when set, runs after a claim took messages (a failpoint).
	claimed func()
	log     *slog.Logger
}

// newDispatcher's claims last a minute: a process that renews its leases
// sets its own lease.
func newDispatcher(o domain.Outbox, p *pacer, log *slog.Logger) *dispatcher {
	return &dispatcher{outbox: o, pacer: p, log: log, lease: time.Minute}
}

// claim claims one batch and queues it; it reports whether there may be more.
func (d *dispatcher) claim(ctx context.Context) bool {
	msgs, err := d.outbox.ClaimOutbox(ctx, d.owner, outboxKinds, outboxBatch, d.lease)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("outbox: claim failed", "err", err)
		}
		return false
	}
	if len(msgs) == 0 {
		return false
	}
	if d.claimed != nil {
		d.claimed()
	}
	// Queued by ID: a ticket's card message whose first attempt may have
	// posted the card goes before a later one that would post it again.
	slices.SortFunc(msgs, func(a, b *domain.OutboxMessage) int { return cmp.Compare(a.ID, b.ID) })
	if d.readAhead != nil {
		d.readAhead(ctx, msgs)
	}
	d.pacer.add(ctx, msgs)
	return len(msgs) == outboxBatch
}

// ticketOf is the ticket a message concerns, 0 for none.
func ticketOf(m *domain.OutboxMessage) (int64, error) {
	var ref struct {
		TicketID int64 `json:"ticket_id"`
	}
	if err := json.Unmarshal([]byte(m.Payload), &ref); err != nil {
		return 0, fmt.Errorf("outbox: unable to read message %d (%s): %w", m.ID, m.Kind, err)
	}
	return ref.TicketID, nil
}

// unreadable routes a message whose payload does not parse: alone on its
// own key, so it holds up no ticket's or channel's queue while delivering
// it fails (and is recorded) on its own.
func (b *Bot) unreadable(m *domain.OutboxMessage, err error) route {
	b.log.Error("outbox: unreadable message", "id", m.ID, "kind", m.Kind, "err", err)
	return route{key: fmt.Sprintf("unreadable:%d", m.ID)}
}

// routeOf tells where a message goes and what it spends: a card not yet
// posted and a post go in their channel's queue, in order, spending the
// channel's and the workspace's posts; a card posted already is an update,
// in the workspace's update queue.
func (b *Bot) routeOf(ctx context.Context, m *domain.OutboxMessage) route {
	post := func(key string, class int) route {
		return route{key: "post:" + key, ordered: true, class: class, buckets: []string{"@" + bucketChannelPost, bucketWorkspacePost}}
	}
	switch m.Kind {
	case domain.OutboxCard:
		id, err := ticketOf(m)
		if err != nil {
			return b.unreadable(m, err)
		}
		var t *domain.Ticket
		if v, ok := b.cardsAhead.load(m.ID); ok {
			t = v.Ticket
		} else if tk, err := b.svc.TicketByID(ctx, id); err == nil {
			t = tk
		}
		switch {
		case t == nil:
			// Unreadable now: delivering it will say why, on its own.
			return route{key: fmt.Sprintf("ticket:%d", id), ticket: id}
		case t.SlackChannel == "":
			return route{key: "none", ticket: id}
		case t.SlackTS != "":
			return route{key: "update", buckets: []string{bucketUpdate}, ticket: id, update: true}
		}
		r := post(t.SlackChannel, classPost)
		r.ticket = id
		return r
	case domain.OutboxSlackPost:
		var job commands.PostJob
		if err := json.Unmarshal([]byte(m.Payload), &job); err != nil {
			return b.unreadable(m, err)
		}
		class := classPost
		switch job.Notice {
		case commands.NoticeSLAWarning, commands.NoticeSLABreach:
			if !job.InTicketThread {
				class = classAlert
			}
		case commands.NoticeSLASummary:
			class = classDigest
		}
		switch {
		case job.InTicketThread:
			if t, err := b.svc.TicketByID(ctx, job.TicketID); err == nil && t.SlackChannel != "" {
				// In the queue and the budget of the channel it goes to: an
				// SLA alert about a customer's ticket goes to the triage
				// channel, and spending the customer's channel budget held
				// that customer's new cards behind a burst of alerts (after
				// an outage) while the triage channel went unpaced.
				if ch, ours := b.internalPlaceOf(ctx, job, t); ours && ch != "" {
					return post(ch, class)
				}
				return post(t.SlackChannel, class)
			}
			return route{key: fmt.Sprintf("ticket:%d", job.TicketID)}
		case job.User != "":
			r := post("dm:"+job.User, class)
			if !b.people.dmOpen(job.User) {
				r.buckets = append(r.buckets, bucketOpen)
			}
			return r
		}
		return post(job.Channel, class)
	case domain.OutboxSlackFile:
		// A mail's files go into its card's thread after the card and in
		// the mail's order: in their channel's queue, spending the files
		// budget.
		id, err := ticketOf(m)
		if err != nil {
			return b.unreadable(m, err)
		}
		if t, err := b.svc.TicketByID(ctx, id); err == nil && t.SlackChannel != "" {
			return route{key: "post:" + t.SlackChannel, ordered: true, class: classPost, buckets: []string{bucketFiles}}
		}
		return route{key: "files", buckets: []string{bucketFiles}}
	}
	// Other kinds (digests): their channel's queue when they name one.
	var ref struct {
		Channel string `json:"channel"`
	}
	if json.Unmarshal([]byte(m.Payload), &ref) == nil && ref.Channel != "" {
		return post(ref.Channel, classDigest)
	}
	return route{key: "kind:" + m.Kind, class: classDigest, buckets: []string{bucketWorkspacePost}}
}

// sendDelivery delivers a delivery's first message; the others are
// coalesced into it (deliveryDone marks them).
func (b *Bot) sendDelivery(ctx context.Context, d *delivery) error {
	m := d.msgs[0]
	if len(d.msgs) > 1 {
		// Read ahead before the newer changes coalesced into it.
		b.cardsAhead.forget(m.ID)
	}
	for _, c := range d.msgs[1:] {
		b.cardsAhead.forget(c.ID)
	}
	defer b.cardsAhead.forget(m.ID) // unused when the delivery failed early
	marked, err := b.deliver(ctx, m)
	if err != nil {
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			b.metrics.outbox.WithLabelValues(m.Kind, "ratelimited").Inc()
			b.log.Info("outbox: rate limited, pausing its key", "id", m.ID, "key", d.route.key, "retry_after", rl.RetryAfter)
		}
		return err
	}
	b.metrics.outbox.WithLabelValues(m.Kind, "ok").Inc()
	if !marked {
		if err := b.outbox.OutboxDelivered(ctx, m.ID); err != nil {
			b.log.Error("outbox: unable to mark delivered", "id", m.ID, "err", err)
		}
	}
	return nil
}

// deliveryDone marks the messages coalesced into a delivered one.
func (b *Bot) deliveryDone(ctx context.Context, d *delivery) {
	for _, m := range d.msgs[1:] {
		b.metrics.outbox.WithLabelValues(m.Kind, "coalesced").Inc()
		if err := b.outbox.OutboxDelivered(context.WithoutCancel(ctx), m.ID); err != nil {
			b.log.Error("outbox: unable to mark delivered", "id", m.ID, "err", err)
		}
	}
}

// deliveryFailed records a failed delivery (not a 429: that pauses its
// key and is no failure) and returns when to retry it.
func (b *Bot) deliveryFailed(ctx context.Context, d *delivery, err error) time.Time {
	m := d.msgs[0]
	retry := retryAt(m.Attempts, err)
	b.metrics.outbox.WithLabelValues(m.Kind, "retry").Inc()
	level := slog.LevelWarn
	if m.Attempts >= 10 {
		level = slog.LevelError
	}
	b.log.Log(ctx, level, "outbox: delivery failed, will retry", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts, "retry_at", retry, "err", err)
	for _, m := range d.msgs {
		if err := b.outbox.OutboxFailed(context.WithoutCancel(ctx), m.ID, err.Error(), retry); err != nil {
			b.log.Error("outbox: unable to reschedule", "id", m.ID, "err", err)
		}
	}
	return retry
}

// retryAt backs off exponentially with jitter, honours Slack's Retry-After,
// and waits long on errors no retry soon will cure (a revoked token).
func retryAt(attempts int, err error) time.Time {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return time.Now().Add(rl.RetryAfter)
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if _, fatal := fatalSlackErrors[se.Err]; fatal {
			return time.Now().Add(5 * time.Minute)
		}
	}
	if slackIsDown(err) {
		// Slack is down, not this message: the pacer probes for its return
		// (one call a second in all) and then sends at once, so a back-off
		// grown during the outage must not hold the message past it.
		return time.Now().Add(domain.Backoff(attempts, 500*time.Millisecond, 2*time.Second))
	}
	return time.Now().Add(domain.Backoff(attempts, time.Second, 30*time.Minute))
}

// deliver carries out one message; marked reports that it was already
// marked delivered, in the transaction that recorded its result.
func (b *Bot) deliver(ctx context.Context, m *domain.OutboxMessage) (marked bool, err error) {
	switch m.Kind {
	case domain.OutboxCard:
		var job commands.CardJob
		if err := json.Unmarshal([]byte(m.Payload), &job); err != nil {
			return false, fmt.Errorf("bad card job: %w", err)
		}
		return b.deliverCard(ctx, job.TicketID, m)
	case domain.OutboxDigest:
		return false, b.deliverDigest(ctx, m.Payload, m)
	case domain.OutboxSlackPost:
		var job commands.PostJob
		if err := json.Unmarshal([]byte(m.Payload), &job); err != nil {
			return false, fmt.Errorf("bad post job: %w", err)
		}
		return false, b.deliverPost(ctx, job, m)
	case domain.OutboxSlackFile:
		return false, b.deliverFile(ctx, m.Payload) // mail attachments (email.go)
	}
	return false, fmt.Errorf("unknown outbox kind %q", m.Kind)
}

// readCardsAhead reads the cards the outbox is about to deliver in one
// go (a fixed number of queries for the whole batch, instead of several
// per card) and keeps them for deliverCard, by outbox message.
func (b *Bot) readCardsAhead(ctx context.Context, msgs []*domain.OutboxMessage) {
	var ids []int64
	byTicket := map[int64]int64{} // ticket → outbox message
	for _, m := range msgs {
		if id, err := ticketOf(m); m.Kind == domain.OutboxCard && err == nil && id != 0 {
			ids, byTicket[id] = append(ids, id), m.ID
		}
	}
	if len(ids) == 0 {
		return
	}
	gens := make([]uint64, len(ids))
	for i, id := range ids {
		gens[i] = b.cardsAhead.generation(id)
	}
	views, err := b.svc.Cards(ctx, ids)
	if err != nil {
		// Each delivery reads its own card instead.
		b.log.Warn("outbox: unable to read cards ahead", "cards", len(ids), "err", err)
		return
	}
	gen := map[int64]uint64{}
	for i, id := range ids {
		gen[id] = gens[i]
	}
	for _, v := range views {
		b.cardsAhead.store(byTicket[v.Ticket.ID], v, gen[v.Ticket.ID])
	}
}

// deliverCard posts a ticket's card, or updates it in place. A new card's
// ts is recorded together with its outbox message's delivery (m; nil when
// not called from the outbox). A new card names m in its metadata, and a
// retry of m posts it only when no earlier attempt did (earlierPost).
func (b *Bot) deliverCard(ctx context.Context, ticketID int64, m *domain.OutboxMessage) (marked bool, err error) {
	unlock := b.cardLocks.Lock(itoa(ticketID))
	defer unlock()
	var outboxID int64
	if m != nil {
		outboxID = m.ID
	}
	v, err := b.cardView(ctx, ticketID, outboxID)
	if err != nil {
		return false, err
	}
	t := v.Ticket
	if t.SlackChannel == "" {
		return false, nil // no channel to show it in: App Home lists it
	}
	blocks := cardBlocks(b.svc.Config(), v)
	if b.customerFacing(ctx, v.Customer, t.SlackChannel) {
		blocks = customerCardBlocks(b.svc.Config(), v, b.personName(ctx, t.AssigneeID))
	}
	opts := []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(cardText(t), false)}
	if t.SlackTS != "" {
		_, _, _, err := b.api.UpdateMessageContext(ctx, t.SlackChannel, t.SlackTS, opts...)
		if err == nil {
			b.HomeTicketChanged(ctx, t)
		}
		if slackErr(err) != "message_not_found" {
			return false, err
		}
		// Someone deleted the card: post it again below.
	}
	thread := threadOf(t)
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	ts, err := b.postOnce(ctx, m, t, t.SlackChannel, thread, opts...)
	if err != nil {
		return false, err
	}
	if thread == "" {
		thread = ts
	}
	if err := b.svc.SetCard(ctx, t.ID, t.SlackChannel, ts, thread, outboxID); err != nil {
		return false, err
	}
	b.cardsAhead.posted(t.ID)
	b.HomeTicketChanged(ctx, t)
	return outboxID != 0, nil
}

// cardView is the card read ahead for this outbox message, else read now.
// A card read ahead is as new as the message (it was read after the
// message was claimed) unless a post of the card was recorded since.
func (b *Bot) cardView(ctx context.Context, ticketID, outboxID int64) (*commands.CardView, error) {
	if outboxID != 0 {
		if v, ok := b.cardsAhead.take(outboxID); ok {
			return v, nil
		}
	}
	return b.svc.Card(ctx, ticketID)
}

// threadOf is the thread a new card goes in: the customer's message it
// answers (channel and reaction tickets), so the channel stays quiet.
func threadOf(t *domain.Ticket) string {
	if t.SlackThreadTS != "" {
		return t.SlackThreadTS
	}
	if ch, ts, ok := splitMessageRef(t.SourceRef); ok && ch == t.SlackChannel {
		return ts
	}
	return ""
}

// postJoining posts, joining a public channel first when the bot is not in it.
func (b *Bot) postJoining(ctx context.Context, channel string, opts ...slack.MsgOption) (string, string, error) {
	if !b.fence.mayPost(time.Now()) {
		return "", "", errLeaseLost
	}
	ch, ts, err := b.api.PostMessageContext(ctx, channel, opts...)
	if slackErr(err) == "not_in_channel" {
		if _, _, _, jerr := b.api.JoinConversationContext(ctx, channel); jerr != nil {
			return "", "", fmt.Errorf("not in channel %s and unable to join: %w", channel, jerr)
		}
		ch, ts, err = b.api.PostMessageContext(ctx, channel, opts...)
	}
	return ch, ts, err
}

func (b *Bot) deliverPost(ctx context.Context, job commands.PostJob, m *domain.OutboxMessage) error {
	n, err := b.noticeMessage(ctx, job)
	if err != nil {
		return err
	}
	channel, thread := job.Channel, ""
	if job.InTicketThread {
		t, err := b.svc.TicketByID(ctx, job.TicketID)
		if err != nil {
			return err
		}
		if ch, ours := b.internalPlaceOf(ctx, job, t); ours {
			// The customer reads that thread: our alerts go to our place,
			// whether the card is posted yet or not ("": nowhere; the DMs
			// still tell).
			channel = ch
		} else {
			if t.SlackThreadTS == "" {
				return errors.New("the ticket's card is not posted yet")
			}
			channel, thread = t.SlackChannel, t.SlackThreadTS
			if !internalNotice(job.Notice) && b.customerFacing(ctx, b.customerOfChannel(ctx, channel), channel) {
				n.text = b.namesNotMentions(ctx, n.text)
			}
		}
		if channel == "" {
			return nil
		}
	} else if job.User != "" {
		dm, err := b.people.dmChannel(ctx, job.User)
		if err != nil {
			return err
		}
		channel = dm
	}
	opts := []slack.MsgOption{slack.MsgOptionText(cut(n.text, maxMessageText), false)}
	if len(n.blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(n.blocks...))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, err = b.postOnce(ctx, m, nil, channel, thread, opts...)
	return err
}

// slackErr returns Slack's error code, or "".
func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// internalPlaceOf tells whether a notice for t's thread goes to our place
// (internalPlace, "" for none) instead: when the notice is ours and the
// customer reads that thread.
func (b *Bot) internalPlaceOf(ctx context.Context, job commands.PostJob, t *domain.Ticket) (string, bool) {
	if !internalNotice(job.Notice) || t.SlackChannel == "" ||
		!b.customerFacing(ctx, b.customerOfChannel(ctx, t.SlackChannel), t.SlackChannel) {
		return "", false
	}
	return b.internalPlace(), true
}

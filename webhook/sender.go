// Package webhook is the transport of outgoing webhooks: it takes the
// deliveries the store queued in the outbox with their events, signs
// each (domain.SignWebhook) and POSTs it to its receiver, in order per
// ticket and webhook, retrying with back-off. What a delivery means and
// when a webhook is disabled is commands' business (webhooks.go).
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// OutboxKinds lists the outbox kinds this transport claims and delivers.
func OutboxKinds() []string { return []string{domain.OutboxWebhook} }

// Options configure a Sender; zero fields take the defaults.
type Options struct {
	Service *commands.Service
	Outbox  domain.Outbox
	Client  *http.Client  // 10 s timeout, no redirects followed, an idle connection per worker
	Owner   string        // names this process in its outbox claims
	Lease   time.Duration // 1 min
	Poll    time.Duration // 1 s
	// Workers is how many ticket queues are sent to at once (8).
	Workers int
	Batch   int // messages per claim (100)
	// First and Limit bound the back-off between attempts (1 s, 30 min).
	First, Limit time.Duration
	Logger       *slog.Logger
}

// Sender delivers queued webhook deliveries.
type Sender struct {
	opts Options
}

// New returns a Sender.
func New(o Options) *Sender {
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Client == nil {
		// Enough idle connections per receiver for every worker: the
		// default two would open (and leave in TIME_WAIT) one per POST.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = o.Workers
		o.Client = &http.Client{Timeout: 10 * time.Second, Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	o.Lease = cmpOr(o.Lease, time.Minute)
	o.Poll = cmpOr(o.Poll, time.Second)
	o.First = cmpOr(o.First, time.Second)
	o.Limit = cmpOr(o.Limit, 30*time.Minute)
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Sender{opts: o}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Run delivers until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	for {
		if err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("webhook: outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue sends every delivery that is due. Each claimed message ends
// delivered or pushed into the future, so this returns when none is due.
func (s *Sender) DeliverDue(ctx context.Context) error {
	for ctx.Err() == nil {
		msgs, err := s.opts.Outbox.ClaimOutbox(ctx, s.opts.Owner, OutboxKinds(), s.opts.Batch, s.opts.Lease)
		if err != nil || len(msgs) == 0 {
			return err
		}
		s.deliverBatch(ctx, msgs)
	}
	return nil
}

// queued is a claimed message with its job.
type queued struct {
	m   *domain.OutboxMessage
	job domain.WebhookJob
}

// deliverBatch sends each ticket's queue (per webhook) in order, queues side by side.
func (s *Sender) deliverBatch(ctx context.Context, msgs []*domain.OutboxMessage) {
	groups := map[[2]int64][]queued{}
	var keys [][2]int64
	for _, m := range msgs {
		var job domain.WebhookJob
		if err := json.Unmarshal([]byte(m.Payload), &job); err != nil || job.Delivery == 0 {
			s.opts.Logger.Error("webhook: unreadable outbox message dropped", "id", m.ID, "err", err)
			s.delivered(ctx, m)
			continue
		}
		k := [2]int64{job.WebhookID, job.TicketID}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], queued{m, job})
	}
	sem := make(chan struct{}, s.opts.Workers)
	var wg sync.WaitGroup
	for _, k := range keys {
		q := groups[k]
		slices.SortFunc(q, func(a, b queued) int { return int(a.m.ID - b.m.ID) })
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s.deliverQueue(ctx, q)
		}()
	}
	wg.Wait()
}

// deliverQueue sends one ticket's deliveries to one webhook, oldest
// first; once one is not done, the rest wait until just after its retry.
func (s *Sender) deliverQueue(ctx context.Context, q []queued) {
	for i, e := range q {
		wait, why := s.deliverOne(ctx, e)
		if wait.IsZero() {
			continue
		}
		for _, rest := range q[i+1:] {
			s.reschedule(ctx, rest.m, why, wait.Add(time.Millisecond))
		}
		return
	}
}

// deliverOne makes one attempt; it returns when to retry (zero: done).
func (s *Sender) deliverOne(ctx context.Context, e queued) (time.Time, string) {
	send, err := s.opts.Service.PrepareWebhook(ctx, e.m.ID, e.job)
	if err != nil {
		retry := time.Now().Add(domain.Backoff(e.m.Attempts, s.opts.First, s.opts.Limit))
		s.opts.Logger.Warn("webhook: unable to read delivery, will retry", "id", e.m.ID, "err", err)
		s.reschedule(ctx, e.m, err.Error(), retry)
		return retry, err.Error()
	}
	switch {
	case send.Done:
		return time.Time{}, ""
	case !send.Wait.IsZero():
		why := "waiting for an earlier delivery of the same ticket"
		s.reschedule(ctx, e.m, why, send.Wait)
		return send.Wait, why
	}
	at := s.post(ctx, send)
	backoff := func(n int) time.Duration { return domain.Backoff(n, s.opts.First, s.opts.Limit) }
	out, err := s.opts.Service.WebhookAttempted(context.WithoutCancel(ctx), e.m.ID, e.job.Delivery, at, backoff)
	if err != nil {
		// The attempt is not recorded: the lease runs out and it is made again.
		s.opts.Logger.Error("webhook: unable to record attempt", "id", e.m.ID, "err", err)
		return time.Now().Add(s.opts.Lease), err.Error()
	}
	if out.Done {
		if out.Disabled {
			s.opts.Logger.Warn("webhook: disabled after failing too long", "url", send.URL)
		}
		return time.Time{}, ""
	}
	why := at.Result
	if at.Status != 0 {
		why = "HTTP " + strconv.Itoa(at.Status) + " " + at.Result
	}
	s.opts.Logger.Warn("webhook: delivery failed, will retry", "delivery", send.Delivery.DeliveryID, "url", send.URL,
		"attempt", send.Delivery.Attempts+1, "retry_at", out.RetryAt, "err", why)
	s.reschedule(ctx, e.m, why, out.RetryAt)
	return out.RetryAt, why
}

// maxResult is how much of a response the delivery log keeps.
const maxResult = 512

// post signs and sends one delivery.
func (s *Sender) post(ctx context.Context, send *commands.WebhookSend) domain.WebhookAttempt {
	d := send.Delivery
	body := []byte(d.Body)
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, send.URL, bytes.NewReader(body))
	if err != nil {
		return domain.WebhookAttempt{Result: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "deskbot-webhooks/1")
	req.Header.Set(domain.HookTimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(domain.HookSignatureHeader, domain.SignWebhook(send.Secret, ts, body))
	req.Header.Set(domain.HookDeliveryHeader, d.DeliveryID)
	req.Header.Set(domain.HookEventHeader, d.Type)
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return domain.WebhookAttempt{Result: "timed out"}
		}
		return domain.WebhookAttempt{Result: err.Error()}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxResult))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return domain.WebhookAttempt{Status: resp.StatusCode, Result: string(bytes.ToValidUTF8(head, []byte("?")))}
}

func (s *Sender) delivered(ctx context.Context, m *domain.OutboxMessage) {
	if err := s.opts.Outbox.OutboxDelivered(context.WithoutCancel(ctx), m.ID); err != nil {
		s.opts.Logger.Error("webhook: unable to mark delivered", "id", m.ID, "err", err)
	}
}

func (s *Sender) reschedule(ctx context.Context, m *domain.OutboxMessage, why string, at time.Time) {
	if err := s.opts.Outbox.OutboxFailed(context.WithoutCancel(ctx), m.ID, why, at); err != nil {
		s.opts.Logger.Error("webhook: unable to reschedule", "id", m.ID, "err", err)
	}
}

package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// NoticeWebhookDisabled DMs the admin who added a webhook that failed for
// too long and was disabled (Args: id, url, since, last).
const NoticeWebhookDisabled = "webhook_disabled"

// webhookLogSize is how many deliveries `/desk webhook log` shows.
const webhookLogSize = 10

func requireWebhookAdmin(s *Service, a domain.Actor) error {
	if !s.IsAdmin(a) {
		return domain.Errorf(domain.EFORBIDDEN, "Only deskbot admins (slack.admins in the config) can manage webhooks.")
	}
	return nil
}

// AddWebhook registers a receiver of events and returns its signing
// secret, shown once. Admins only.
func (s *Service) AddWebhook(ctx context.Context, a domain.Actor, rawURL string, events []string) (string, *domain.Webhook, error) {
	if err := requireWebhookAdmin(s, a); err != nil {
		return "", nil, err
	}
	u, err := domain.ValidateWebhookURL(rawURL, s.Config().Webhooks.AllowHTTP)
	if err != nil {
		return "", nil, err
	}
	names, err := domain.ParseWebhookEvents(events)
	if err != nil {
		return "", nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	secret := "whsec_" + hex.EncodeToString(raw)
	w := &domain.Webhook{URL: u, Events: strings.Join(names, " "), Secret: secret, CreatedBy: a.UserID}
	if err := s.store.Update(ctx, func(tx domain.Tx) error { return tx.AddWebhook(ctx, w) }); err != nil {
		return "", nil, err
	}
	s.log.Info("webhook added", "id", w.ID, "url", u, "events", w.Events, "by", a.Ref())
	return secret, w, nil
}

// Webhooks lists the webhooks. Admins only.
func (s *Service) Webhooks(ctx context.Context, a domain.Actor) ([]*domain.Webhook, error) {
	if err := requireWebhookAdmin(s, a); err != nil {
		return nil, err
	}
	var out []*domain.Webhook
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		out, err = tx.Webhooks(ctx)
		return err
	})
	return out, err
}

func webhookID(raw string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(raw), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.FieldErrorf("id", "%q is not a webhook id: `/desk webhook list` shows them.", raw)
	}
	return id, nil
}

// RemoveWebhook stops a webhook at once; what it had pending is dropped. Admins only.
func (s *Service) RemoveWebhook(ctx context.Context, a domain.Actor, rawID string) (*domain.Webhook, error) {
	if err := requireWebhookAdmin(s, a); err != nil {
		return nil, err
	}
	id, err := webhookID(rawID)
	if err != nil {
		return nil, err
	}
	var w *domain.Webhook
	err = s.store.Update(ctx, func(tx domain.Tx) error {
		if w, err = tx.Webhook(ctx, id); err != nil {
			return err
		}
		return tx.RemoveWebhook(ctx, id)
	})
	if err == nil {
		s.log.Info("webhook removed", "id", id, "by", a.Ref())
	}
	return w, err
}

// WebhookLog lists the last deliveries of one webhook ("" for all). Admins only.
func (s *Service) WebhookLog(ctx context.Context, a domain.Actor, rawID string) ([]*domain.WebhookDelivery, error) {
	if err := requireWebhookAdmin(s, a); err != nil {
		return nil, err
	}
	var id int64
	if rawID != "" {
		var err error
		if id, err = webhookID(rawID); err != nil {
			return nil, err
		}
	}
	var out []*domain.WebhookDelivery
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		if id != 0 {
			if _, err := tx.Webhook(ctx, id); err != nil {
				return err
			}
		}
		out, err = tx.WebhookDeliveries(ctx, id, webhookLogSize)
		return err
	})
	return out, err
}

// WebhookSend is what the webhook transport needs to make one attempt.
// Done: nothing to send (delivered already, or dropped), and the outbox
// message is marked delivered. Wait: an earlier delivery for the same
// ticket and webhook is still owed; try again then.
type WebhookSend struct {
	Delivery *domain.WebhookDelivery
	URL      string
	Secret   string
	Done     bool
	Wait     time.Time
}

// PrepareWebhook reads a queued delivery (outbox message outboxID) and
// tells whether to send it now: deliveries go in order per ticket and
// webhook, so one waits while an earlier one is owed. It only reads,
// unless there is nothing to send.
func (s *Service) PrepareWebhook(ctx context.Context, outboxID int64, job domain.WebhookJob) (*WebhookSend, error) {
	out := &WebhookSend{}
	err := s.store.View(ctx, func(tx domain.Tx) error {
		d, err := tx.WebhookDelivery(ctx, job.Delivery)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			out.Done = true
			return nil
		} else if err != nil {
			return err
		}
		w, err := tx.Webhook(ctx, d.WebhookID)
		if err != nil {
			return err
		}
		if d.DeliveredAt != nil || d.DroppedAt != nil || !w.Live() {
			out.Done = true
			return nil
		}
		earlier, err := tx.EarlierPending(ctx, d)
		switch {
		case err == nil:
			// Right after it: the outbox takes due messages oldest first.
			out.Wait = tx.Now().Add(time.Second)
			if earlier.NextAttempt != nil && earlier.NextAttempt.After(tx.Now()) {
				out.Wait = earlier.NextAttempt.Add(time.Millisecond)
			}
			return nil
		case domain.ErrorCode(err) != domain.ENOTFOUND:
			return err
		}
		out.Delivery, out.URL, out.Secret = d, w.URL, w.Secret
		return nil
	})
	if err != nil || !out.Done {
		return out, err
	}
	return out, s.store.Update(ctx, func(tx domain.Tx) error {
		if d, err := tx.WebhookDelivery(ctx, job.Delivery); err == nil && d.DeliveredAt == nil && d.DroppedAt == nil {
			now := tx.Now()
			d.DroppedAt = &now // its webhook was removed or disabled
			if err := tx.SaveWebhookDelivery(ctx, d); err != nil {
				return err
			}
		}
		return tx.MarkDelivered(ctx, outboxID)
	})
}

// WebhookOutcome says what became of an attempt: done (delivered, or
// dropped with its disabled webhook), else retry at RetryAt.
type WebhookOutcome struct {
	Done     bool
	RetryAt  time.Time
	Disabled bool
}

// WebhookAttempted records an attempt at a delivery. Success marks its
// outbox message delivered in the same transaction. A failure is retried
// after backoff(attempts); a webhook that has failed without one success
// for webhooks.disable_after is disabled, its pending deliveries dropped,
// and the admin who added it told by DM.
func (s *Service) WebhookAttempted(ctx context.Context, outboxID, deliveryID int64, at domain.WebhookAttempt,
	backoff func(attempts int) time.Duration) (WebhookOutcome, error) {
	cfg := s.Config()
	var out WebhookOutcome
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		out = WebhookOutcome{}
		now := tx.Now()
		d, err := tx.WebhookDelivery(ctx, deliveryID)
		if err != nil {
			return err
		}
		if at.OK() {
			// No lock on the webhook: successes to one receiver record side
			// by side. A delivery dropped meanwhile was delivered all the same.
			d.Attempts++
			d.LastStatus, d.LastResult, d.LastAttempt = at.Status, cutText(at.Result, 300), &now
			d.DeliveredAt, d.DroppedAt, d.NextAttempt, out.Done = &now, nil, nil, true
			if err := tx.SaveWebhookDelivery(ctx, d); err != nil {
				return err
			}
			if err := tx.WebhookSucceeded(ctx, d.WebhookID); err != nil {
				return err
			}
			return tx.MarkDelivered(ctx, outboxID)
		}
		w, err := tx.Webhook(ctx, d.WebhookID) // locks it: failures record one at a time
		if err != nil {
			return err
		}
		if d, err = tx.WebhookDelivery(ctx, deliveryID); err != nil { // as the attempt that held the lock left it
			return err
		}
		d.Attempts++
		d.LastStatus, d.LastResult, d.LastAttempt = at.Status, cutText(at.Result, 300), &now
		if !w.Live() || d.DroppedAt != nil {
			// Disabled or removed while this attempt was out.
			out.Done = true
			if d.DroppedAt == nil {
				d.DroppedAt = &now
			}
			if err := tx.SaveWebhookDelivery(ctx, d); err != nil {
				return err
			}
			return tx.MarkDelivered(ctx, outboxID)
		}
		if w.FailingSince == nil {
			w.FailingSince = &now
		} else if w.Live() && now.Sub(*w.FailingSince) >= cfg.Webhooks.DisableAfterOr() {
			out.Done, out.Disabled = true, true
			return s.disableWebhook(ctx, tx, w, d, outboxID)
		}
		retry := now.Add(backoff(d.Attempts))
		d.NextAttempt, out.RetryAt = &retry, retry
		if err := tx.SaveWebhookDelivery(ctx, d); err != nil {
			return err
		}
		return tx.SetWebhookHealth(ctx, w)
	})
	return out, err
}

func (s *Service) disableWebhook(ctx context.Context, tx domain.Tx, w *domain.Webhook, d *domain.WebhookDelivery, outboxID int64) error {
	now := tx.Now()
	last := d.LastResult
	if d.LastStatus != 0 {
		last = fmt.Sprintf("HTTP %d %s", d.LastStatus, d.LastResult)
	}
	w.DisabledAt, w.DisabledReason = &now, cutText(last, 300)
	if err := tx.SaveWebhookDelivery(ctx, d); err != nil {
		return err
	}
	if err := tx.SetWebhookHealth(ctx, w); err != nil {
		return err
	}
	if err := tx.DropWebhookDeliveries(ctx, w.ID); err != nil {
		return err
	}
	if err := tx.MarkDelivered(ctx, outboxID); err != nil {
		return err
	}
	s.log.Warn("webhook disabled after failing", "id", w.ID, "url", w.URL, "since", w.FailingSince, "last", last)
	if w.CreatedBy == "" {
		return nil
	}
	return post(ctx, tx, PostJob{Notice: NoticeWebhookDisabled, User: w.CreatedBy, Args: map[string]string{
		"id": strconv.FormatInt(w.ID, 10), "url": w.URL, "since": w.FailingSince.Format(time.RFC3339), "last": w.DisabledReason}})
}

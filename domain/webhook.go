package domain

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OutboxWebhook delivers one webhook delivery (WebhookJob) to its receiver.
const OutboxWebhook = "webhook.deliver"

// The events a webhook subscribes to. CommentInternal carries internal
// notes, which no other subscription ever does.
const (
	HookTicketCreated   = "ticket.created"
	HookStatusChanged   = "ticket.status_changed"
	HookCommentAdded    = "comment.added"
	HookCommentInternal = "comment.internal"
	HookSLAWarning      = "sla.warning"
	HookSLABreach       = "sla.breach"
	HookTimeLogged      = "time.logged"
)

// WebhookEvents lists the event names, in the order help shows them.
var WebhookEvents = []string{HookTicketCreated, HookStatusChanged, HookCommentAdded, HookCommentInternal,
	HookSLAWarning, HookSLABreach, HookTimeLogged}

// Webhook is a receiver of signed events, workspace-wide, added by an admin.
type Webhook struct {
	ID     int64  `db:"id"`
	URL    string `db:"url"`
	Events string `db:"events"` // space-separated event names
	// Secret signs deliveries; it is shown once, when the webhook is added.
	Secret    string    `db:"secret"`
	CreatedBy string    `db:"created_by"` // the admin's Slack user ID, told when it is disabled
	CreatedAt time.Time `db:"created_at"`
	// FailingSince is the first failed attempt since the last success:
	// failing for longer than webhooks.disable_after disables it.
	FailingSince   *time.Time `db:"failing_since"`
	DisabledAt     *time.Time `db:"disabled_at"`
	DisabledReason string     `db:"disabled_reason"`
	RemovedAt      *time.Time `db:"removed_at"`
}

// Subscribes tells whether the webhook receives events of that type.
func (w *Webhook) Subscribes(typ string) bool { return slices.Contains(strings.Fields(w.Events), typ) }

// Live tells whether deliveries are still made.
func (w *Webhook) Live() bool { return w.DisabledAt == nil && w.RemovedAt == nil }

// WebhookDelivery is one event for one webhook: its body is fixed when
// the event happens, so every attempt sends the same bytes and id.
type WebhookDelivery struct {
	ID          int64      `db:"id"`
	WebhookID   int64      `db:"webhook_id"`
	TicketID    int64      `db:"ticket_id"`
	DeliveryID  string     `db:"delivery_id"` // the idempotency id receivers dedupe by
	Type        string     `db:"type"`
	Body        string     `db:"body"`
	CreatedAt   time.Time  `db:"created_at"`
	Attempts    int        `db:"attempts"`
	LastStatus  int        `db:"last_status"` // HTTP status of the last attempt, 0 for none
	LastResult  string     `db:"last_result"` // the response's start, or the error
	LastAttempt *time.Time `db:"last_attempt_at"`
	NextAttempt *time.Time `db:"next_attempt_at"`
	DeliveredAt *time.Time `db:"delivered_at"`
	// DroppedAt: never to be sent, its webhook disabled or removed.
	DroppedAt *time.Time `db:"dropped_at"`
}

// WebhookJob is the payload of an OutboxWebhook message.
type WebhookJob struct {
	Delivery  int64 `json:"delivery"`
	WebhookID int64 `json:"webhook_id"`
	TicketID  int64 `json:"ticket_id"`
}

// WebhookAttempt is what one POST to a receiver gave.
type WebhookAttempt struct {
	Status int    // 0 when no response came
	Result string // the response's first bytes, or the error
}

// OK tells whether the receiver took the delivery (any 2xx).
func (a WebhookAttempt) OK() bool { return a.Status >= 200 && a.Status < 300 }

// WebhookConfig: webhooks.* in the config.
type WebhookConfig struct {
	// DisableAfter: a webhook failing for this long without one success
	// is disabled, and the admin who added it told.
	DisableAfter Duration `yaml:"disable_after"`
	// AllowHTTP accepts http:// receivers anywhere (tests, closed
	// networks); otherwise http:// is for localhost only.
	AllowHTTP bool `yaml:"allow_http"`
}

// DefaultWebhookDisableAfter applies when webhooks.disable_after is 0.
const DefaultWebhookDisableAfter = 24 * time.Hour

// DisableAfterOr is DisableAfter, or the default when unset.
func (c WebhookConfig) DisableAfterOr() time.Duration {
	if c.DisableAfter.Duration > 0 {
		return c.DisableAfter.Duration
	}
	return DefaultWebhookDisableAfter
}

// ParseWebhookEvents reads event names (spaces or commas between them),
// refusing an unknown one by name; none is an error.
func ParseWebhookEvents(words []string) ([]string, error) {
	var out []string
	for _, w := range words {
		for _, name := range strings.FieldsFunc(strings.ToLower(w), func(r rune) bool { return r == ',' }) {
			if !slices.Contains(WebhookEvents, name) {
				return nil, FieldErrorf("events", "%q is not a webhook event. The events are %s.", name, strings.Join(WebhookEvents, ", "))
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	if len(out) == 0 {
		return nil, FieldErrorf("events", "Name at least one event: %s.", strings.Join(WebhookEvents, ", "))
	}
	return out, nil
}

// ValidateWebhookURL accepts an absolute https URL, or http to localhost
// (or anywhere when allowHTTP), with a host and no credentials in it.
func ValidateWebhookURL(raw string, allowHTTP bool) (string, error) {
	raw = strings.Trim(strings.TrimSpace(raw), "<>") // Slack wraps links in <…>
	if i := strings.IndexByte(raw, '|'); i >= 0 {
		raw = raw[:i] // <url|label>
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", FieldErrorf("url", "%q is not a URL like https://example.com/hooks/deskbot.", raw)
	}
	if u.User != nil {
		return "", FieldErrorf("url", "Put no user or password in the URL: the signature proves who sends.")
	}
	if u.Fragment != "" {
		return "", FieldErrorf("url", "A webhook URL has no #fragment.")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !allowHTTP && !isLoopback(u.Hostname()) {
			return "", FieldErrorf("url", "Webhook URLs must use https (http is for localhost only).")
		}
	default:
		return "", FieldErrorf("url", "Webhook URLs must use https, not %q.", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", FieldErrorf("url", "%q is not a port.", p)
		}
	}
	return u.String(), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HookEventOf is the webhook event a history row is, if any.
func HookEventOf(e *Event) (string, bool) {
	switch e.Kind {
	case EventCreated:
		return HookTicketCreated, true
	case EventStatus:
		return HookStatusChanged, true
	case EventComment:
		if e.NewValue == "public" {
			return HookCommentAdded, true
		}
		return HookCommentInternal, true
	case EventTimeLogged, EventTimerStopped:
		return HookTimeLogged, true
	}
	return "", false
}

// HookEventOfAlert is the webhook event an SLA alert is.
func HookEventOfAlert(a *SLAAlert) string {
	if a.Threshold == ThresholdBreach {
		return HookSLABreach
	}
	return HookSLAWarning
}

// WebhookStore holds webhooks and their deliveries; Tx embeds it.
// Deliveries are created by the store itself whenever an event row or an
// SLA alert is recorded (AddEvent, AddSLAAlert), in that transaction.
type WebhookStore interface {
	AddWebhook(ctx context.Context, w *Webhook) error
	// Webhooks lists webhooks not removed, oldest first.
	Webhooks(ctx context.Context) ([]*Webhook, error)
	// Webhook reads one, removed ones included, or ENOTFOUND.
	Webhook(ctx context.Context, id int64) (*Webhook, error)
	// RemoveWebhook removes a webhook at Now and drops its pending deliveries; ENOTFOUND if none.
	RemoveWebhook(ctx context.Context, id int64) error
	// WebhookDeliveries lists a webhook's (0: every webhook's) last deliveries, newest first.
	WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*WebhookDelivery, error)
	WebhookDelivery(ctx context.Context, id int64) (*WebhookDelivery, error)
	// EarlierPending finds the oldest undelivered, undropped delivery of
	// the same webhook and ticket made before d, or ENOTFOUND.
	EarlierPending(ctx context.Context, d *WebhookDelivery) (*WebhookDelivery, error)
	// SaveWebhookDelivery writes a delivery's attempt bookkeeping.
	SaveWebhookDelivery(ctx context.Context, d *WebhookDelivery) error
	// WebhookSucceeded clears FailingSince, without locking a webhook
	// that was not failing.
	WebhookSucceeded(ctx context.Context, id int64) error
	// SetWebhookHealth writes FailingSince and the disabling.
	SetWebhookHealth(ctx context.Context, w *Webhook) error
	// DropWebhookDeliveries drops a webhook's pending deliveries.
	DropWebhookDeliveries(ctx context.Context, webhookID int64) error
}

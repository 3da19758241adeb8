package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const webhookHelp = "`/desk webhook add URL EVENT…` sends signed events to URL (events: " +
	"`ticket.created`, `ticket.status_changed`, `comment.added`, `comment.internal`, `sla.warning`, `sla.breach`, `time.logged`; the signing secret is shown once), " +
	"`/desk webhook list`, `/desk webhook remove ID`, `/desk webhook log [ID]` shows the last deliveries. Admins only."

// webhookCommand: /desk webhook add|list|remove|log.
func (b *Bot) webhookCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	f := strings.Fields(text)
	if len(f) == 0 {
		b.reply(ctx, responseURL, webhookHelp)
		return
	}
	switch verb, args := strings.ToLower(f[0]), f[1:]; {
	case verb == "add" && len(args) >= 1:
		b.addWebhook(ctx, a, responseURL, args[0], args[1:])
	case verb == "add":
		b.reply(ctx, responseURL, "Give the receiver's URL and its events: `/desk webhook add https://example.com/hooks ticket.created comment.added`.")
	case verb == "list" && len(args) == 0:
		b.listWebhooks(ctx, a, responseURL)
	case (verb == "remove" || verb == "delete") && len(args) == 1:
		w, err := b.svc.RemoveWebhook(ctx, a, args[0])
		if err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		b.reply(ctx, responseURL, fmt.Sprintf(":no_entry: Webhook %d (%s) removed: nothing more is sent to it.", w.ID, esc(w.URL)))
	case verb == "log" && len(args) <= 1:
		id := ""
		if len(args) == 1 {
			id = args[0]
		}
		b.webhookLog(ctx, a, responseURL, id)
	default:
		b.reply(ctx, responseURL, webhookHelp)
	}
}

func (b *Bot) addWebhook(ctx context.Context, a domain.Actor, responseURL, url string, events []string) {
	secret, w, err := b.svc.AddWebhook(ctx, a, url, events)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, fmt.Sprintf(":satellite_antenna: Webhook *%d* added: %s gets %s.\n"+
		"Its signing secret — copy it now, it is not shown again:\n```%s```\n"+
		"Each delivery is signed in `X-Deskbot-Signature` (see the README, \"Verifying deliveries\").",
		w.ID, esc(w.URL), eventList(w.Events), secret))
}

func eventList(events string) string {
	return "`" + strings.Join(strings.Fields(events), "`, `") + "`"
}

func (b *Bot) listWebhooks(ctx context.Context, a domain.Actor, responseURL string) {
	hooks, err := b.svc.Webhooks(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(hooks) == 0 {
		b.reply(ctx, responseURL, "No webhooks. "+webhookHelp)
		return
	}
	lines := []string{"*Webhooks*"}
	for _, w := range hooks {
		state := "active"
		switch {
		case w.DisabledAt != nil:
			state = fmt.Sprintf(":red_circle: disabled %s (%s)", w.DisabledAt.Format("2006-01-02 15:04"), escCut(w.DisabledReason, 100))
		case w.FailingSince != nil:
			state = ":warning: failing since " + w.FailingSince.Format("2006-01-02 15:04")
		}
		lines = append(lines, fmt.Sprintf("• *%d* %s · %s · %s · by %s on %s", w.ID, esc(w.URL), eventList(w.Events), state,
			userRef(w.CreatedBy), w.CreatedAt.Format("2006-01-02")))
	}
	b.reply(ctx, responseURL, cut(strings.Join(lines, "\n"), maxMessageText))
}

func (b *Bot) webhookLog(ctx context.Context, a domain.Actor, responseURL, id string) {
	ds, err := b.svc.WebhookLog(ctx, a, id)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(ds) == 0 {
		b.reply(ctx, responseURL, "No deliveries yet.")
		return
	}
	lines := []string{"*Last webhook deliveries*"}
	for _, d := range ds {
		lines = append(lines, deliveryLine(d))
	}
	b.reply(ctx, responseURL, cut(strings.Join(lines, "\n"), maxMessageText))
}

// deliveryLine is one delivery in the log: what, where it stands, and
// the receiver's last answer.
func deliveryLine(d *domain.WebhookDelivery) string {
	var body struct {
		Ticket struct {
			Key string `json:"key"`
		} `json:"ticket"`
	}
	_ = json.Unmarshal([]byte(d.Body), &body)
	state := "pending"
	switch {
	case d.DeliveredAt != nil:
		state = ":white_check_mark: delivered " + d.DeliveredAt.Format("2006-01-02 15:04:05")
	case d.DroppedAt != nil:
		state = ":no_entry: dropped (webhook removed or disabled)"
	case d.NextAttempt != nil:
		state = ":hourglass: retrying at " + d.NextAttempt.Format("15:04:05")
	}
	last := "no attempt yet"
	if d.LastAttempt != nil {
		code := "no response"
		if d.LastStatus != 0 {
			code = fmt.Sprintf("HTTP %d", d.LastStatus)
		}
		last = fmt.Sprintf("last %s at %s", code, d.LastAttempt.Format("2006-01-02 15:04:05"))
		if r := strings.TrimSpace(d.LastResult); r != "" {
			last += ": `" + strings.ReplaceAll(escCut(r, 80), "`", "'") + "`"
		}
	}
	return fmt.Sprintf("• webhook %d · `%s` %s · %s · %s · %d attempt(s) · %s", d.WebhookID, d.DeliveryID, d.Type,
		esc(body.Ticket.Key), state, d.Attempts, last)
}

// webhookDisabledText tells the admin who added a webhook that it was disabled.
func webhookDisabledText(a map[string]string) string {
	return fmt.Sprintf(":red_circle: Webhook *%s* (%s) failed without a single success since %s, so I disabled it; its pending deliveries are dropped. "+
		"Last answer: %s. Fix the receiver, then add it again with `/desk webhook add`; `/desk webhook log %s` shows what happened.",
		esc(a["id"]), esc(a["url"]), slackDate(parseTime(a["since"]), "{date_short} {time}"), escCut(a["last"], 200), esc(a["id"]))
}

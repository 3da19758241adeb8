package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Escalating a ticket to engineering: the card's More… → Escalate and
// `/ticket KEY escalate` open a form (tracker, title, body, labels,
// internal notes or not) whose submission creates the issue;
// `/ticket KEY link org/repo#123` links one that exists.
const (
	verbEscalate = "escalate"
	cbEscalate   = "escalate"
)

// trackerVerb runs `/ticket KEY escalate` and `/ticket KEY link REF`.
func (b *Bot) trackerVerb(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, key, rest string) {
	verb, args := firstWord(rest)
	switch strings.ToLower(verb) {
	case verbEscalate:
		b.openEscalateModal(ctx, a, cmd.ResponseURL, cmd.TriggerID, key)
	case "link":
		i, err := b.svc.LinkIssue(ctx, a, key, strings.TrimSpace(args))
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		text := fmt.Sprintf(":link: *%s* is linked to %s.", key, issueLink(i))
		if w := waitingText(i); w != "" {
			text += " " + w + "."
		}
		b.reply(ctx, cmd.ResponseURL, text)
	}
}

// openEscalateModal opens the form, prefilled from the ticket.
func (b *Bot) openEscalateModal(ctx context.Context, a domain.Actor, responseURL, triggerID, key string) {
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	d, err := b.svc.EscalationDraft(ctx, a, key, b.cardLink(ctx, t))
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, escalateView(d)); return err })
}

// cardLink is the card's address in Slack, "" when unknown.
func (b *Bot) cardLink(ctx context.Context, t *domain.Ticket) string {
	if t.SlackChannel == "" || t.SlackTS == "" {
		return ""
	}
	link, err := b.ui.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: t.SlackChannel, Ts: t.SlackTS})
	if err != nil {
		b.log.Warn("bot: no permalink for a card", "ticket", t.Key(), "err", err)
		return ""
	}
	return link
}

func escalateView(d *commands.EscalationDraft) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, 0, len(d.Trackers))
	for _, n := range d.Trackers {
		opts = append(opts, slack.NewOptionBlockObject(n, plain(cut(n, maxOptionText)), nil))
	}
	trk := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Tracker"), "tracker", opts...)
	trk.InitialOption = opts[0]
	title := slack.NewPlainTextInputBlockElement(plain("Issue title"), "title")
	title.InitialValue, title.MaxLength = cut(d.Title, 256), 256
	body := slack.NewPlainTextInputBlockElement(plain("Issue body (Markdown)"), "body")
	body.Multiline, body.MaxLength = true, maxInputValue
	body.InitialValue = cut(d.Body, maxInputValue)
	labels := slack.NewPlainTextInputBlockElement(plain("bug, support"), "labels")
	labels.InitialValue = cut(strings.Join(d.Labels, ", "), 1000)
	labelsBlock := slack.NewInputBlock("labels", plain("Labels (comma-separated)"), nil, labels)
	labelsBlock.Optional = true
	blocks := []slack.Block{
		slack.NewContextBlock("about", mrkdwn(fmt.Sprintf("*%s* %s — the customer's words are quoted; internal notes stay out unless you add them.",
			d.Ticket.Key(), escCut(d.Ticket.Title, 200)))),
		slack.NewInputBlock("tracker", plain("Tracker"), nil, trk),
		slack.NewInputBlock("title", plain("Title"), nil, title),
		slack.NewInputBlock("body", plain("Body"), nil, body),
		labelsBlock,
	}
	if d.HasNotes {
		cb := slack.NewCheckboxGroupsBlockElement("notes",
			slack.NewOptionBlockObject("notes", plain("Add the ticket's internal notes to the issue"), nil))
		notes := slack.NewInputBlock("notes", plain("Internal notes"), nil, cb)
		notes.Optional = true
		blocks = append(blocks, notes)
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbEscalate, Title: plain(cut("Escalate "+d.Ticket.Key(), maxModalTitle)),
		Submit: plain("Create issue"), Close: plain("Cancel"), PrivateMetadata: d.Ticket.Key(),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// submitEscalate creates the issue; a refusal shows next to its field.
func (b *Bot) submitEscalate(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	in := commands.EscalateInput{Tracker: inputValue(values, "tracker"), Title: inputValue(values, "title"),
		Body: inputValue(values, "body"), Labels: []string{inputValue(values, "labels")},
		WithNotes: len(values["notes"]["notes"].SelectedOptions) > 0, DedupID: cb.View.ID}
	key := cb.View.PrivateMetadata
	i, err := b.svc.Escalate(ctx, a, key, in)
	if err != nil {
		field := domain.ErrorField(err)
		switch field {
		case "tracker", "title", "body", "labels":
		default:
			field = "body"
		}
		return formError(field, err)
	}
	b.dm(ctx, a.UserID, fmt.Sprintf(":rotating_light: *%s* escalated: %s. I will tell you when it closes.", key, issueLink(i)))
	return nil
}

// issueLink is org/repo#123 linked to the issue.
func issueLink(i *domain.TrackerIssue) string {
	if u := i.URL; strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		if !strings.ContainsAny(u, "|<> ") {
			return "<" + u + "|" + esc(i.Ref()) + ">"
		}
	}
	return esc(i.Ref())
}

func waitingText(i *domain.TrackerIssue) string {
	if i.Waiting > 1 {
		return fmt.Sprintf("%d customers are waiting on this", i.Waiting)
	}
	return ""
}

// issueNotes are the card's lines about its engineering issues, on the
// working face only.
func issueNotes(v *commands.CardView) []slack.MixedElement {
	var out []slack.MixedElement
	for _, i := range v.Issues {
		line := fmt.Sprintf(":hammer_and_wrench: Engineering: %s — %s", issueLink(i), i.State)
		if w := waitingText(i); w != "" {
			line += " · " + w
		}
		out = append(out, mrkdwn(line))
	}
	return out
}

// trackerNoticeText words the trackers' notices (all for agents).
func trackerNoticeText(job commands.PostJob, key, title string) string {
	a := job.Args
	ref := esc(a["issue"])
	if u := a["url"]; strings.HasPrefix(u, "http") && !strings.ContainsAny(u, "|<> ") {
		ref = "<" + u + "|" + ref + ">"
	}
	switch job.Notice {
	case commands.NoticeIssueClosed:
		text := fmt.Sprintf(":white_check_mark: Engineering closed %s, linked to *%s* %s.", ref, key, title)
		if a["status"] != "" {
			text += " The ticket is now " + esc(a["status"]) + "; `/desk release VERSION` resolves it and tells the customer when the fix ships."
		}
		return text
	case commands.NoticeIssueReopened:
		text := fmt.Sprintf(":arrows_counterclockwise: Engineering reopened %s, linked to *%s* %s.", ref, key, title)
		if a["status"] != "" {
			text += " The ticket is back to " + esc(a["status"]) + "."
		}
		return text
	case commands.NoticeFixMerged:
		return ":lock: :twisted_rightwards_arrows: " + esc(cut(a["text"], 3000))
	}
	return fmt.Sprintf(":lock: :hammer_and_wrench: %s", esc(cut(a["text"], 3000)))
}

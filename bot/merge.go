package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// mergeNotes are a card's merge pointers. On the customer's face
// (customer set) another customer's key is not named.
func mergeNotes(v *commands.CardView, customer bool) []slack.MixedElement {
	own := func(k string) bool { return !customer || strings.HasPrefix(k, v.Ticket.CustomerKey+"-") }
	var notes []slack.MixedElement
	switch {
	case v.MergedInto != "" && own(v.MergedInto):
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: Merged into *"+esc(v.MergedInto)+"*"))
	case v.MergedInto != "":
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: Merged into a related ticket"))
	}
	var from []string
	for _, k := range v.MergedFrom {
		if own(k) {
			from = append(from, "*"+esc(k)+"*")
		}
	}
	switch len(from) {
	case 0:
	case 1:
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: "+from[0]+" was merged here"))
	default:
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: "+strings.Join(from, ", ")+" were merged here"))
	}
	return notes
}

// Merge controls: the modal picking the target, the admin's confirmation
// across customers, the Undo button. Values carry "SOURCE|TARGET".
const (
	cbMerge         = "merge"
	cbMergeConfirm  = "merge_confirm"
	actMergeConfirm = "merge_confirm"
	actUnmerge      = "unmerge"
)

// openMergeModal asks which ticket the card's ticket goes on in.
func (b *Bot) openMergeModal(ctx context.Context, a domain.Actor, responseURL, triggerID, key string) {
	if !a.IsAgent() {
		b.fail(ctx, responseURL, domain.Errorf(domain.EFORBIDDEN, "Only support agents can merge tickets."))
		return
	}
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	target := slack.NewPlainTextInputBlockElement(plain("ACME-3"), "target")
	target.MaxLength = 24
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbMerge, Title: plain(cut("Merge "+t.Key(), maxModalTitle)),
		Submit: plain("Merge"), Close: plain("Cancel"), PrivateMetadata: t.Key(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("about", mrkdwn(fmt.Sprintf("*%s* %s — its comments, time, attachments, mail thread, people and links move to the ticket you name; it closes as merged. You can undo it for %s.",
				t.Key(), escCut(t.Title, 200), domain.FormatDuration(domain.MergeUndoWindow)))),
			slack.NewInputBlock("target", plain("Merge into ticket"), plain("The key of the ticket that goes on"), target),
		}},
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

// submitMerge checks the modal's target: an error shows under the field;
// across customers an admin gets a confirmation step, others a refusal.
func (b *Bot) submitMerge(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	if cb.View.CallbackID == cbMergeConfirm {
		src, dst, _ := strings.Cut(cb.View.PrivateMetadata, "|")
		res, err := b.svc.MergeTickets(ctx, a, src, dst, true)
		if err != nil {
			b.dm(ctx, a.UserID, ":warning: "+esc(domain.ErrorMessage(err)))
			return nil
		}
		b.dmBlocks(ctx, a.UserID, mergedText(res), mergedBlocks(res))
		return nil
	}
	src, dst := cb.View.PrivateMetadata, strings.ToUpper(strings.TrimSpace(inputValue(values, "target")))
	p, err := b.svc.CheckMerge(ctx, a, src, dst)
	if err != nil {
		return formError("target", err)
	}
	if p.Cross {
		if !b.svc.IsAdmin(a) {
			return formError("target", domain.Errorf(domain.EFORBIDDEN, "%s is %s's and %s is %s's: only a deskbot admin can merge tickets of different customers.",
				p.Source.Key(), p.SourceCustomer, p.Target.Key(), p.TargetCustomer))
		}
		return slack.NewUpdateViewSubmissionResponse(mergeConfirmView(p))
	}
	res, err := b.svc.MergeTickets(ctx, a, src, dst, false)
	if err != nil {
		return formError("target", err)
	}
	b.dmBlocks(ctx, a.UserID, mergedText(res), mergedBlocks(res))
	return nil
}

func mergeConfirmView(p *commands.MergePlan) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbMergeConfirm, Title: plain("Merge across customers"),
		Submit: plain("Merge"), Close: plain("Cancel"), PrivateMetadata: p.Source.Key() + "|" + p.Target.Key(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(crossText(p)), nil, nil)}},
	}
}

func crossText(p *commands.MergePlan) string {
	return fmt.Sprintf(":warning: *%s* is %s's and *%s* is %s's. Merging moves %s's conversation, people and time to %s's ticket; %s's people are told only that it goes on with a related request. Merge anyway?",
		p.Source.Key(), esc(p.SourceCustomer), p.Target.Key(), esc(p.TargetCustomer), esc(p.SourceCustomer), esc(p.TargetCustomer), esc(p.SourceCustomer))
}

// mergeCommand answers `/ticket SRC merge into DST`.
func (b *Bot) mergeCommand(ctx context.Context, a domain.Actor, responseURL, src, dst string) {
	p, err := b.svc.CheckMerge(ctx, a, src, dst)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if p.Cross {
		if !b.svc.IsAdmin(a) {
			b.fail(ctx, responseURL, domain.Errorf(domain.EFORBIDDEN, "%s is %s's and %s is %s's: only a deskbot admin can merge tickets of different customers.",
				p.Source.Key(), p.SourceCustomer, p.Target.Key(), p.TargetCustomer))
			return
		}
		b.reply(ctx, responseURL, "Merge across customers?",
			slack.NewSectionBlock(mrkdwn(crossText(p)), nil, nil),
			slack.NewActionBlock("merge_confirm",
				slack.NewButtonBlockElement(actMergeConfirm, p.Source.Key()+"|"+p.Target.Key(), plain("Merge across customers")).WithStyle(slack.StyleDanger)))
		return
	}
	b.merge(ctx, a, responseURL, src, dst, false, false)
}

func (b *Bot) merge(ctx context.Context, a domain.Actor, responseURL, src, dst string, confirmed, replace bool) {
	res, err := b.svc.MergeTickets(ctx, a, src, dst, confirmed)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	switch {
	case strings.HasPrefix(responseURL, "dm:"):
		b.dmBlocks(ctx, strings.TrimPrefix(responseURL, "dm:"), mergedText(res), mergedBlocks(res))
	case replace:
		b.replaceOriginal(ctx, responseURL, mergedText(res), mergedBlocks(res))
	default:
		b.reply(ctx, responseURL, mergedText(res), mergedBlocks(res)...)
	}
}

// onMergeAction runs the admin's confirmation and the Undo button.
func (b *Bot) onMergeAction(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, action, src, dst string) {
	if action == actMergeConfirm {
		b.merge(ctx, a, cb.ResponseURL, src, dst, true, true)
		return
	}
	b.unmerge(ctx, a, cb.ResponseURL, src)
}

// unmerge answers the Undo button and `/ticket SRC unmerge`.
func (b *Bot) unmerge(ctx context.Context, a domain.Actor, responseURL, src string) {
	res, err := b.svc.Unmerge(ctx, a, src)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, fmt.Sprintf(":leftwards_arrow_with_hook: Undone: *%s* is apart from *%s* again, with what it had, and back to %s.",
		res.Source.Key(), res.Target.Key(), esc(b.svc.Config().StatusLabel(res.Source.Status))))
}

func mergedText(r *commands.MergeResult) string {
	mv := r.Merge.Moved
	return fmt.Sprintf(":twisted_rightwards_arrows: Merged *%s* into *%s*: %d comments, %d time entries, %d attachments, %d mails, %d people and %d links moved; *%s* is closed as merged. Undo within %s with the button or `/ticket %s unmerge`.",
		r.Source.Key(), r.Target.Key(), len(mv.Comments), len(mv.TimeEntries), len(mv.Attachments), len(mv.Messages), len(mv.Participants), len(mv.Links),
		r.Source.Key(), domain.FormatDuration(domain.MergeUndoWindow), r.Source.Key())
}

func mergedBlocks(r *commands.MergeResult) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(mergedText(r)), nil, nil),
		slack.NewActionBlock("merge_undo", slack.NewButtonBlockElement(actUnmerge, r.Source.Key(), plain("Undo"))),
	}
}

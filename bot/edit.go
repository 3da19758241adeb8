package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The card's Edit button and its modal: the ticket's customer, its type
// and the type's custom fields; changing the type redraws the fields.
const (
	actEdit = "edit"
	cbEdit  = "edit_ticket"
)

func (b *Bot) openEditModal(ctx context.Context, a domain.Actor, responseURL, triggerID, key string) {
	if !a.IsAgent() {
		b.fail(ctx, responseURL, domain.Errorf(domain.EFORBIDDEN, "Only support agents can edit tickets."))
		return
	}
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	customers, err := b.svc.Customers(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	view := b.editView(b.svc.Config(), t, t.Type, nil, customers, b.userLoc(ctx, a.UserID))
	b.withTagInputs(ctx, a, &view, t.Key()) // edit_tags.go
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

// editView builds the modal for a type. values, when the type changed,
// keeps what the person already typed over the ticket's own values.
func (b *Bot) editView(cfg *domain.Config, t *domain.Ticket, typ string, values map[string]map[string]slack.BlockAction, customers []*domain.Customer, loc *time.Location) slack.ModalViewRequest {
	td := cfg.Type(typ)
	if td == nil {
		typ = t.Type
		if td = cfg.Type(typ); td == nil {
			typ, td = cfg.DefaultType, cfg.Type(cfg.DefaultType)
		}
	}
	var blocks []slack.Block
	if in := customerInput(t, customers, values); in != nil {
		blocks = append(blocks, in)
	}
	blocks = append(blocks, b.typeInput(cfg, typ))
	if len(cfg.Severities) > 0 {
		blocks = append(blocks, severityInput(cfg, t.Severity))
	}
	blocks = append(blocks, dueInputs(t, loc)...)
	if typ != t.Type {
		note := fmt.Sprintf("Changing the type moves the ticket to *%s* in the %s workflow.",
			esc(cfg.StatusLabel(cfg.MapStatus(t.Status, typ))), esc(td.Label))
		blocks = append(blocks, slack.NewContextBlock("type_note", mrkdwn(note)))
	}
	for _, name := range td.Fields {
		f := cfg.Field(name)
		if f == nil || len(blocks) >= maxViewBlocks {
			continue
		}
		v := t.Fields[name]
		if _, typed := values["f_"+name]; typed {
			v = inputValue(values, "f_"+name)
		}
		blocks = append(blocks, withInitial(fieldInput(f), f, v))
	}
	if len(td.Fields) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("A %s has no custom fields.", esc(td.Label))), nil, nil))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbEdit, Title: plain(cut("Edit "+t.Key(), maxModalTitle)),
		Submit: plain("Save"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: t.Key(),
	}
}

// withInitial shows a field's current value in its input.
func withInitial(in *slack.InputBlock, f *domain.FieldDef, v string) *slack.InputBlock {
	if v == "" {
		return in
	}
	switch el := in.Element.(type) {
	case *slack.PlainTextInputBlockElement:
		el.InitialValue = cut(v, maxInputValue)
	case *slack.SelectBlockElement:
		if el.Type == slack.OptTypeUser {
			el.InitialUser = v
		} else if i := slices.Index(f.Options, v); i >= 0 && i < len(el.Options) {
			el.InitialOption = el.Options[i]
		}
	case *slack.MultiSelectBlockElement:
		for _, part := range strings.Split(v, ",") {
			if i := slices.Index(f.Options, part); i >= 0 && i < len(el.Options) {
				el.InitialOptions = append(el.InitialOptions, el.Options[i])
			}
		}
	case *slack.DatePickerBlockElement:
		el.InitialDate = v
	}
	return in
}

func (b *Bot) redrawEditModal(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	a, err := b.people.actor(ctx, cb.User.ID, "")
	if err != nil {
		b.log.Error("bot: actor", "err", err)
		return
	}
	t, err := b.svc.Ticket(ctx, a, cb.View.PrivateMetadata)
	if err != nil {
		b.log.Warn("bot: unable to redraw the edit modal", "err", err)
		return
	}
	customers, err := b.svc.Customers(ctx, a)
	if err != nil {
		b.log.Warn("bot: unable to redraw the edit modal", "err", err)
		return
	}
	typ := firstNonEmpty(act.SelectedOption.Value, act.Value)
	view := b.editView(b.svc.Config(), t, typ, cb.View.State.Values, customers, b.userLoc(ctx, a.UserID))
	b.withTagInputs(ctx, a, &view, t.Key()) // edit_tags.go
	b.call("views.update", func() error {
		_, err := b.ui.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID)
		return err
	})
}

func (b *Bot) submitEdit(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	fields := map[string]string{}
	for id := range values {
		if name, ok := strings.CutPrefix(id, "f_"); ok {
			fields[name] = inputValue(values, id)
		}
	}
	key := cb.View.PrivateMetadata
	if _, err := domain.ParseTagList(inputValue(values, "new_tags")); err != nil {
		return formError("new_tags", err) // before anything is saved
	}
	var due time.Time
	if text := strings.TrimSpace(inputValue(values, "due")); text != "" {
		var err error
		if due, err = b.svc.ParseDue(ctx, text, b.userLoc(ctx, a.UserID)); err != nil {
			return formError("due", err)
		}
	}
	t, err := b.svc.SetFields(ctx, a, key, commands.EditInput{Type: inputValue(values, "type"), Fields: fields})
	if err != nil {
		return formError(editBlockFor(err, values), err)
	}
	if to := inputValue(values, "customer"); to != "" {
		customers, err := b.svc.Customers(ctx, a)
		if err != nil {
			return formError("customer", err)
		}
		if i := slices.IndexFunc(customers, func(p *domain.Customer) bool { return p.Key == to }); i >= 0 && customers[i].ID != t.CustomerID {
			if t, err = b.svc.MoveTicket(ctx, a, t.Key(), to); err != nil {
				return formError("customer", err)
			}
		}
	}
	if _, ok := values["severity"]; ok && inputValue(values, "severity") != t.Severity {
		if _, err := b.svc.SetSeverity(ctx, a, key, inputValue(values, "severity")); err != nil {
			return formError("severity", err)
		}
	}
	if _, ok := values["due"]; ok {
		public := inputValue(values, "due_public") == "public"
		same := t.DuePublic == public && (t.DueAt == nil && due.IsZero() || t.DueAt != nil && t.DueAt.Equal(due.UTC().Truncate(time.Minute)))
		if !same {
			if _, err := b.svc.SetDue(ctx, a, key, due, public); err != nil {
				return formError("due", err)
			}
		}
	}
	if resp := b.submitTags(ctx, a, key, values); resp != nil { // edit_tags.go
		return resp
	}
	b.log.Debug("ticket edited", "ticket", t.Key(), "by", a.UserID)
	return nil
}

// editBlockFor puts an error next to the input it is about, else on the type.
func editBlockFor(err error, values map[string]map[string]slack.BlockAction) string {
	f := domain.ErrorField(err)
	if _, ok := values["f_"+f]; ok && f != "" {
		return "f_" + f
	}
	return "type"
}

// customerInput is the ticket's customer, changed to move the ticket (its
// key stays); none when there is only the one.
func customerInput(t *domain.Ticket, customers []*domain.Customer, values map[string]map[string]slack.BlockAction) *slack.InputBlock {
	if len(customers) < 2 {
		return nil
	}
	chosen := ""
	if v := values["customer"]["customer"].SelectedOption.Value; v != "" {
		chosen = v
	}
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, p := range customers {
		if len(opts) == 100 { // a static select holds 100 options
			break
		}
		o := slack.NewOptionBlockObject(p.Key, plain(cut(p.Key+" — "+p.Name, maxOptionText)), nil)
		opts = append(opts, o)
		if p.Key == chosen || chosen == "" && p.ID == t.CustomerID {
			initial = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a customer"), "customer", opts...)
	sel.InitialOption = initial
	in := slack.NewInputBlock("customer", plain("Customer"), plain("Moving it keeps its key "+t.Key()+"."), sel)
	return in
}

// severityInput picks one of the config's severities, or none.
func severityInput(cfg *domain.Config, current string) *slack.InputBlock {
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, s := range cfg.Severities {
		o := slack.NewOptionBlockObject(s, plain(cut(s, maxOptionText)), nil)
		opts = append(opts, o)
		if s == current {
			initial = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("None"), "severity", opts...)
	sel.InitialOption = initial
	in := slack.NewInputBlock("severity", plain("Severity"), nil, sel)
	in.Optional = true
	return in
}

// dueInputs are the due date, as people write it, and whether the
// customer sees it.
// The date is in the person's time zone (loc), both ways.
func dueInputs(t *domain.Ticket, loc *time.Location) []slack.Block {
	initial := ""
	if t.DueAt != nil {
		initial = t.DueAt.In(loc).Format("2006-01-02 15:04")
	}
	due := textInput("due", "Due", initial, true, 40, "fri 17:00, tomorrow, +3d, 2026-12-05 09:00 — empty: none")
	agents := slack.NewOptionBlockObject("agents", plain("Agents only"), nil)
	public := slack.NewOptionBlockObject("public", plain("Also the customer, on their card"), nil)
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Agents only"), "due_public", agents, public)
	sel.InitialOption = agents
	if t.DuePublic {
		sel.InitialOption = public
	}
	in := slack.NewInputBlock("due_public", plain("Who sees the due date"), nil, sel)
	in.Optional = true
	return []slack.Block{due, in}
}

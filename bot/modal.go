package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Callback IDs of deskbot's modals.
const (
	cbCreate  = "create_ticket"
	cbLogTime = "log_time"
)

// createPrefill is what the create modal starts with; it travels in the
// modal's private_metadata so the submission knows where it came from.
type createPrefill struct {
	Channel     string `json:"c,omitempty"`
	Source      string `json:"s,omitempty"`
	SourceRef   string `json:"r,omitempty"`
	Title       string `json:"-"`
	Description string `json:"-"`
	CustomerKey string `json:"-"`
	Type        string `json:"-"`
	Agent       bool   `json:"a,omitempty"`
}

// readPrefill reads what createView put in the modal's private_metadata.
func readPrefill(meta string) (createPrefill, error) {
	var pre createPrefill
	if meta == "" {
		return pre, nil
	}
	if err := json.Unmarshal([]byte(meta), &pre); err != nil {
		return pre, fmt.Errorf("bot: unable to read the create modal's metadata %q: %w", meta, err)
	}
	return pre, nil
}

func (b *Bot) openCreateModal(ctx context.Context, a domain.Actor, triggerID string, pre createPrefill) {
	pre.Agent = a.IsAgent()
	if pre.CustomerKey == "" && pre.Channel != "" {
		if p, err := b.svc.CustomerByChannel(ctx, pre.Channel); err == nil && p != nil {
			pre.CustomerKey = p.Key
		}
	}
	view, err := b.createView(ctx, a, pre, nil)
	if err != nil {
		b.log.Error("bot: unable to build the create modal", "err", err)
		return
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

// createView builds the modal; values keeps what the person already typed
// when the type changes and the fields are redrawn.
func (b *Bot) createView(ctx context.Context, a domain.Actor, pre createPrefill, values map[string]map[string]slack.BlockAction) (slack.ModalViewRequest, error) {
	cfg := b.svc.Config()
	customers, err := b.svc.Customers(ctx, a)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	typ := pre.Type
	if v := values["type"]["type"].SelectedOption.Value; v != "" {
		typ = v
	}
	if cfg.Type(typ) == nil {
		typ = cfg.DefaultType
	}
	customerKey := pre.CustomerKey
	if v := values["customer"]["customer"].SelectedOption.Value; v != "" {
		customerKey = v
	}
	var version string
	blocks := []slack.Block{
		textInput("title", "Title", pre.Title, false, commands.MaxTitle, "What is wrong, in a few words"),
		textInput("description", "Description", pre.Description, true, maxInputValue, "Steps, errors, what you expected"),
	}
	if len(customers) > 0 {
		var opts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for i, p := range customers {
			if i == 100 { // a static select holds 100 options
				break
			}
			o := slack.NewOptionBlockObject(p.Key, plain(cut(p.Key+" — "+p.Name, maxOptionText)), nil)
			opts = append(opts, o)
			if p.Key == customerKey {
				initial, version = o, p.CurrentVersion
			}
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a customer"), "customer", opts...)
		sel.InitialOption = initial
		// Optional: left empty, the ticket is the channel's customer's,
		// else the requester's, else TRIAGE — never refused for want of one.
		in := slack.NewInputBlock("customer", plain("Customer"), plain("Leave it empty if you do not know: it goes to TRIAGE."), sel)
		in.DispatchAction = true
		in.Optional = true
		blocks = append(blocks, in)
	}
	blocks = append(blocks, b.typeInput(cfg, typ), priorityInput(cfg, cfg.Type(typ)))
	if len(cfg.Severities) > 0 {
		blocks = append(blocks, severityInput(cfg, ""))
	}
	td := cfg.Type(typ)
	if slices.Contains(td.Fields, "version") {
		blocks = append(blocks, textInput("version", "Version", version, true, 50, "e.g. 4.2.1 — the customer's current version by default"))
	}
	if pre.Agent {
		us := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Nobody yet"), "assignee")
		in := slack.NewInputBlock("assignee", plain("Assignee"), nil, us)
		in.Optional = true
		blocks = append(blocks, in)
	}
	for _, name := range td.Fields {
		if name == "version" {
			continue
		}
		if f := cfg.Field(name); f != nil {
			blocks = append(blocks, fieldInput(f))
		}
	}
	meta, _ := json.Marshal(pre)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbCreate, Title: plain("New ticket"),
		Submit: plain("Create"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks},
		PrivateMetadata: string(meta), ClearOnClose: true,
	}, nil
}

func textInput(id, label, initial string, optional bool, maxLen int, placeholder string) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(plain(placeholder), id)
	el.InitialValue = cut(initial, maxLen)
	el.MaxLength = maxLen
	el.Multiline = id == "description"
	in := slack.NewInputBlock(id, plain(label), nil, el)
	in.Optional = optional
	return in
}

func (b *Bot) typeInput(cfg *domain.Config, typ string) *slack.InputBlock {
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, t := range cfg.Types {
		o := slack.NewOptionBlockObject(t.Name, plain(cut(t.Label, maxOptionText)), nil)
		opts = append(opts, o)
		if t.Name == typ {
			initial = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Type"), "type", opts...)
	sel.InitialOption = initial
	in := slack.NewInputBlock("type", plain("Type"), nil, sel)
	in.DispatchAction = true // redraw the type's own fields when it changes
	return in
}

func priorityInput(cfg *domain.Config, td *domain.TypeDef) *slack.InputBlock {
	def := cfg.DefaultPriority
	if td != nil && td.DefaultPriority != "" {
		def = td.DefaultPriority
	}
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for i := len(cfg.Priorities) - 1; i >= 0; i-- { // most urgent first
		p := cfg.Priorities[i]
		o := slack.NewOptionBlockObject(p, plain(p), nil)
		opts = append(opts, o)
		if p == def {
			initial = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Priority"), "priority", opts...)
	sel.InitialOption = initial
	return slack.NewInputBlock("priority", plain("Priority"), nil, sel)
}

func fieldInput(f *domain.FieldDef) *slack.InputBlock {
	id := "f_" + f.Name
	label := cut(f.Label, 2000)
	if label == "" {
		label = f.Name
	}
	var el slack.BlockElement
	switch f.Kind {
	case domain.FieldEnum:
		var opts []*slack.OptionBlockObject
		for _, o := range f.Options[:min(len(f.Options), 100)] {
			opts = append(opts, slack.NewOptionBlockObject(o, plain(cut(o, maxOptionText)), nil))
		}
		el = slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(label), id, opts...)
	case domain.FieldMulti:
		var opts []*slack.OptionBlockObject
		for _, o := range f.Options[:min(len(f.Options), 100)] {
			opts = append(opts, slack.NewOptionBlockObject(o, plain(cut(o, maxOptionText)), nil))
		}
		el = slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain(label), id, opts...)
	case domain.FieldUser:
		el = slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain(label), id)
	case domain.FieldDate:
		el = slack.NewDatePickerBlockElement(id)
	default:
		// Slack refuses an empty placeholder: a field without a hint has none.
		t := slack.NewPlainTextInputBlockElement(nil, id)
		if f.Hint != "" {
			t.Placeholder = plain(cut(f.Hint, 150))
		}
		t.MaxLength = maxInputValue
		el = t
	}
	in := slack.NewInputBlock(id, plain(label), nil, el)
	in.Optional = true
	return in
}

// inputValue reads one input's value, whatever its element.
func inputValue(values map[string]map[string]slack.BlockAction, id string) string {
	v, ok := values[id][id]
	if !ok {
		return ""
	}
	switch {
	case v.Value != "":
		return v.Value
	case v.SelectedOption.Value != "":
		return v.SelectedOption.Value
	case v.SelectedUser != "":
		return v.SelectedUser
	case v.SelectedDate != "":
		return v.SelectedDate
	case len(v.SelectedOptions) > 0:
		s := ""
		for i, o := range v.SelectedOptions {
			if i > 0 {
				s += ","
			}
			s += o.Value
		}
		return s
	}
	return ""
}

// submitBudget is how long a modal submission may take before its ack:
// Slack gives 3 s; the rest is margin for the network.
const submitBudget = 2 * time.Second

// onViewSubmission handles a modal and acks with its inline errors. If the
// use case runs past the budget the modal is closed and the outcome sent
// by DM, so the submission is never lost to a timeout.
func (b *Bot) onViewSubmission(ctx context.Context, evt socketmode.Event, cb slack.InteractionCallback, start time.Time) {
	cb = cleanInput(cb)
	done := make(chan *slack.ViewSubmissionResponse, 1)
	go func() {
		done <- b.submitView(ctx, cb)
		b.kickOutbox()
	}()
	select {
	case resp := <-done:
		if resp != nil {
			b.ack(evt, resp, start)
		} else {
			b.ack(evt, nil, start) // not resp: a nil pointer in an any is not nil, and would ack "null"
		}
	case <-time.After(submitBudget - time.Since(start)):
		b.ack(evt, nil, start)
		b.log.Warn("bot: modal submission outran its budget; answering by DM", "callback", cb.View.CallbackID)
		if resp := <-done; resp != nil && len(resp.Errors) > 0 {
			var msg string
			for _, e := range resp.Errors {
				msg += "• " + e + "\n"
			}
			b.dm(ctx, cb.User.ID, ":warning: Your form could not be saved:\n"+msg)
		}
	}
}

func (b *Bot) submitView(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	a, err := b.people.actor(ctx, cb.User.ID, "")
	if err != nil {
		return formError("title", err)
	}
	values := cb.View.State.Values
	switch cb.View.CallbackID {
	case cbCreate:
		return b.submitCreate(ctx, a, cb, values)
	case cbLogTime:
		return b.submitLogTime(ctx, a, cb, values)
	case cbEdit:
		return b.submitEdit(ctx, a, cb, values)
	case cbReply:
		return b.submitReply(ctx, a, cb, values)
	case cbNote:
		return b.submitNote(ctx, a, cb, values)
	case cbEditTime:
		return b.submitEditTime(ctx, a, cb)
	case cbStopAt:
		return b.submitStopAt(ctx, a, cb)
	case cbAddCustomer:
		return b.submitAddCustomer(ctx, a, values)
	case cbLinkChannel:
		return b.submitLinkChannel(ctx, a, values)
	case cbSavedReply:
		return b.submitSavedReply(ctx, a, cb, values) // deskcmd_replies.go
	case cbMerge, cbMergeConfirm: // merge.go
		return b.submitMerge(ctx, a, cb, values)
	case cbEscalate:
		return b.submitEscalate(ctx, a, cb, values) // escalate.go
	}
	return nil
}

func (b *Bot) submitCreate(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	pre, err := readPrefill(cb.View.PrivateMetadata)
	if err != nil {
		b.log.Error("bot: create form with unreadable metadata", "err", err)
		return formError("title", domain.Errorf(domain.EINVALID, "This form lost where it came from; open it again."))
	}
	if pre.Channel != "" {
		// Only for a guest nobody could place: a customer's company is
		// their organisation's, wherever they write (people.actor).
		if p, err := b.svc.CustomerByChannel(ctx, pre.Channel); err == nil && p != nil && !a.IsAgent() && a.CustomerID == 0 {
			a.CustomerID = p.ID
		}
	}
	fields := map[string]string{}
	for id := range values {
		if len(id) > 2 && id[:2] == "f_" {
			fields[id[2:]] = inputValue(values, id)
		}
	}
	source := pre.Source
	if source == "" {
		source = domain.SourceModal
	}
	t, err := b.svc.CreateTicket(ctx, a, commands.TicketInput{
		CustomerKey: inputValue(values, "customer"), Title: inputValue(values, "title"),
		Description: inputValue(values, "description"), Type: inputValue(values, "type"),
		Priority: inputValue(values, "priority"), Version: inputValue(values, "version"), Severity: inputValue(values, "severity"),
		AssigneeID: inputValue(values, "assignee"), Fields: fields, Source: source,
		SourceRef: pre.SourceRef, ChannelID: pre.Channel, DedupID: "view:" + cb.View.ID,
	})
	if err != nil && !commands.IsDuplicate(err) {
		return formError(blockFor(err, values), err)
	}
	b.dm(ctx, cb.User.ID, fmt.Sprintf(":white_check_mark: Created *%s* %s — its card is in %s.", t.Key(), escCut(t.Title, 200), channelRef(t.SlackChannel)))
	return nil
}

// blockFor maps an error to the modal input it is about.
func blockFor(err error, values map[string]map[string]slack.BlockAction) string {
	f := domain.ErrorField(err)
	if f == "" && domain.ErrorCode(err) == domain.EFORBIDDEN && values["assignee"] != nil {
		return "assignee"
	}
	for _, id := range []string{f, "f_" + f} {
		if _, ok := values[id]; ok && f != "" {
			return id
		}
	}
	// Errors about no one input go on the form's first, main one: Slack
	// refuses errors for blocks the form does not have.
	for _, id := range []string{"title", "ticket", "key", "duration", "end"} {
		if _, ok := values[id]; ok {
			return id
		}
	}
	ids := slices.Sorted(maps.Keys(values))
	if len(ids) == 0 {
		return "title"
	}
	return ids[0]
}

func formError(block string, err error) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(map[string]string{block: cut(domain.ErrorMessage(err), 2000)})
}

// dm writes to a person directly.
func (b *Bot) dm(ctx context.Context, userID, text string) {
	b.call("dm", func() error {
		ch, _, _, err := b.ui.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
		if err != nil {
			return err
		}
		_, _, err = b.ui.PostMessageContext(ctx, ch.ID, slack.MsgOptionText(text, false))
		return err
	})
}

func (b *Bot) openLogTimeModal(ctx context.Context, userID, triggerID, key string) {
	today, err := b.svc.LocalDate(ctx, b.userLoc(ctx, userID))
	if err != nil {
		b.log.Error("bot: unable to read today's date for the log-time form", "err", err)
		return
	}
	date := slack.NewDatePickerBlockElement("date")
	date.InitialDate = today.Format("2006-01-02")
	billable := slack.NewCheckboxGroupsBlockElement("billable", slack.NewOptionBlockObject("yes", plain("Billable"), nil))
	billable.InitialOptions = []*slack.OptionBlockObject{slack.NewOptionBlockObject("yes", plain("Billable"), nil)}
	billIn := slack.NewInputBlock("billable", plain("Billing"), nil, billable)
	billIn.Optional = true
	blocks := []slack.Block{
		textInput("duration", "Time spent", "", false, 20, "1h30, 90m, 1.5h or 0:45"),
		slack.NewInputBlock("date", plain("Day"), nil, date),
		textInput("note", "What you did", "", true, 500, "Optional note for the timesheet"),
		billIn,
	}
	if key == "" {
		// From the App Home: which ticket is asked in the form.
		blocks = append([]slack.Block{textInput("ticket", "Ticket", "", false, 20, "ACME-42")}, blocks...)
	}
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbLogTime, Title: plain(cut(strings.TrimSpace("Log time "+key), maxModalTitle)),
		Submit: plain("Log"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks}, PrivateMetadata: key,
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

func (b *Bot) submitLogTime(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	loc := b.userLoc(ctx, a.UserID)
	var day time.Time
	if d := inputValue(values, "date"); d != "" {
		var err error
		if day, err = time.ParseInLocation("2006-01-02", d, loc); err != nil {
			return formError("date", domain.FieldErrorf("date", "Pick a day."))
		}
	}
	billable := len(values["billable"]["billable"].SelectedOptions) > 0
	key := cb.View.PrivateMetadata
	if key == "" {
		key = strings.TrimSpace(inputValue(values, "ticket"))
		if !domain.IsKey(key) {
			return formError("ticket", domain.FieldErrorf("ticket", "Write the ticket's key, like ACME-42."))
		}
	}
	_, err := b.svc.LogTime(ctx, a, commands.LogTimeInput{Key: key, Duration: inputValue(values, "duration"),
		Date: day, Note: inputValue(values, "note"), Billable: &billable, Location: loc})
	if err != nil {
		return formError(blockFor(err, values), err)
	}
	return nil
}

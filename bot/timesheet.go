package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Timesheet actions; values carry the time entry id.
const (
	actEntryEdit   = "entry_edit"
	actEntryDelete = "entry_delete"
	cbEditTime     = "edit_time"
	cbStopAt       = "stop_at"
)

// timeWeek answers `/time week [last] [@person]`.
func (b *Bot) timeWeek(ctx context.Context, a domain.Actor, responseURL, args string) {
	weeksBack, user := 0, ""
	for _, w := range strings.Fields(args) {
		if strings.EqualFold(w, "last") {
			weeksBack = 1
		} else if id, ok := userMention(w); ok {
			user = id
		}
	}
	ts, err := b.svc.Timesheet(ctx, a, user, weeksBack, b.userLoc(ctx, a.UserID))
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, "Timesheet, "+ts.Week.Label, timesheetBlocks(ts, user == "" || user == a.UserID)...)
}

func timesheetBlocks(ts *commands.Timesheet, own bool) []slack.Block {
	var b strings.Builder
	b.WriteString("```\n          ")
	for _, d := range ts.Days {
		fmt.Fprintf(&b, "%-6s", d.Format("Mon"))
	}
	b.WriteString(" total")
	for _, r := range ts.Rows {
		fmt.Fprintf(&b, "\n%-10s", cut(r.Key, 10))
		for _, d := range r.Days {
			fmt.Fprintf(&b, "%-6s", cell(d))
		}
		b.WriteString(" " + domain.FormatDuration(r.Total))
	}
	b.WriteString("\n          ")
	for _, d := range ts.DayTotals {
		fmt.Fprintf(&b, "%-6s", cell(d))
	}
	b.WriteString(" " + domain.FormatDuration(ts.Total) + "\n```")
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(cut("Timesheet, "+ts.Week.Label, maxHeaderText))),
		slack.NewSectionBlock(mrkdwn(cut(b.String(), maxSectionText)), nil, nil),
		slack.NewContextBlock("", mrkdwn(fmt.Sprintf("%s logged, %s billable · <@%s>", domain.FormatDuration(ts.Total), domain.FormatDuration(ts.Billable), ts.User))),
	}
	if !own && len(ts.Entries) == 0 {
		return blocks
	}
	// One line per entry with Edit/Delete, as many as the message can hold.
	for i, e := range ts.Entries {
		if len(blocks) >= maxBlocks-1 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…%d more entries: edit them from their day.", len(ts.Entries)-i))))
			break
		}
		id := strconv.FormatInt(e.ID, 10)
		text := fmt.Sprintf("%s · *%s* · %s %s", e.StartedAt.In(ts.Location).Format("Mon 02 15:04"), e.Key(),
			domain.FormatDuration(time.Duration(e.Seconds)*time.Second), escCut(e.Note, 120))
		menu := slack.NewOverflowBlockElement(actEntryEdit+"_menu",
			slack.NewOptionBlockObject(actEntryEdit+"|"+id, plain("Edit"), nil),
			slack.NewOptionBlockObject(actEntryDelete+"|"+id, plain("Delete"), nil))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(text), nil, slack.NewAccessory(menu)))
	}
	return blocks
}

func cell(d time.Duration) string {
	if d == 0 {
		return "·"
	}
	return domain.FormatDuration(d)
}

// onEntryAction handles the timesheet menu and the forgotten-timer DM.
func (b *Bot) onEntryAction(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, act *slack.BlockAction) {
	action, idText := act.ActionID, act.Value
	if act.ActionID == actEntryEdit+"_menu" {
		action, idText, _ = strings.Cut(act.SelectedOption.Value, "|")
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		b.log.Warn("bot: time entry action without an entry id", "action", act.ActionID, "value", idText)
		return
	}
	switch action {
	case actEntryStop:
		e, t, err := b.svc.StopTimerEntry(ctx, a, id, time.Time{})
		if err != nil {
			b.fail(ctx, cb.ResponseURL, err)
			return
		}
		b.reply(ctx, cb.ResponseURL, fmt.Sprintf(":stop_button: Stopped your timer on *%s*: %s logged.", t.Key(), domain.FormatDuration(time.Duration(e.Seconds)*time.Second)))
	case actEntryKeep:
		next, err := b.svc.KeepRunning(ctx, a, id)
		if err != nil {
			b.fail(ctx, cb.ResponseURL, err)
			return
		}
		b.reply(ctx, cb.ResponseURL, fmt.Sprintf("OK, keep going. I'll ask again at %s.", slackDate(next, "{time}")))
	case actEntryStopAt:
		b.openStopAtModal(ctx, cb.TriggerID, idText)
	case actEntryEdit:
		b.openEditTimeModal(ctx, a, cb.TriggerID, id)
	case actEntryDelete:
		e, err := b.svc.DeleteTime(ctx, a, id)
		if err != nil {
			b.fail(ctx, cb.ResponseURL, err)
			return
		}
		b.reply(ctx, cb.ResponseURL, fmt.Sprintf(":wastebasket: Deleted %s of time.", domain.FormatDuration(time.Duration(e.Seconds)*time.Second)))
	}
}

func (b *Bot) openStopAtModal(ctx context.Context, triggerID, entryID string) {
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbStopAt, Title: plain("Stop timer at…"), Submit: plain("Stop"), Close: plain("Cancel"),
		PrivateMetadata: entryID,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			textInput("end", "When did you stop? (today, HH:MM)", "", false, 5, "17:30"),
		}},
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

func (b *Bot) submitStopAt(ctx context.Context, a domain.Actor, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	id, err := metadataID(cb)
	if err != nil {
		b.log.Warn("bot: stop-at form without its entry", "metadata", cb.View.PrivateMetadata, "err", err)
		return formError("end", err)
	}
	end := inputValue(cb.View.State.Values, "end")
	if _, _, err := b.svc.StopTimerEntryAt(ctx, a, id, end, b.userLoc(ctx, a.UserID)); err != nil {
		return formError(blockFor(err, map[string]map[string]slack.BlockAction{"end": nil}), err)
	}
	return nil
}

// metadataID reads the entry id a time form carries in its metadata.
func metadataID(cb slack.InteractionCallback) (int64, error) {
	id, err := strconv.ParseInt(cb.View.PrivateMetadata, 10, 64)
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "This form lost track of its time entry; open it again.")
	}
	return id, nil
}

func (b *Bot) openEditTimeModal(ctx context.Context, a domain.Actor, triggerID string, id int64) {
	e, t, err := b.svc.TimeEntry(ctx, a, id)
	if err != nil {
		b.dm(ctx, a.UserID, ":warning: "+esc(domain.ErrorMessage(err)))
		return
	}
	loc := b.userLoc(ctx, a.UserID)
	date := slack.NewDatePickerBlockElement("date")
	date.InitialDate = e.StartedAt.In(loc).Format("2006-01-02")
	billable := slack.NewCheckboxGroupsBlockElement("billable", slack.NewOptionBlockObject("yes", plain("Billable"), nil))
	if e.Billable {
		billable.InitialOptions = []*slack.OptionBlockObject{slack.NewOptionBlockObject("yes", plain("Billable"), nil)}
	}
	billIn := slack.NewInputBlock("billable", plain("Billing"), nil, billable)
	billIn.Optional = true
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbEditTime, Title: plain("Edit time"), Submit: plain("Save"), Close: plain("Cancel"),
		PrivateMetadata: strconv.FormatInt(id, 10),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			textInput("key", "Ticket", t.Key(), false, 20, "ACME-42"),
			textInput("duration", "Time spent", domain.FormatDuration(time.Duration(e.Seconds)*time.Second), false, 20, "1h30, 90m, 1.5h or 0:45"),
			slack.NewInputBlock("date", plain("Day"), nil, date),
			textInput("note", "What you did", e.Note, true, 500, "Optional note for the timesheet"),
			billIn,
		}},
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

func (b *Bot) submitEditTime(ctx context.Context, a domain.Actor, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	values := cb.View.State.Values
	id, err := metadataID(cb)
	if err != nil {
		b.log.Warn("bot: edit-time form without its entry", "metadata", cb.View.PrivateMetadata, "err", err)
		return formError("duration", err)
	}
	loc := b.userLoc(ctx, a.UserID)
	day, err := time.ParseInLocation("2006-01-02", inputValue(values, "date"), loc)
	if err != nil {
		return formError("date", domain.FieldErrorf("date", "Pick a day."))
	}
	note := inputValue(values, "note")
	billable := len(values["billable"]["billable"].SelectedOptions) > 0
	_, err = b.svc.EditTime(ctx, a, commands.EditTimeInput{EntryID: id, Key: inputValue(values, "key"), Date: day,
		Duration: inputValue(values, "duration"), Note: &note, Billable: &billable, Location: loc})
	if err != nil {
		return formError(blockFor(err, values), err)
	}
	return nil
}

// timeToday answers bare `/time`: the running timer and today's entries.
func (b *Bot) timeToday(ctx context.Context, a domain.Actor, responseURL string) {
	loc := b.userLoc(ctx, a.UserID)
	d, err := b.svc.Today(ctx, a, loc)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	var lines []string
	if d.Running != nil {
		lines = append(lines, fmt.Sprintf(":stopwatch: Running on *%s* %s since %s (%s so far).", d.RunningTicket.Key(), escCut(d.RunningTicket.Title, 150),
			slackDate(d.Running.StartedAt, "{time}"), domain.FormatDuration(d.Running.Duration(d.Now))))
	} else {
		lines = append(lines, "No timer running. Start one with `/time start ACME-42` or a card's button.")
	}
	for _, e := range d.Entries {
		lines = append(lines, fmt.Sprintf("• %s *%s* %s %s", e.StartedAt.In(loc).Format("15:04"), e.Key(),
			domain.FormatDuration(time.Duration(e.Seconds)*time.Second), escCut(e.Note, 100)))
	}
	lines = append(lines, fmt.Sprintf("*Today: %s logged.* `/time week` shows the week.", domain.FormatDuration(d.Logged)))
	b.reply(ctx, responseURL, cut(strings.Join(lines, "\n"), maxMessageText))
}

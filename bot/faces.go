package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A ticket has two faces. Where its customer reads — the customer's own
// channel, or any channel shared with another organisation (Slack
// Connect) — the card and its thread show the customer's face: the status
// in their words, priority, the assignee's name, the SLA promise; no
// timers, time logged, internal links, agents' mentions or alerts. Agents
// get the working face privately: the card's "Agent actions" button shows
// it to them alone with every control, SLA warnings go to the assignee's
// (or on-call agents') DMs and to the escalation channel (else the triage
// channel) instead of the customer's thread, and timers only ever speak
// in DMs.

// actWork opens the working face of a card, for the agent who clicks.
const actWork = "work"

// sharedChannels caches whether channels are shared with another
// organisation (conversations.info), which changes rarely.
type sharedChannels struct {
	mu sync.Mutex
	m  map[string]sharedAt
}

type sharedAt struct {
	shared bool
	at     time.Time
}

// channelShared tells whether people from outside the workspace read the
// channel. When Slack cannot say, it is taken as shared: a customer must
// never read our working face by mistake.
func (b *Bot) channelShared(ctx context.Context, channel string) bool {
	shared, err := b.channelSharedOrErr(ctx, channel)
	if err != nil {
		b.log.Warn("bot: unable to tell whether a channel is shared; taken as shared", "channel", channel, "err", err)
		return true
	}
	return shared
}

// channelSharedOrErr is channelShared saying when it cannot tell, for a
// delivery that would rather wait (its retry) than act on a guess.
func (b *Bot) channelSharedOrErr(ctx context.Context, channel string) (bool, error) {
	b.shared.mu.Lock()
	c, ok := b.shared.m[channel]
	b.shared.mu.Unlock()
	if ok && time.Since(c.at) < peopleTTL {
		return c.shared, nil
	}
	return b.lookUpShared(ctx, channel)
}

// lookUpShared asks Slack whether channel is shared, and remembers it.
func (b *Bot) lookUpShared(ctx context.Context, channel string) (bool, error) {
	info, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	if err != nil {
		return false, err
	}
	shared := info.IsExtShared
	b.shared.mu.Lock()
	if b.shared.m == nil {
		b.shared.m = map[string]sharedAt{}
	}
	b.shared.m[channel] = sharedAt{shared, time.Now()}
	b.shared.mu.Unlock()
	return shared, nil
}

// customerFacing tells whether the ticket's customer reads channel: it is
// their channel, or shared with another organisation.
func (b *Bot) customerFacing(ctx context.Context, p *domain.Customer, channel string) bool {
	if channel == "" {
		return false
	}
	if p != nil && p.ChannelID == channel && p.Key != commands.TriageKey {
		return true
	}
	return b.channelShared(ctx, channel)
}

// internalNotice reports notices that are ours, never the customer's.
func internalNotice(notice string) bool {
	switch notice {
	case commands.NoticeSLAWarning, commands.NoticeSLASummary, commands.NoticeSLABreach, commands.NoticeEmailFailed:
		return true
	}
	return commands.TrackerNotice(notice) // engineering's words and issue states
}

// internalPlace is where an internal notice meant for a ticket's thread
// goes when the customer reads that thread: the escalation channel, else
// the triage channel; "" when there is neither (the DMs still tell).
func (b *Bot) internalPlace() string {
	if ch := b.svc.Config().SLA.EscalationChannel; ch != "" {
		return ch
	}
	return b.svc.TriageChannel()
}

// notePrefix is what starts an internal note in a customer's thread.
func (b *Bot) notePrefix() string {
	if p := b.svc.Config().Slack.NotePrefix; p != "" {
		return p
	}
	return "//"
}

// asNote reports whether an agent's thread reply is an internal note,
// and the note without its prefix.
func (b *Bot) asNote(text string) (string, bool) {
	body, ok := strings.CutPrefix(strings.TrimSpace(text), b.notePrefix())
	return strings.TrimSpace(body), ok && strings.TrimSpace(body) != ""
}

// keepNote records an agent's prefixed reply in a customer's thread as an
// internal note and tells the author, privately, what became of it. Slack
// lets a bot token delete only the bot's own messages (chat.delete), so
// the reply stays in the shared thread until its author deletes it.
func (b *Bot) keepNote(ctx context.Context, a domain.Actor, t *domain.Ticket, channel, thread, ts, body string) {
	_, err := b.svc.Comment(ctx, a, t.Key(), commands.CommentInput{Body: body, SourceRef: "note:" + ts})
	text := "Kept as an internal note on *" + t.Key() + "*. The customer can still read your reply here: " +
		"Slack lets deskbot delete only its own messages, so delete yours (⋯ → Delete message); the note stays."
	switch {
	case domain.ErrorCode(err) == domain.ECONFLICT:
		return // a redelivery: told already
	case err != nil:
		text = ":warning: I could not keep that as an internal note: " + esc(domain.ErrorMessage(err))
	}
	if _, err := b.api.PostEphemeralContext(ctx, channel, a.UserID, slack.MsgOptionText(text, false), slack.MsgOptionTS(thread)); err != nil {
		b.log.Warn("bot: unable to tell the author of a note", "ticket", t.Key(), "err", err)
	}
}

// openWork shows the working face of a card to the agent who clicked.
func (b *Bot) openWork(ctx context.Context, a domain.Actor, responseURL, key string) {
	if !a.IsAgent() {
		b.fail(ctx, responseURL, domain.Errorf(domain.EFORBIDDEN, "Only support agents can work on tickets. Reply in the thread to add to this one."))
		return
	}
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	v, err := b.svc.CardFor(ctx, a, t.ID)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	v.CustomerThread = b.customerThread(ctx, t)
	b.reply(ctx, responseURL, cardText(t), cardBlocks(b.svc.Config(), v)...)
}

// customerOfChannel is the customer whose channel this is, or nil.
func (b *Bot) customerOfChannel(ctx context.Context, channel string) *domain.Customer {
	p, err := b.svc.CustomerByChannel(ctx, channel)
	if err != nil {
		return nil
	}
	return p
}

// personName is how a card names someone to customers: their name, never
// a mention. "" when unknown.
func (b *Bot) personName(ctx context.Context, userID string) string {
	if userID == "" {
		return ""
	}
	// A name is not worth holding a card for: a replica started cold
	// queues its users.info calls one at a time behind 429s, and the
	// dispatcher (one per cluster) would wait with every channel's posts.
	ctx, cancel := context.WithTimeout(ctx, nameWait)
	defer cancel()
	u, err := b.people.user(ctx, userID)
	if err != nil {
		return "our support team"
	}
	return firstNonEmpty(u.RealName, u.Name)
}

// nameWait bounds a name's look-up for a rendering.
const nameWait = 2 * time.Second

// The working face's Internal note button: a modal whose text is kept as
// an internal note, never posted where the customer reads.
const (
	actNote = "note"
	cbNote  = "internal_note"
)

func (b *Bot) openNoteModal(ctx context.Context, a domain.Actor, responseURL, triggerID, key string) {
	if !a.IsAgent() {
		b.fail(ctx, responseURL, domain.Errorf(domain.EFORBIDDEN, "Only support agents can write internal notes."))
		return
	}
	t, err := b.svc.Ticket(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	body := slack.NewPlainTextInputBlockElement(plain("For agents only: the customer never sees it"), "body")
	body.Multiline = true
	body.MaxLength = maxInputValue
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbNote, Title: plain(cut("Internal note", maxModalTitle)),
		Submit: plain("Save"), Close: plain("Cancel"), PrivateMetadata: t.Key(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("about", mrkdwn(fmt.Sprintf("*%s* %s", t.Key(), escCut(t.Title, 200)))),
			slack.NewInputBlock("body", plain("Note"), nil, body),
		}},
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, triggerID, view); return err })
}

func (b *Bot) submitNote(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	// The view id makes a resubmission keep one note.
	_, err := b.svc.Comment(ctx, a, cb.View.PrivateMetadata, commands.CommentInput{Body: inputValue(values, "body"), SourceRef: "view:" + cb.View.ID})
	if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		return formError("body", err)
	}
	return nil
}

// face words lists of tickets for their reader, as the cards do: the
// working face for agents; for customers (a result read in a customer's
// scope) the customer's face — the status in their words, the assignee
// by name, what we promised instead of our alert levels, no controls.
type face struct {
	customer bool
	names    map[string]string // assignee → name, on the customer's face
	digest   bool              // a digest: an agent's view, posted
}

// faceOf is the face r is shown with, its assignees' names looked up
// (from the people cache) when it is the customer's.
func (b *Bot) faceOf(ctx context.Context, r *commands.ViewResult) face {
	f := face{customer: r != nil && r.Customer, names: map[string]string{}}
	if !f.customer {
		return f
	}
	name := func(id string) {
		if _, ok := f.names[id]; id != "" && !ok {
			f.names[id] = b.personName(ctx, id)
		}
	}
	for _, t := range r.Tickets {
		name(t.AssigneeID)
	}
	for _, t := range r.Related {
		name(t.AssigneeID)
	}
	if r.Group == "assignee" {
		for _, g := range r.Groups {
			name(g.Key)
		}
	}
	return f
}

func (f face) status(cfg *domain.Config, s string) string {
	if f.customer {
		return cfg.CustomerStatusLabel(s)
	}
	return cfg.StatusLabel(s)
}

// person names an assignee: a mention for agents, a name for customers.
func (f face) person(id string) string {
	switch {
	case !f.customer:
		return userRef(id)
	case id == "":
		return "_not assigned yet_"
	}
	return escCut(firstNonEmpty(f.names[id], "our support team"), 100)
}

// mark is a row's SLA mark: our alert level for agents, the promise for
// customers.
func (f face) mark(r *commands.ViewResult, t *domain.Ticket) string {
	if f.customer {
		return promiseMark(t)
	}
	return slaMark(r, t)
}

// promiseMark is what we promised a customer on a ticket: the public due
// date, else the SLA deadline; "" when neither.
func promiseMark(t *domain.Ticket) string {
	switch {
	case t.DueAt != nil && t.DuePublic:
		return "due " + slackDate(*t.DueAt, "{date_short_pretty} {time}")
	case t.SLADeadline != nil:
		return "promised by " + slackDate(*t.SLADeadline, "{date_short_pretty} {time}")
	}
	return ""
}

var mentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)(\|[^>]*)?>`)

// namesNotMentions writes the people a text mentions by name, for where
// a customer reads: the customer's face names agents, never pings them.
func (b *Bot) namesNotMentions(ctx context.Context, text string) string {
	return mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		id := mentionRE.FindStringSubmatch(m)[1]
		return escCut(firstNonEmpty(b.personName(ctx, id), "our support team"), 100)
	})
}

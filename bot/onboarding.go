package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The first hour: an admin's Home lists the steps a fresh workspace still
// lacks, each a button opening the modal that does it; agents are told
// once, in a DM, what deskbot can do.
const (
	actOnboardCustomer = "onboard_customer"
	actOnboardLink     = "onboard_link"
	actOnboardTicket   = "onboard_ticket"
	cbAddCustomer      = "add_customer"
	cbLinkChannel      = "link_channel"
)

// agentIntro is the DM, five lines with the commands.
const agentIntro = ":wave: I'm deskbot, the helpdesk in this workspace. Five things to start with:\n" +
	"• `/ticket Login fails !high #acme` opens a ticket (alone, `/ticket` opens the form); `/ticket list mine` lists yours.\n" +
	"• React with :%s: to any message, or use its *Create ticket* shortcut, to turn it into a ticket.\n" +
	"• Answer in a ticket card's thread; its buttons assign, start a timer, change the status, edit.\n" +
	"• `/time start ACME-42`, `/time stop`, `/time log ACME-42 1h30 note`; `/time report this-week` for totals.\n" +
	"• `/desk help` for customers, SLAs and saved views; this app's Home shows your queue and timer."

// introduce tells an agent, once, what deskbot can do.
func (b *Bot) introduce(ctx context.Context, a domain.Actor) {
	if !a.IsAgent() || !b.people.firstSight(a.UserID) {
		return
	}
	if err := b.svc.IntroduceAgent(ctx, a); err != nil {
		b.log.Warn("bot: unable to introduce deskbot", "user", a.UserID, "err", err)
		return
	}
	b.kickOutbox()
}

// firstSight reports whether this process sees a person for the first
// time: the database is asked once per person, not on every command.
func (p *people) firstSight(userID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	if p.seen[userID] {
		return false
	}
	p.seen[userID] = true
	return true
}

// onboardingBlocks are the steps left, each with its button; none when
// all are done (or for anyone but an admin).
func onboardingBlocks(o *commands.Onboarding) []slack.Block {
	if o == nil || o.Done() {
		return nil
	}
	step := func(done bool, n int, text, action, label string) slack.Block {
		if done {
			return slack.NewContextBlock("", mrkdwn(fmt.Sprintf(":white_check_mark: ~%d. %s~", n, text)))
		}
		return slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%d.* %s", n, text)), nil,
			slack.NewAccessory(slack.NewButtonBlockElement(action, action, plain(label)).WithStyle(slack.StylePrimary)))
	}
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn("*Getting started.* Tickets work already — without a customer they go to TRIAGE. Three steps make them land where they belong:"), nil, nil),
		step(o.Customer, 1, "Add a customer: a key (ACME) and a name.", actOnboardCustomer, "Add a customer"),
		step(o.Channel, 2, "Link their channel (a Slack Connect channel works): their messages become tickets and cards show there.", actOnboardLink, "Link a channel"),
		step(o.Ticket, 3, "Try it: `/ticket Login fails #acme`, or the form.", actOnboardTicket, "Create a ticket"),
		slack.NewDividerBlock(),
	}
}

// onOnboardAction opens the modal of a step.
func (b *Bot) onOnboardAction(ctx context.Context, a domain.Actor, cb slack.InteractionCallback, action string) {
	var view slack.ModalViewRequest
	switch action {
	case actOnboardTicket:
		b.openCreateModal(ctx, a, cb.TriggerID, createPrefill{Source: domain.SourceModal})
		return
	case actOnboardCustomer:
		view = slack.ModalViewRequest{Type: slack.VTModal, CallbackID: cbAddCustomer, Title: plain("Add a customer"),
			Submit: plain("Add"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: []slack.Block{
				textInput("name", "Name", "", false, 80, "Acme Corp"),
				textInput("key", "Key", "", false, 10, "ACME: 2 to 10 capitals or digits, the prefix of its tickets"),
				textInput("domains", "Email domains", "", true, 200, "acme.com, acme.io: their mail and people are theirs"),
			}}}
	case actOnboardLink:
		customers, err := b.svc.Customers(ctx, a)
		if err != nil {
			b.log.Warn("bot: onboarding customers", "err", err)
			return
		}
		var opts []*slack.OptionBlockObject
		for _, p := range customers {
			if p.Key != commands.TriageKey && len(opts) < 100 {
				opts = append(opts, slack.NewOptionBlockObject(p.Key, plain(cut(p.Key+" — "+p.Name, maxOptionText)), nil))
			}
		}
		if len(opts) == 0 {
			b.dm(ctx, a.UserID, "Add a customer first: the Home's first step.")
			return
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a customer"), "customer", opts...)
		ch := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Choose their channel"), "channel")
		view = slack.ModalViewRequest{Type: slack.VTModal, CallbackID: cbLinkChannel, Title: plain("Link a channel"),
			Submit: plain("Link"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewInputBlock("customer", plain("Customer"), nil, sel),
				slack.NewInputBlock("channel", plain("Their channel"), plain("Invite @deskbot there too, so it can post."), ch),
			}}}
	default:
		return
	}
	b.call("views.open", func() error { _, err := b.ui.OpenViewContext(ctx, cb.TriggerID, view); return err })
}

func (b *Bot) submitAddCustomer(ctx context.Context, a domain.Actor, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	name, key := inputValue(values, "name"), strings.ToUpper(inputValue(values, "key"))
	opts := map[string]string{}
	if d := inputValue(values, "domains"); d != "" {
		opts["domains"] = d
	}
	p, err := b.svc.AddCustomer(ctx, a, key, name, opts)
	if err != nil {
		block := "key"
		if f := domain.ErrorField(err); f == "domains" || f == "name" {
			block = f
		}
		return formError(block, err)
	}
	b.dm(ctx, a.UserID, fmt.Sprintf(":white_check_mark: Customer *%s* (%s) added. Next, link their channel from your Home, or run `/desk customer link %s` in it.", p.Key, esc(p.Name), p.Key))
	b.redrawHome(ctx, a.UserID)
	return nil
}

func (b *Bot) submitLinkChannel(ctx context.Context, a domain.Actor, values map[string]map[string]slack.BlockAction) *slack.ViewSubmissionResponse {
	channel := values["channel"]["channel"].SelectedConversation
	p, err := b.svc.LinkChannel(ctx, a, inputValue(values, "customer"), channel)
	if err != nil {
		return formError("customer", err)
	}
	b.dm(ctx, a.UserID, fmt.Sprintf(":link: <#%s> is now *%s*'s: their messages there become tickets and their cards show there. Invite me there if I am not in it yet.", channel, esc(p.Name)))
	b.redrawHome(ctx, a.UserID)
	return nil
}

// redrawHome publishes a person's Home now, past the debounce, on a
// worker of its own: after an admin's step the steps left show at once,
// and the modal's ack does not wait on it.
func (b *Bot) redrawHome(ctx context.Context, userID string) {
	b.work(ctx, "home", func(ctx context.Context) { b.publishHomeNow(ctx, userID) })
}

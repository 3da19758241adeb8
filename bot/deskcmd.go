package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

const deskHelp = "*`/desk`* — customers, versions, rules and admin\n" +
	"• `/desk customers` lists customers; `/desk customer show ACME` shows one: contract, versions, open tickets, satisfaction.\n" +
	"• `/desk customer add ACME Acme Corp` adds a customer (key, then name), with any of `channel=#acme-support domains=acme.com,acme.io tz=Europe/Paris sla=gold rate=120 tier=gold version=4.2.1 rounding=15m minimum=30m`.\n" +
	"• `/desk customer edit ACME tier=silver name=\"Acme Inc\"` changes any of those.\n" +
	"• `/desk customer link ACME` run in a channel: makes it ACME's channel; their messages there become tickets.\n" +
	"• `/desk customer ACME version 4.2.1 [2026-11-02]` records that ACME upgraded, today or on that day; their new tickets take it.\n" +
	"• `/desk release 4.2.2` registers a release; `/desk release 4.2.2 fixes ACME-42 GLOBEX-7` also resolves those tickets and tells each customer in the ticket's thread. With issue trackers configured, `/desk release 4.2.2` also resolves the tickets whose engineering issue closed with milestone 4.2.2 (or label `release:4.2.2`).\n" +
	"• `/desk versions [weeks]` shows open and incoming tickets per version.\n" +
	"• `/desk link ACME-1 blocks ACME-2`: ACME-2 cannot start nor be resolved before ACME-1 is (`parent` instead of `blocks` makes ACME-1 its parent; `/desk link ACME-7 follows ACME-2` records that ACME-7 follows up ACME-2).\n" +
	"• `/desk types` shows ticket types, their workflows and fields.\n" +
	"• `/desk automations` lists the rules; `/desk automations test ACME-42` shows which would fire on ACME-42 and why.\n" +
	"• `/desk config reload` (admins) puts the edited config file in force; a file with problems is refused and the old config stays.\n" +
	"• `/desk sla ACME-42` explains a ticket's SLA clocks; `/desk sla report [customer] [period]` shows compliance.\n" +
	"• " + apiHelp + "\n" +
	"• " + webhookHelp + "\n" +
	"• " + replyHelp + "\n" +
	"• " + tagHelp + "\n" +
	"• `/desk view save \"Name\" <query>`, `/desk view list|run|pin|digest …` — saved views, App Home dashboards and scheduled digests."

func (b *Bot) deskCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand) {
	word, rest := firstWord(cmd.Text)
	switch word {
	case "", "help":
		b.reply(ctx, cmd.ResponseURL, deskHelp)
	case "customers":
		b.listCustomers(ctx, a, cmd.ResponseURL)
	case "customer":
		b.customerCommand(ctx, a, cmd, rest)
	case "release":
		b.releaseCommand(ctx, a, cmd.ResponseURL, rest)
	case "versions":
		b.versionsCommand(ctx, a, cmd.ResponseURL, rest)
	case "link":
		b.linkCommand(ctx, a, cmd.ResponseURL, rest)
	case "automations", "automation", "rules":
		b.automationsCommand(ctx, a, cmd.ResponseURL, rest)
	case "config":
		b.configCommand(ctx, a, cmd.ResponseURL, rest)
	case "sla":
		b.slaCommand(ctx, a, cmd.ResponseURL, rest)
	case "view", "views":
		b.viewCommand(ctx, a, cmd, rest)
	case "types":
		b.reply(ctx, cmd.ResponseURL, typesText(b.svc.Config()))
	case "api":
		b.apiCommand(ctx, a, cmd.ResponseURL, rest)
	case "webhook", "webhooks":
		b.webhookCommand(ctx, a, cmd.ResponseURL, rest)
	case "reply", "replies":
		b.replyCommand(ctx, a, cmd, rest) // deskcmd_replies.go
	case "tag", "tags":
		b.tagCommand(ctx, a, cmd.ResponseURL, rest) // deskcmd_tags.go
	default:
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("I don't know `/desk %s`.\n%s", esc(word), deskHelp))
	}
}

func (b *Bot) customerCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, text string) {
	sub, rest := firstWord(text)
	words, opts := splitOptions(rest)
	key := ""
	if len(words) > 0 {
		key = words[0]
	}
	var p *domain.Customer
	var err error
	switch sub {
	case "add":
		if key == "" {
			b.reply(ctx, cmd.ResponseURL, "Give a key and a name: `/desk customer add ACME Acme Corp`.")
			return
		}
		if p, err = b.svc.AddCustomer(ctx, a, key, strings.Join(words[1:], " "), opts); err == nil {
			hint := fmt.Sprintf(" In their channel, run `/desk customer link %s`.", p.Key)
			if p.ChannelID != "" {
				hint = " Their channel is <#" + p.ChannelID + ">: invite me there."
			}
			b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":white_check_mark: Customer *%s* (%s) added.%s", p.Key, esc(p.Name), hint))
		}
	case "edit":
		if p, err = b.svc.EditCustomer(ctx, a, key, opts); err == nil {
			b.reply(ctx, cmd.ResponseURL, ":white_check_mark: Saved.\n"+customerText(&commands.CustomerView{Customer: p}, false))
		}
	case "show":
		var v *commands.CustomerView
		if v, err = b.svc.Customer(ctx, a, key); err == nil {
			b.reply(ctx, cmd.ResponseURL, customerText(v, true))
		}
	case "link":
		if p, err = b.svc.LinkChannel(ctx, a, key, cmd.ChannelID); err == nil {
			b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":link: This channel is now *%s*'s: tickets show here, and their messages become tickets.", esc(p.Name)))
		}
	default:
		// /desk customer ACME version 4.2.1 [2026-11-02]
		what, args := firstWord(rest)
		if sub == "" || what != "version" {
			b.reply(ctx, cmd.ResponseURL, deskHelp)
			return
		}
		b.customerVersion(ctx, a, cmd.ResponseURL, sub, args)
		return
	}
	if err != nil {
		b.fail(ctx, cmd.ResponseURL, err)
	}
}

func (b *Bot) customerVersion(ctx context.Context, a domain.Actor, responseURL, key, args string) {
	version, date := firstWord(args)
	var since time.Time
	if date != "" {
		var err error
		if since, err = time.Parse("2006-01-02", date); err != nil {
			b.fail(ctx, responseURL, domain.Errorf(domain.EINVALID, "%q is not a day like 2026-11-02.", date))
			return
		}
	}
	p, err := b.svc.SetCustomerVersion(ctx, a, key, version, since)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	when := "today"
	if !since.IsZero() {
		when = "on " + since.Format("2006-01-02")
	}
	b.reply(ctx, responseURL, fmt.Sprintf(":arrow_up: Recorded: *%s* moved to %s %s. They run %s now; their new tickets take it.",
		esc(p.Name), esc(strings.TrimPrefix(version, "v")), when, esc(p.CurrentVersion)))
}

// splitOptions separates key=value options (quoted values may hold
// spaces: name="Acme Inc") from the other words.
func splitOptions(text string) ([]string, map[string]string) {
	var words []string
	opts := map[string]string{}
	for _, tok := range tokens(text) {
		if k, v, ok := strings.Cut(tok, "="); ok && k != "" && !strings.ContainsAny(k, "<#@") {
			opts[strings.ToLower(k)] = plainID(v) // channel=<#C123|acme> is C123
			continue
		}
		words = append(words, tok)
	}
	return words, opts
}

// tokens splits on spaces outside double quotes (straight or curly, as
// Slack's clients may send), dropping the quotes.
func tokens(text string) []string {
	var out []string
	var cur strings.Builder
	quoted, started := false, false
	for _, r := range text {
		switch {
		case r == '"' || r == '“' || r == '”':
			quoted, started = !quoted, true
		case (r == ' ' || r == '\t' || r == '\n') && !quoted:
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

func customerText(v *commands.CustomerView, full bool) string {
	p := v.Customer
	lines := []string{fmt.Sprintf("*%s* — %s", p.Key, esc(p.Name))}
	var facts []string
	add := func(label, value string) {
		if value != "" {
			facts = append(facts, label+" "+value)
		}
	}
	if p.ChannelID != "" {
		add("channel", "<#"+p.ChannelID+">")
	}
	add("domains", esc(strings.ReplaceAll(p.EmailDomains, ",", ", ")))
	add("time zone", esc(p.TimeZone))
	add("SLA", esc(firstNonEmpty(p.SLAPolicy, "default")))
	add("tier", esc(p.Tier))
	if p.HourlyRate > 0 {
		add("rate", domain.FormatCents(p.HourlyRate)+"/h")
	}
	add("version", esc(p.CurrentVersion))
	if p.BillingRoundMinutes > 0 {
		add("rounding", domain.FormatDuration(time.Duration(p.BillingRoundMinutes)*time.Minute))
	}
	if p.BillingMinMinutes > 0 {
		add("minimum", domain.FormatDuration(time.Duration(p.BillingMinMinutes)*time.Minute)+" per ticket")
	}
	lines = append(lines, strings.Join(facts, " · "))
	if !full {
		return strings.Join(lines, "\n")
	}
	lines = append(lines, fmt.Sprintf("%d open tickets", v.Open))
	if s := v.Satisfaction; s.Count > 0 {
		lines = append(lines, fmt.Sprintf("Satisfaction %.1f/%d over %d answers", s.Average, domain.SurveyScale, s.Count))
	}
	if len(v.Versions) > 0 {
		var hist []string
		from := max(len(v.Versions)-10, 0)
		for _, vc := range v.Versions[from:] {
			hist = append(hist, fmt.Sprintf("%s since %s", esc(vc.Version), vc.Since.Format("2006-01-02")))
		}
		lines = append(lines, "Versions: "+strings.Join(hist, " → "))
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) listCustomers(ctx context.Context, a domain.Actor, responseURL string) {
	ps, err := b.svc.Customers(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(ps) == 0 {
		b.reply(ctx, responseURL, "No customers yet. Add one with `/desk customer add ACME Acme Corp`.")
		return
	}
	lines := []string{fmt.Sprintf("*%d customers*", len(ps))}
	for i, p := range ps {
		if i == 40 {
			lines = append(lines, fmt.Sprintf("…and %d more", len(ps)-40))
			break
		}
		line := fmt.Sprintf("• *%s* %s", p.Key, esc(p.Name))
		if p.ChannelID != "" {
			line += " · <#" + p.ChannelID + ">"
		}
		if p.Tier != "" {
			line += " · " + esc(p.Tier)
		}
		if p.CurrentVersion != "" {
			line += " · v" + esc(p.CurrentVersion)
		}
		lines = append(lines, line)
	}
	b.reply(ctx, responseURL, strings.Join(lines, "\n"))
}

// linkCommand: /desk link ACME-1 blocks ACME-2, parent, or follows.
func (b *Bot) linkCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	f := strings.Fields(text)
	if len(f) != 3 {
		b.reply(ctx, responseURL, "Say `/desk link ACME-1 blocks ACME-2` (or `parent`, or `follows`).")
		return
	}
	from, kind, to := strings.ToUpper(f[0]), strings.ToLower(f[1]), strings.ToUpper(f[2])
	if kind == "follows" {
		kind = domain.LinkFollowUp
	}
	if err := b.svc.Link(ctx, a, from, kind, to); err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	switch kind {
	case domain.LinkBlocks:
		b.reply(ctx, responseURL, fmt.Sprintf(":link: *%s* blocks *%s*: %s cannot start nor be resolved before %s is.", esc(from), esc(to), esc(to), esc(from)))
	case domain.LinkFollowUp:
		b.reply(ctx, responseURL, fmt.Sprintf(":link: *%s* follows up *%s*; both cards say so.", esc(from), esc(to)))
	default:
		b.reply(ctx, responseURL, fmt.Sprintf(":link: *%s* is now the parent of *%s*.", esc(from), esc(to)))
	}
}

func (b *Bot) configCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	if sub, _ := firstWord(text); sub != "reload" {
		b.reply(ctx, responseURL, "Say `/desk config reload` to put the edited config file in force.")
		return
	}
	cfg, err := b.svc.ReloadConfig(ctx, a)
	if err != nil {
		b.reply(ctx, responseURL, ":warning: "+cut(esc(domain.ErrorMessage(err)), maxMessageText-20))
		return
	}
	b.reply(ctx, responseURL, fmt.Sprintf(":arrows_counterclockwise: Reloaded %s: %d types, %d statuses, %d fields, %d automations, %d SLA policies.",
		esc(cfg.Source), len(cfg.Types), len(cfg.Statuses), len(cfg.Fields), len(cfg.Automations), len(cfg.PolicyNames())))
}

func typesText(cfg *domain.Config) string {
	var lines []string
	for _, t := range cfg.Types {
		wf := cfg.Workflows[t.Workflow]
		head := fmt.Sprintf("*%s* (`%s`) · workflow `%s`", esc(t.Label), t.Name, esc(t.Workflow))
		if len(t.Fields) > 0 {
			head += " · fields: " + esc(strings.Join(t.Fields, ", "))
		}
		lines = append(lines, head)
		var moves, needs, paused []string
		for _, s := range cfg.WorkflowStatuses(wf) {
			if next := wf.Next(s); len(next) > 0 {
				moves = append(moves, fmt.Sprintf("%s → %s", s, strings.Join(next, ", ")))
			}
			if cfg.PausesSLAFor(t.Name, s) {
				paused = append(paused, cfg.StatusLabel(s))
			}
		}
		for _, tr := range wf.Transitions {
			if len(tr.Requires) > 0 {
				needs = append(needs, fmt.Sprintf("%s to reach %s", strings.Join(tr.Requires, ", "), strings.Join(tr.To, ", ")))
			}
		}
		lines = append(lines, "  "+esc(strings.Join(moves, " · ")))
		if len(needs) > 0 {
			lines = append(lines, "  needs "+esc(strings.Join(needs, "; ")))
		}
		if len(paused) > 0 {
			lines = append(lines, "  SLA paused while "+esc(strings.Join(paused, ", ")))
		}
	}
	var started []string
	for _, s := range cfg.Statuses {
		if s.Started {
			started = append(started, s.Label)
		}
	}
	if len(started) > 0 {
		lines = append(lines, fmt.Sprintf("_A blocked ticket cannot move to %s nor be resolved before its blockers are._", esc(strings.Join(started, ", "))))
	}
	return strings.Join(lines, "\n")
}

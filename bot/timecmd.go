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

const timeHelp = "*`/time`* — timers and timesheets\n" +
	"• `/time` shows your running timer and what you logged today.\n" +
	"• `/time start ACME-42` starts your timer (and stops the one running).\n" +
	"• `/time stop` stops it.\n" +
	"• `/time log ACME-42 1h30 what you did` logs time after the fact: 1h30, 90m, 1.5h, 0:45.\n" +
	"• `/time week [last] [@person]` shows a week's timesheet, with Edit and Delete on each entry.\n" +
	"• `/time report acme last-month` (this-week, 2026-10, 2026-10-01..2026-10-15; the current month when left out): totals, amounts and a CSV for invoicing. `/time report this-week` covers every customer.\n" +
	"• `/time lock acme 2026-10` / `/time unlock acme 2026-10` (agent leads): an invoiced month can no longer change."

// timeCommand runs /time. envelope makes `/time log` idempotent: an input
// taken again after a crash logs nothing twice.
func (b *Bot) timeCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand, envelope string) {
	word, rest := firstWord(cmd.Text)
	switch word {
	case "":
		b.timeToday(ctx, a, cmd.ResponseURL)
	case "week":
		b.timeWeek(ctx, a, cmd.ResponseURL, rest)
	case "report":
		b.timeReport(ctx, a, cmd, rest)
	case "lock", "unlock":
		key, month := firstWord(rest)
		if key == "" || month == "" {
			b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("Write it like `/time %s acme 2026-10`.", word))
			return
		}
		var err error
		if word == "lock" {
			_, err = b.svc.LockPeriod(ctx, a, key, month)
		} else {
			err = b.svc.UnlockPeriod(ctx, a, key, month)
		}
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":lock: %s %sed for %s.", esc(month), word, esc(strings.ToUpper(key))))
	case "help":
		b.reply(ctx, cmd.ResponseURL, timeHelp)
	case "start":
		b.startTimer(ctx, a, cmd.ResponseURL, strings.TrimSpace(rest))
	case "stop":
		b.stopTimer(ctx, a, cmd.ResponseURL)
	case "log":
		key, rest := firstWord(rest)
		dur, note := firstWord(rest)
		if !domain.IsKey(key) || dur == "" {
			msg := "Write it like `/time log ACME-42 1h30 what you did`."
			switch {
			case key != "" && !domain.IsKey(key):
				msg = fmt.Sprintf("I read `%s` as the ticket, but a ticket key looks like ACME-42. %s", esc(key), msg)
			case key != "":
				msg = fmt.Sprintf("I read `%s` as the ticket, and no time after it. %s", esc(key), msg)
			}
			b.reply(ctx, cmd.ResponseURL, msg)
			return
		}
		e, err := b.svc.LogTime(ctx, a, commands.LogTimeInput{Key: key, Duration: dur, Note: note, Location: b.userLoc(ctx, a.UserID),
			DedupID: dedupEnvelope(envelope)})
		if commands.IsDuplicate(err) {
			b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":memo: Logged on *%s*.", strings.ToUpper(key)))
			return
		}
		if err != nil {
			b.fail(ctx, cmd.ResponseURL, err)
			return
		}
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":memo: Logged %s on *%s*.", domain.FormatDuration(time.Duration(e.Seconds)*time.Second), strings.ToUpper(key)))
	default:
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("I don't know `/time %s`.\n%s", esc(word), timeHelp))
	}
}

func (b *Bot) startTimer(ctx context.Context, a domain.Actor, responseURL, key string) {
	if !domain.IsKey(key) {
		msg := "Which ticket? Write it like `/time start ACME-42`."
		if key != "" {
			msg = fmt.Sprintf("I read `%s` as the ticket, but a ticket key looks like ACME-42. Write it like `/time start ACME-42`.", esc(key))
		}
		b.reply(ctx, responseURL, msg)
		return
	}
	res, err := b.svc.StartTimer(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	msg := fmt.Sprintf(":arrow_forward: Timer started on *%s* %s.", res.Ticket.Key(), escCut(res.Ticket.Title, 150))
	if res.Stopped != nil {
		msg += fmt.Sprintf("\n:stop_button: Stopped your timer on *%s* after %s.", res.StoppedTicket.Key(), domain.FormatDuration(time.Duration(res.Stopped.Seconds)*time.Second))
	}
	b.reply(ctx, responseURL, msg)
}

func (b *Bot) stopTimer(ctx context.Context, a domain.Actor, responseURL string) {
	e, t, err := b.svc.StopTimer(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, fmt.Sprintf(":stop_button: Timer stopped on *%s*: %s logged.", t.Key(), domain.FormatDuration(time.Duration(e.Seconds)*time.Second)))
}

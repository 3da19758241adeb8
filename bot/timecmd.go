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
	"• `/time log ACME-42 1h30 what you did` logs time after the fact: 1h30, 90m, 1.5h, 0:45."

func (b *Bot) timeCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand) {
	word, rest := firstWord(cmd.Text)
	switch word {
	case "":
		b.timeStatus(ctx, a, cmd.ResponseURL)
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
			b.reply(ctx, cmd.ResponseURL, "Write it like `/time log ACME-42 1h30 what you did`.")
			return
		}
		e, err := b.svc.LogTime(ctx, a, commands.LogTimeInput{Key: key, Duration: dur, Note: note, Location: b.userLocation(ctx, a.UserID)})
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
		b.reply(ctx, responseURL, "Which ticket? Write it like `/time start ACME-42`.")
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

func (b *Bot) timeStatus(ctx context.Context, a domain.Actor, responseURL string) {
	if !a.IsAgent() {
		b.reply(ctx, responseURL, "Time tracking is for support agents.")
		return
	}
	var lines []string
	e, t, err := b.svc.RunningTimer(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if e != nil {
		lines = append(lines, fmt.Sprintf(":stopwatch: Running on *%s* %s since %s.", t.Key(), escCut(t.Title, 150), slackDate(e.StartedAt, "{time}")))
	} else {
		lines = append(lines, "No timer running.")
	}
	loc := b.userLocation(ctx, a.UserID)
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	entries, err := b.svc.TimeEntries(ctx, a, domain.TimeFilter{UserID: a.UserID, From: day, To: day.AddDate(0, 0, 1)})
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	var total time.Duration
	for _, e := range entries {
		if !e.Running() {
			d := time.Duration(e.Seconds) * time.Second
			total += d
			lines = append(lines, fmt.Sprintf("• %s %s", domain.FormatDuration(d), escCut(e.Note, 100)))
		}
	}
	lines = append(lines, fmt.Sprintf("*Today: %s logged.*", domain.FormatDuration(total)))
	b.reply(ctx, responseURL, strings.Join(lines, "\n"))
}

// userLocation is the person's time zone from their Slack profile.
func (b *Bot) userLocation(ctx context.Context, userID string) *time.Location {
	if u, err := b.ppl.user(ctx, userID); err == nil && u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			return loc
		}
	}
	return time.UTC
}

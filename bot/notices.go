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

// Actions of the forgotten-timer DM. Values carry the time entry id.
const (
	actEntryStop   = "entry_stop"
	actEntryStopAt = "entry_stop_at"
	actEntryKeep   = "entry_keep"
)

// notice is a worded PostJob: text, and blocks when it offers actions.
type notice struct {
	text   string
	blocks []slack.Block
}

// noticeMessage words a notice the use cases queued. User text is escaped here.
func (b *Bot) noticeMessage(ctx context.Context, job commands.PostJob) (notice, error) {
	var t *domain.Ticket
	if job.TicketID != 0 {
		var err error
		if t, err = b.svc.TicketByID(ctx, job.TicketID); err != nil {
			return notice{}, err
		}
	}
	key, title := "", ""
	if t != nil {
		key, title = t.Key(), escCut(t.Title, 300)
	}
	a := job.Args
	switch job.Notice {
	case commands.NoticeEmailIn, commands.NoticeEmailOut, commands.NoticeEmailFailed:
		return notice{text: emailNoticeText(job)}, nil
	case commands.NoticeAgentReply:
		return notice{text: agentReplyText(job.Args)}, nil // reply.go
	case commands.NoticeAssigned:
		return notice{text: fmt.Sprintf("%s assigned you *%s*: %s", byRef(job.By), key, title)}, nil
	case commands.NoticeAutomation, commands.NoticeStaleReminder, commands.NoticeStaleClosed, commands.NoticeReleaseFixed,
		commands.NoticeTicketClosed:
		return notice{text: ruleNoticeText(job, key, title)}, nil
	case commands.NoticeSurvey:
		return surveyNotice(job, key, title), nil
	case commands.NoticeMerged:
		return notice{text: ":twisted_rightwards_arrows: " + esc(commands.MergeNotice(key, a["into"]))}, nil
	case commands.NoticeUnmerged:
		return notice{text: ":leftwards_arrow_with_hook: " + esc(commands.UnmergeNotice(key, a["from"]))}, nil
	case commands.NoticeIssueClosed, commands.NoticeIssueReopened, commands.NoticeEngineering, commands.NoticeFixMerged:
		return notice{text: trackerNoticeText(job, key, title)}, nil // escalate.go
	case commands.NoticeSLAWarning, commands.NoticeSLABreach, commands.NoticeSLASummary:
		return notice{text: slaNoticeText(job, t)}, nil
	case commands.NoticeTimerForgotten:
		text := fmt.Sprintf(":alarm_clock: Your timer on *%s* %s has been running for %s (since %s). Still working on it?",
			key, title, esc(a["running"]), slackDate(parseTime(a["started"]), "{time}"))
		id := a["entry_id"]
		return notice{text: text, blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(text), nil, nil),
			slack.NewActionBlock("timer_reminder",
				slack.NewButtonBlockElement(actEntryStop, id, plain("Stop now")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(actEntryStopAt, id, plain("Stop at…")),
				slack.NewButtonBlockElement(actEntryKeep, id, plain("Keep running"))),
		}}, nil
	case commands.NoticeTimerCapped:
		return notice{text: fmt.Sprintf(":stop_button: Your timer on *%s* %s ran past the %s cap, so I stopped it at %s (%s logged). Fix it with `/time week` if you stopped earlier.",
			key, title, esc(a["cap"]), slackDate(parseTime(a["ended"]), "{time}"), esc(a["duration"]))}, nil
	case commands.NoticeAgentIntro:
		return notice{text: fmt.Sprintf(agentIntro, b.svc.Config().Slack.TicketEmoji)}, nil
	case commands.NoticeNewCustomer:
		where := ""
		if c := a["channel"]; c != "" {
			where = " in " + channelRef(c)
		}
		return notice{text: fmt.Sprintf(":wave: Someone from *%s*, an organisation new to deskbot, wrote%s: they are now the customer *%s*, and their tickets are filed under it. "+
			"Rename it or set its SLA with `/desk customer edit %s name=\"…\" sla_policy=gold`, or link their channel with `/desk customer link %s`.",
			esc(a["name"]), where, esc(a["key"]), esc(a["key"]), esc(a["key"]))}, nil
	case commands.NoticeWatchDigest:
		return b.watchDigest(ctx, job) // watch.go
	case commands.NoticeTimeChanged:
		return notice{text: fmt.Sprintf(":pencil2: %s %s your time entry on *%s*: %s → %s.",
			userRef(job.By), esc(a["change"]), key, esc(a["old"]), esc(a["new"]))}, nil
	case commands.NoticeWebhookDisabled:
		return notice{text: webhookDisabledText(a)}, nil
	}
	return notice{}, fmt.Errorf("unknown notice %q", job.Notice)
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

var targetNames = map[string]string{
	"first_response": "first response", "resolution": "resolution", "next_response": "next response",
}

func slaNoticeText(job commands.PostJob, t *domain.Ticket) string {
	a := job.Args
	key, title := t.Key(), escCut(t.Title, 300)
	target := targetNames[a["target"]]
	if target == "" {
		target = esc(a["target"])
	}
	due := slackDate(parseTime(a["due"]), "{date_short_pretty} {time}")
	owner := " — owner: " + userRef(t.AssigneeID)
	switch {
	case job.Notice == commands.NoticeSLABreach || a["breach"] == "true":
		return fmt.Sprintf(":rotating_light: *%s* %s breached its %s SLA (due %s, %s of business time over)%s",
			key, title, target, due, esc(a["overdue"]), owner)
	default:
		extra := ""
		if n, _ := strconv.Atoi(a["count"]); n > 1 {
			extra = fmt.Sprintf(" (%d warnings while deskbot was away)", n)
		}
		return fmt.Sprintf(":warning: *%s* %s is at risk: %s due %s, %s of business time left%s%s",
			key, title, target, due, esc(a["remaining"]), extra, owner)
	}
}

// byRef names who caused a notice: a person, or deskbot itself (its rules).
func byRef(by string) string {
	if by == domain.SystemActor("").Ref() {
		return "deskbot"
	}
	return userRef(by)
}

// ruleNoticeText words what automations and the customer-facing rules say.
func ruleNoticeText(job commands.PostJob, key, title string) string {
	a := job.Args
	switch job.Notice {
	case commands.NoticeStaleReminder:
		text := fmt.Sprintf(":wave: We are waiting for your answer on *%s* %s. Reply in this thread and we will pick it up again.", key, title)
		if a["close_after"] != "" {
			text += fmt.Sprintf(" Without news, it closes after %s of business time.", esc(a["close_after"]))
		}
		return text
	case commands.NoticeStaleClosed:
		return fmt.Sprintf(":lock: We closed *%s* %s since we did not hear back. If it still needs attention, write to us again and we will pick it up.", key, title)
	case commands.NoticeReleaseFixed:
		return fmt.Sprintf(":package: Version *%s* fixes *%s* %s.", esc(a["version"]), key, title)
	case commands.NoticeTicketClosed:
		return closedNoticeText(a, key, title)
	}
	text := fmt.Sprintf(":robot_face: *%s* %s", key, title)
	if a["text"] != "" {
		text = fmt.Sprintf(":robot_face: %s — *%s* %s", escCut(a["text"], 1000), key, title)
	}
	return text + fmt.Sprintf(" _(automation: %s)_", escCut(a["rule"], 100))
}

// closedNoticeText answers a customer writing under a closed ticket's
// card: nobody follows that thread any more, so say where to go instead.
// It names nobody, so it pings nobody.
func closedNoticeText(a map[string]string, key, title string) string {
	how := "use `/ticket` followed by a short title"
	if a["new_here"] != "" {
		how = "post a new message in this channel (not in this thread)"
	}
	return fmt.Sprintf(":lock: *%s* %s is %s: your message is kept on it, but nobody follows it any more. "+
		"For anything new, %s and we will open a ticket for it.", key, title, strings.ToLower(esc(a["status"])), how)
}

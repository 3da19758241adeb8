package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// emailNoticeText words the mail notices for a ticket's thread. Everything
// from the mail is escaped: a mail holding <!channel> pings nobody.
func emailNoticeText(job commands.PostJob) string {
	a := job.Args
	var b strings.Builder
	switch job.Notice {
	case commands.NoticeEmailIn:
		if a["first"] == "" {
			switch a["kind"] {
			case "auto-reply", "bounce":
				fmt.Fprintf(&b, ":robot_face: *%s* from %s (internal note, not answered)", label(a["kind"]), escCut(a["from"], 200))
			default:
				fmt.Fprintf(&b, ":incoming_envelope: *Email* from %s", escCut(a["from"], 200))
				if a["internal"] != "" {
					b.WriteString(" (internal note)")
				}
			}
			if s := strings.TrimSpace(a["subject"]); s != "" {
				fmt.Fprintf(&b, ": _%s_", escCut(s, 300))
			}
			b.WriteString("\n" + quote(escCut(a["body"], 3000)))
		}
		if s := strings.TrimSpace(a["skipped"]); s != "" {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(":paperclip: Over the attachment size limit, kept by name only:")
			for _, line := range strings.Split(s, "\n") {
				b.WriteString("\n• " + escCut(line, 200))
			}
		}
		unpostedNotice(&b, a)
	case commands.NoticeEmailOut:
		fmt.Fprintf(&b, ":outbox_tray: %s replied by email to %s:\n%s", userRef(job.By), escCut(a["to"], 500), quote(escCut(a["body"], 3000)))
	case commands.NoticeEmailFailed:
		fmt.Fprintf(&b, ":warning: The mail to %s could not be delivered: %s", escCut(a["to"], 500), escCut(a["reason"], 500))
	}
	return b.String()
}

// unpostedNotice lists the files of a mail kept with the ticket but not
// posted, past email.files_per_mail.
func unpostedNotice(b *strings.Builder, a map[string]string) {
	s := strings.TrimSpace(a["unposted"])
	if s == "" {
		return
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(b, ":paperclip: Only %s files of a mail are posted here; these are kept with the ticket:", escCut(a["files_per_mail"], 10))
	for _, line := range strings.Split(s, "\n") {
		b.WriteString("\n• " + escCut(line, 200))
	}
	if n := a["unposted_more"]; n != "" && n != "0" {
		fmt.Fprintf(b, "\n…and %s more.", escCut(n, 10))
	}
}

func label(kind string) string {
	if kind == "bounce" {
		return "Bounce"
	}
	return "Auto-reply"
}

// quote makes text a mrkdwn block quote, line by line.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return ">" + strings.ReplaceAll(s, "\n", "\n>")
}

// deliverFile uploads a mail's attachment into its ticket's thread (files
// upload v2). The card must be posted first: until then it is retried.
func (b *Bot) deliverFile(ctx context.Context, payload string) error {
	var job commands.FileJob
	if err := json.Unmarshal([]byte(payload), &job); err != nil {
		return fmt.Errorf("bad file job: %w", err)
	}
	a, err := b.svc.Attachment(ctx, job.AttachmentID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil // its ticket was deleted
	} else if err != nil {
		return err
	}
	t, err := b.svc.TicketByID(ctx, a.TicketID)
	if err != nil {
		return err
	}
	switch {
	case t.SlackChannel == "" || !a.Stored || len(a.Data) == 0:
		return nil // no thread to show it in, or nothing to show
	case t.SlackThreadTS == "":
		return errors.New("the ticket's card is not posted yet")
	}
	upload := func() error {
		_, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(a.Data), FileSize: len(a.Data), Filename: a.Filename, Title: a.Filename,
			Channel: t.SlackChannel, ThreadTimestamp: t.SlackThreadTS,
		})
		return err
	}
	err = upload()
	if slackErr(err) == "not_in_channel" {
		if _, _, _, jerr := b.api.JoinConversationContext(ctx, t.SlackChannel); jerr != nil {
			return fmt.Errorf("not in channel %s and unable to join: %w", t.SlackChannel, jerr)
		}
		err = upload()
	}
	return err
}

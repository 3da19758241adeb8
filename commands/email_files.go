package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"strconv"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// FileJob is the payload of a domain.OutboxSlackFile message: upload a
// stored attachment into its ticket's thread.
type FileJob struct {
	AttachmentID int64 `json:"attachment_id"`
	TicketID     int64 `json:"ticket_id"`
}

// smallInline is the size under which an inline image is taken for a
// signature logo or a tracking pixel: kept, but not uploaded to Slack.
const smallInline = 16 << 10

type keptFiles struct {
	skipped []string // "name (size)" of files over the limit
	// unposted are "name (size)" of files kept but not posted: past the
	// email.files_per_mail first, so one mail cannot bury a channel. At
	// most maxListed are named; unpostedMore counts the others.
	unposted     []string
	unpostedMore int
	perMail      int
}

// maxListed bounds the names listed in one notice: a Slack message holds
// 40,000 characters, and a list of thousands helps nobody.
const maxListed = 50

// args are the notice's arguments about the files kept but not posted.
func (k keptFiles) args(a map[string]string) map[string]string {
	a["skipped"] = strings.Join(k.skipped, "\n")
	if len(k.unposted) > 0 {
		a["unposted"] = strings.Join(k.unposted, "\n")
		a["unposted_more"] = strconv.Itoa(k.unpostedMore)
		a["files_per_mail"] = strconv.Itoa(k.perMail)
	}
	return a
}

func (k keptFiles) any() bool { return len(k.skipped) > 0 || len(k.unposted) > 0 }

// keepAttachments stores a mail's files with the ticket (over the size
// limit, only their names) and queues their upload to the card's thread.
func (s *Service) keepAttachments(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, t *domain.Ticket, commentID *int64) (keptFiles, error) {
	kept := keptFiles{perMail: cfg.Email.FilesPerMailOrDefault()}
	limit := cfg.Email.AttachmentLimitOrDefault()
	posted := 0
	for i, at := range in.m.Attachments {
		a := &domain.Attachment{TicketID: t.ID, CommentID: commentID, MessageID: in.m.MessageID,
			Filename: attachmentName(at, i), ContentType: at.ContentType, Size: int64(at.Size)}
		if a.Size <= limit {
			data, err := at.Content()
			if err != nil {
				return kept, err
			}
			a.Stored, a.Data = true, data
		} else {
			kept.skipped = append(kept.skipped, fmt.Sprintf("%s (%s)", a.Filename, humanSize(a.Size)))
		}
		if err := tx.AddAttachment(ctx, a); err != nil {
			return kept, err
		}
		a.Data = nil // one attachment's bytes in memory at a time
		if t.SlackChannel == "" || !a.Stored || a.Size == 0 || (at.Inline && a.Size < smallInline) || signaturePart(at.ContentType) {
			continue
		}
		if posted >= kept.perMail {
			if len(kept.unposted) < maxListed {
				kept.unposted = append(kept.unposted, fmt.Sprintf("%s (%s)", a.Filename, humanSize(a.Size)))
			} else {
				kept.unpostedMore++
			}
			continue
		}
		posted++
		payload, _ := json.Marshal(FileJob{AttachmentID: a.ID, TicketID: t.ID})
		if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackFile, Payload: string(payload)}); err != nil {
			return kept, err
		}
	}
	return kept, nil
}

// threadPost posts a notice in the ticket's Slack thread, when it has
// one: a ticket shown nowhere in Slack (no customer channel, no triage
// channel) lists in App Home only.
func threadPost(ctx context.Context, tx domain.Tx, t *domain.Ticket, job PostJob) error {
	if t.SlackChannel == "" {
		return nil
	}
	job.TicketID, job.InTicketThread = t.ID, true
	return post(ctx, tx, job)
}

// internalPost posts a notice about an internal note, except in the
// customer's own channel, where the customer would read it.
func internalPost(ctx context.Context, tx domain.Tx, t *domain.Ticket, job PostJob) error {
	p, err := tx.Customer(ctx, t.CustomerID)
	if err != nil {
		return err
	}
	if p.ChannelID != "" && p.ChannelID == t.SlackChannel {
		return nil
	}
	return threadPost(ctx, tx, t, job)
}

// signaturePart: cryptographic signatures mean nothing in Slack.
func signaturePart(ct string) bool {
	switch strings.ToLower(ct) {
	case "application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature":
		return true
	}
	return false
}

// attachmentName is the file's own name, else one made from its type.
func attachmentName(at mail.Attachment, i int) string {
	name := strings.TrimSpace(at.Filename)
	if strings.ContainsAny(name, "/\\") {
		name = name[strings.LastIndexAny(name, "/\\")+1:]
	}
	if name != "" {
		return name
	}
	ext := ".bin"
	switch strings.ToLower(at.ContentType) {
	case "message/rfc822", "message/global":
		ext = ".eml"
	default:
		if exts, _ := mime.ExtensionsByType(at.ContentType); len(exts) > 0 {
			ext = exts[0]
		}
	}
	return "attachment-" + strconv.Itoa(i+1) + ext
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Attachment reads a stored attachment with its bytes, for the upload.
func (s *Service) Attachment(ctx context.Context, id int64) (*domain.Attachment, error) {
	var a *domain.Attachment
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		a, err = tx.Attachment(ctx, id)
		return err
	})
	return a, err
}

// MailUndeliverable notes on its ticket a mail the relay refused for good
// (the mail transport's GiveUp), and says so in the ticket's thread.
func (s *Service) MailUndeliverable(ctx context.Context, out mail.Outgoing, reason string) error {
	var to []string
	for _, a := range out.To {
		to = append(to, a.Email)
	}
	return s.store.Update(ctx, func(tx domain.Tx) error {
		t, err := tx.TicketByKey(ctx, out.Ticket)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil // the ticket is gone: nobody to tell
		} else if err != nil {
			return err
		}
		ref := "undeliverable:" + out.MessageID
		if _, err := tx.CommentBySource(ctx, t.ID, ref); err == nil {
			return nil // noted already
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		a := domain.SystemActor(domain.ChannelEmail)
		body := fmt.Sprintf("The mail to %s could not be delivered: %s", strings.Join(to, ", "), reason)
		if err := tx.AddComment(ctx, &domain.Comment{TicketID: t.ID, AuthorName: a.Name, AuthorRole: a.Role,
			Body: body, Channel: domain.ChannelEmail, SourceRef: ref}); err != nil {
			return err
		}
		if err := event(ctx, tx, a, t, domain.EventComment, "", "", visibility(false)); err != nil {
			return err
		}
		return internalPost(ctx, tx, t, PostJob{Notice: NoticeEmailFailed,
			Args: map[string]string{"to": strings.Join(to, ", "), "reason": excerpt(reason, 500)}})
	})
}

package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// ComposeMailJob turns a mail request (an OutboxEmail message, whose
// EmailJob names a notice for the transport to word) into a mail composed
// whole (an OutboxMail), threaded with its ticket's mails and recorded
// with it, once: the outbox id is recorded in the same transaction, so a
// redelivered request composes nothing. An EINVALID error means the
// request can never be sent.
func (s *Service) ComposeMailJob(ctx context.Context, outboxID int64, payload string) error {
	var job EmailJob
	if err := json.Unmarshal([]byte(payload), &job); err != nil {
		return domain.Errorf(domain.EINVALID, "Unreadable mail request: %v", err)
	}
	if !s.mail.sending() {
		return domain.Errorf(domain.EINVALID, "Outgoing mail is not set up: SMTP_RELAY_URL and MAIL_FROM are needed.")
	}
	to := strings.ToLower(strings.TrimSpace(job.To))
	if mail.DomainOf(to) == "" {
		return domain.Errorf(domain.EINVALID, "Mail request %d has no address to write to.", outboxID)
	}
	return s.store.Update(ctx, func(tx domain.Tx) error {
		first, err := tx.MarkProcessed(ctx, "mailjob", strconv.FormatInt(outboxID, 10))
		if err != nil || !first {
			return err
		}
		if job.TicketID == 0 {
			return s.mailWithoutTicket(ctx, tx, job, to)
		}
		t, err := tx.Ticket(ctx, job.TicketID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil // the ticket is gone: nothing to say
		} else if err != nil {
			return err
		}
		spec := mailSpec{kind: firstNonEmpty(job.Notice, "notice"), subject: job.Subject, auto: "auto-generated",
			text: noticeMail(t, job)}
		if to != strings.ToLower(t.RequesterEmail) {
			// Someone else than the customer (a rule's fixed address): just them.
			spec.to = []mail.Address{{Email: to}}
			spec.cc = []mail.Address{}
		}
		return s.mailTicket(ctx, tx, t, spec)
	})
}

func (s *Service) mailWithoutTicket(ctx context.Context, tx domain.OutboxStore, job EmailJob, to string) error {
	out := mail.Outgoing{Kind: firstNonEmpty(job.Notice, "notice"), MessageID: mail.NewMessageID("notice", s.mail.domain()),
		From: mail.Address{Name: s.mail.Name, Email: s.mail.Address}, To: []mail.Address{{Email: to}},
		Subject: firstNonEmpty(job.Subject, "Notice from "+s.mail.Name), Text: job.Text, AutoSubmitted: "auto-generated"}
	payload, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("commands: unable to encode mail: %w", err)
	}
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxMail, Payload: string(payload)})
}

// noticeMail words a notice for the customer's inbox, as the Slack
// transport words it for the thread.
func noticeMail(t *domain.Ticket, job EmailJob) string {
	if strings.TrimSpace(job.Text) != "" {
		return strings.TrimSpace(job.Text) + "\n"
	}
	key := t.Key()
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	switch job.Notice {
	case NoticeStaleReminder:
		fmt.Fprintf(&b, "We are waiting for your answer on %s (%s).\n", key, t.Title)
		if d := job.Args["close_after"]; d != "" {
			fmt.Fprintf(&b, "Without news from you, we will close it in %s.\n", d)
		}
		b.WriteString("\nReply to this email to answer.\n")
	case NoticeStaleClosed:
		fmt.Fprintf(&b, "We closed %s (%s), as we did not hear back from you.\n\nReply to this email if you still need help.\n", key, t.Title)
	case NoticeMerged:
		b.WriteString(MergeNotice(key, job.Args["into"]) + "\n")
	case NoticeUnmerged:
		b.WriteString(UnmergeNotice(key, job.Args["from"]) + "\n")
	case NoticeReleaseFixed:
		fmt.Fprintf(&b, "Version %s fixes %s (%s).\n", firstNonEmpty(job.Args["version"], "a new version"), key, t.Title)
	default:
		fmt.Fprintf(&b, "There is news on %s (%s).\n", key, t.Title)
		if q := job.Args["question"]; q != "" {
			b.WriteString("\n" + q + "\n")
		}
	}
	return b.String()
}

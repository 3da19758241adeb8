package commands_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/mail/mailtest"
)

func TestReplyToCustomer(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.ingest(t, firstMail())
		ack := e.mails(t)[0]
		e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Re: [ACME-1] Login fails", MessageID: "r1@acme.com",
			InReplyTo: ack.MessageID, References: "m1@acme.com " + ack.MessageID, Body: "Also on mobile."})
		e.posts(t) // drop the notices so far
		c, err := e.svc.ReplyToCustomer(ctx, agent, "acme-1", "  Fixed, please retry.  ")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Public || c.Body != "Fixed, please retry." || c.AuthorID != agent.UserID || c.Channel != domain.ChannelEmail {
			t.Errorf("comment %+v", c)
		}
		tk := e.ticketOf(t, "ACME-1")
		if tk.FirstResponseAt == nil || !tk.FirstResponseAt.Equal(t0) {
			t.Errorf("first response %v", tk.FirstResponseAt)
		}
		mails := e.mails(t)
		if len(mails) != 1 {
			t.Fatalf("%d mails", len(mails))
		}
		m := mails[0]
		if m.Kind != domain.MailKindReply || m.AutoSubmitted != "" || m.Subject != "Re: [ACME-1] Login fails" || m.Text != "Fixed, please retry.\n" ||
			m.From.Name != "Ana (Vendor Support)" || m.From.Email != "support@vendor.com" || m.ReplyTo != "support+ACME-1@vendor.com" {
			t.Errorf("reply %+v", m)
		}
		// Threaded after the customer's latest mail, referencing the whole thread.
		if m.InReplyTo != "r1@acme.com" || strings.Join(m.References, " ") != "m1@acme.com "+ack.MessageID+" r1@acme.com" {
			t.Errorf("threading: in-reply-to %q references %v", m.InReplyTo, m.References)
		}
		if len(m.To) != 1 || m.To[0].Email != "cy@acme.com" || len(m.Cc) != 2 {
			t.Errorf("recipients %v / %v", m.To, m.Cc)
		}
		posts := e.posts(t)
		if len(posts) != 1 || posts[0].Notice != commands.NoticeEmailOut || posts[0].By != agent.UserID || !strings.Contains(posts[0].Args["to"], "cy@acme.com") {
			t.Errorf("thread notice %+v", posts)
		}
		// A reply to the reply threads back, by its recorded Message-ID.
		res := e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Re: Login fails", MessageID: "r2@acme.com", InReplyTo: m.MessageID, Body: "Works, thanks!"})
		if res.Action != commands.IngestCommented || res.TicketKey != "ACME-1" {
			t.Errorf("answer to the reply: %+v", res)
		}
		// A resubmitted modal sends once.
		if _, err := e.svc.ReplyToCustomerOnce(ctx, agent, "ACME-1", "Once", "view:V1"); err != nil {
			t.Fatal(err)
		}
		if c, err := e.svc.ReplyToCustomerOnce(ctx, agent, "ACME-1", "Once", "view:V1"); err != nil || c != nil {
			t.Errorf("second submission: %v %v", c, err)
		}
		if n := len(e.mails(t)); n != 1 {
			t.Errorf("%d mails for one modal", n)
		}
		slackTicket := e.ticket(t, commands.TicketInput{})
		for _, tc := range []struct {
			name  string
			actor domain.Actor
			key   string
			body  string
			code  string
		}{
			{"customer", e.cust, "ACME-1", "hi", domain.EFORBIDDEN},
			{"empty", agent, "ACME-1", "  ", domain.EINVALID},
			{"too long", agent, "ACME-1", strings.Repeat("x", commands.MaxReply+1), domain.EINVALID},
			{"no requester email", agent, slackTicket.Key(), "hi", domain.EINVALID},
			{"unknown ticket", agent, "ACME-99", "hi", domain.ENOTFOUND},
		} {
			if _, err := e.svc.ReplyToCustomer(ctx, tc.actor, tc.key, tc.body); domain.ErrorCode(err) != tc.code {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
			}
		}
		if n := len(e.mails(t)); n != 0 {
			t.Errorf("refused replies queued %d mails", n)
		}
	})
}

func TestReplyWithoutRelay(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		// No mail set up: mail still comes in (and no acknowledgement is
		// queued to wait forever), but nobody can reply by mail.
		res, err := e.svc.IngestEmail(context.Background(), firstMail().Bytes(), mail.ViaIMAP)
		if err != nil || res.Action != commands.IngestCreated || res.Acknowledged {
			t.Fatalf("ingest without relay: %+v %v", res, err)
		}
		if e.svc.CanMail() {
			t.Error("CanMail without a relay")
		}
		if _, err := e.svc.ReplyToCustomer(context.Background(), agent, res.TicketKey, "hi"); domain.ErrorCode(err) != domain.EINVALID ||
			!strings.Contains(domain.ErrorMessage(err), "SMTP_RELAY_URL") {
			t.Errorf("reply without relay: %v", err)
		}
	})
}

func TestComposeMailJobAndUndeliverable(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.ingest(t, firstMail())
		e.mails(t)
		e.posts(t)
		tk := e.ticketOf(t, "ACME-1")
		job, _ := json.Marshal(commands.EmailJob{TicketID: tk.ID, To: tk.RequesterEmail, InReplyTo: tk.EmailThread,
			Notice: commands.NoticeStaleReminder, Args: map[string]string{"close_after": "3 days"}})
		for range 2 { // a redelivered request composes once
			if err := e.svc.ComposeMailJob(ctx, 42, string(job)); err != nil {
				t.Fatal(err)
			}
		}
		mails := e.mails(t)
		if len(mails) != 1 {
			t.Fatalf("%d mails", len(mails))
		}
		m := mails[0]
		if m.AutoSubmitted != "auto-generated" || m.Kind != commands.NoticeStaleReminder || !strings.Contains(m.Text, "close it in 3 days") ||
			m.To[0].Email != "cy@acme.com" || len(m.Cc) != 2 || m.InReplyTo != "m1@acme.com" || m.Subject != "Re: [ACME-1] Login fails" {
			t.Errorf("reminder %+v", m)
		}
		other, _ := json.Marshal(commands.EmailJob{TicketID: tk.ID, To: "ops@vendor.com", Subject: "Escalated", Text: "Gold customer", Notice: commands.NoticeAutomation})
		if err := e.svc.ComposeMailJob(ctx, 43, string(other)); err != nil {
			t.Fatal(err)
		}
		if m := e.mails(t); len(m) != 1 || len(m[0].To) != 1 || m[0].To[0].Email != "ops@vendor.com" || len(m[0].Cc) != 0 ||
			m[0].Subject != "Re: [ACME-1] Escalated" || m[0].Text != "Gold customer\n" {
			t.Errorf("rule mail %+v", m)
		}
		if err := e.svc.ComposeMailJob(ctx, 44, "{"); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("bad request: %v", err)
		}
		out := mail.Outgoing{Ticket: "ACME-1", MessageID: "x@vendor.com", To: []mail.Address{{Email: "cy@acme.com"}}}
		for range 2 {
			if err := e.svc.MailUndeliverable(ctx, out, "550 no such user"); err != nil {
				t.Fatal(err)
			}
		}
		cs := e.comments(t, "ACME-1")
		if len(cs) != 1 || cs[0].Public || !strings.Contains(cs[0].Body, "cy@acme.com could not be delivered: 550 no such user") {
			t.Errorf("note %+v", cs)
		}
		if p := e.posts(t); len(p) != 0 {
			t.Errorf("an internal note announced in the customer's own channel: %+v", p)
		}
	})
}

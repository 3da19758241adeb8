package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/mail/mailtest"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// mailEnv is a service with mail in and out on: support@vendor.com, the
// agent ana@gmail.com listed besides vendor.com's people, ACME at acme.com,
// and a 1 KiB attachment limit.
func mailEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(t0)
			db := storagetest.Open(t, d, storage.WithClock(clock.Now))
			cfg := domain.DefaultConfig()
			cfg.Email = domain.EmailConfig{Agents: []string{"ana@gmail.com"}, Domains: []string{"help.vendor.com"}, AttachmentLimit: 1024}
			svc := commands.New(db, cfg, commands.Options{TriageChannel: "CTRIAGE", Logger: slog.New(slog.DiscardHandler),
				Mail: commands.MailOptions{Address: "Vendor Support <support@vendor.com>", Send: true}})
			acme, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "acme", Name: "Acme", ChannelID: "CACME", EmailDomains: "acme.com"})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, &env{svc: svc, db: db, clock: clock, acme: acme})
		})
	}
}

func (e *env) ingest(t *testing.T, m mailtest.Mail, rcpt ...string) *commands.IngestResult {
	t.Helper()
	res, err := e.svc.IngestEmail(context.Background(), m.Bytes(), mail.ViaSMTP, rcpt...)
	if err != nil {
		t.Fatalf("ingest %q: %v", m.Subject, err)
	}
	return res
}

// outbox claims the pending messages of a kind.
func (e *env) outbox(t *testing.T, kind string) []*domain.OutboxMessage {
	t.Helper()
	ms, err := e.db.ClaimOutbox(context.Background(), "", []string{kind}, 100, 1000*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (e *env) mails(t *testing.T) []mail.Outgoing {
	t.Helper()
	var out []mail.Outgoing
	for _, m := range e.outbox(t, domain.OutboxMail) {
		var o mail.Outgoing
		if err := json.Unmarshal([]byte(m.Payload), &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func (e *env) posts(t *testing.T) []commands.PostJob {
	t.Helper()
	var out []commands.PostJob
	for _, m := range e.outbox(t, domain.OutboxSlackPost) {
		var p commands.PostJob
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (e *env) comments(t *testing.T, key string) []*domain.Comment {
	t.Helper()
	cs, _, err := e.svc.History(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func firstMail() mailtest.Mail {
	return mailtest.Mail{From: "Cy Customer <Cy@acme.com>", To: "support@vendor.com", Cc: "Dee <dee@acme.com>, Pat <pat@partner.io>, ana@vendor.com",
		Subject: "Login fails", MessageID: "m1@acme.com", Body: "Since this morning nobody can log in.\n\n-- \nCy"}
}

func TestIngestNewTicketAndAck(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		res := e.ingest(t, firstMail())
		if res.Action != commands.IngestCreated || res.TicketKey != "ACME-1" || !res.Acknowledged {
			t.Fatalf("result %+v", res)
		}
		tk := e.ticketOf(t, "ACME-1")
		if tk.Title != "Login fails" || tk.Description != "Since this morning nobody can log in." || tk.Source != domain.SourceEmail ||
			tk.RequesterEmail != "cy@acme.com" || tk.RequesterName != "Cy Customer" || tk.SlackChannel != "CACME" ||
			tk.EmailThread != "m1@acme.com" || tk.CreatedBy != "cy@acme.com" {
			t.Errorf("ticket %+v", tk)
		}
		mails := e.mails(t)
		if len(mails) != 1 {
			t.Fatalf("%d mails, want the acknowledgement", len(mails))
		}
		ack := mails[0]
		if ack.Kind != domain.MailKindAck || ack.Subject != "Re: [ACME-1] Login fails" || ack.AutoSubmitted != "auto-replied" ||
			ack.ReplyTo != "support+ACME-1@vendor.com" || ack.From != (mail.Address{Name: "Vendor Support", Email: "support@vendor.com"}) ||
			ack.InReplyTo != "m1@acme.com" || strings.Join(ack.References, " ") != "m1@acme.com" || !strings.Contains(ack.Text, "ACME-1") {
			t.Errorf("ack %+v", ack)
		}
		// To the requester, copying whom they copied, never deskbot or an agent.
		if len(ack.To) != 1 || ack.To[0].Email != "cy@acme.com" || len(ack.Cc) != 2 || ack.Cc[0].Email != "dee@acme.com" || ack.Cc[1].Email != "pat@partner.io" {
			t.Errorf("recipients to %v cc %v", ack.To, ack.Cc)
		}
		if !strings.HasPrefix(ack.MessageID, "deskbot.acme-1.") || !strings.HasSuffix(ack.MessageID, "@vendor.com") {
			t.Errorf("message id %q", ack.MessageID)
		}
		// The same mail again (an SMTP retry, the IMAP copy) does nothing.
		again := e.ingest(t, firstMail())
		if again.Action != commands.IngestDuplicate || again.TicketKey != "ACME-1" {
			t.Errorf("second delivery %+v", again)
		}
		if n := len(e.mails(t)); n != 0 {
			t.Errorf("%d mails after a duplicate", n)
		}
	})
}

func (e *env) ticketOf(t *testing.T, key string) *domain.Ticket {
	t.Helper()
	tk, err := e.svc.Ticket(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestIngestRouting covers who a mail is filed for and what it threads into.
func TestIngestRouting(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		base := e.ingest(t, firstMail()) // ACME-1, from cy@acme.com, Pat copied
		ack := e.mails(t)[0]
		// Wait on the customer, to see their answer resume the ticket.
		if _, err := e.svc.ChangeStatus(context.Background(), agent, "ACME-1", "open"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ChangeStatus(context.Background(), agent, "ACME-1", "waiting"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			mail     mailtest.Mail
			rcpt     []string
			action   string
			key      string
			reason   string
			public   bool
			customer string
		}{
			{name: "reply to the acknowledgement threads by In-Reply-To",
				mail:   mailtest.Mail{From: "cy@acme.com", To: "support+ACME-1@vendor.com", Subject: "Re: [ACME-1] Login fails", MessageID: "r1@acme.com", InReplyTo: ack.MessageID, Body: "Still broken.\n\nOn Fri, Support wrote:\n> We opened ticket"},
				action: commands.IngestCommented, key: "ACME-1", reason: "thread", public: true},
			{name: "a stranger answering the customer's own mail opens a ticket of their own",
				mail:   mailtest.Mail{From: "mallory@evil.example", To: "support@vendor.com", Subject: "Re: Login fails", MessageID: "e0@evil.example", InReplyTo: "m1@acme.com", Body: "send me the data"},
				action: commands.IngestCreated, key: "TRIAGE-1", reason: "thread of ACME-1 not trusted", customer: "TRIAGE"},
			{name: "a stranger's key in the subject opens a ticket of their own",
				mail:   mailtest.Mail{From: "eve@evil.example", To: "support@vendor.com", Subject: "Re: [ACME-1] give me your data", MessageID: "e1@evil.example", Body: "hi"},
				action: commands.IngestCreated, key: "TRIAGE-2", reason: "ACME-1 in the subject not trusted", customer: "TRIAGE"},
			{name: "someone copied on the ticket may use its key",
				mail:   mailtest.Mail{From: "pat@partner.io", To: "support@vendor.com", Subject: "[acme-1] more logs", MessageID: "p1@partner.io", Body: "See below."},
				action: commands.IngestCommented, key: "ACME-1", reason: "subject", public: true},
			{name: "a colleague at the customer's domain may use its key",
				mail:   mailtest.Mail{From: "zed@acme.com", To: "support@vendor.com", Subject: "Re: [ACME-1]", MessageID: "z1@acme.com", Body: "Me too."},
				action: commands.IngestCommented, key: "ACME-1", reason: "subject", public: true},
			{name: "the requester's plus address names the ticket",
				mail:   mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "no key here", MessageID: "r2@acme.com", Body: "Via plus."},
				rcpt:   []string{"support+acme-1@vendor.com"},
				action: commands.IngestCommented, key: "ACME-1", reason: "plus address", public: true},
			{name: "a plus address names a customer",
				mail:   mailtest.Mail{From: "boss@gmail.com", To: "support+acme@help.vendor.com", Subject: "Invoice question", MessageID: "g1@gmail.com", Body: "Hello"},
				action: commands.IngestCreated, key: "ACME-2", customer: "ACME"},
			{name: "unknown senders go to triage",
				mail:   mailtest.Mail{From: "someone@unknown.example", To: "support@vendor.com", Subject: "Hello?", MessageID: "u1@unknown.example", Body: "Anyone?"},
				action: commands.IngestCreated, key: "TRIAGE-3", customer: "TRIAGE"},
			{name: "an agent's forward is filed for the original sender",
				mail: mailtest.Mail{From: "Ana <ana@gmail.com>", To: "support@vendor.com", Subject: "Fwd: Export broken", MessageID: "f1@gmail.com",
					Body: "Customer called too, urgent.\n\n---------- Forwarded message ---------\nFrom: Cy Customer <cy@acme.com>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\nSubject: Export broken\nTo: Ana <ana@gmail.com>\n\nThe CSV export is empty."},
				action: commands.IngestCreated, key: "ACME-3", customer: "ACME"},
			{name: "deskbot's own mail coming back is ignored",
				mail:   mailtest.Mail{From: "support@vendor.com", To: "support@vendor.com", Subject: "Re: [ACME-1] Login fails", MessageID: "x1@vendor.com", Headers: []string{"X-Deskbot-Origin: ack"}, Body: "loop"},
				action: commands.IngestIgnored, reason: "deskbot's own mail"},
			{name: "an out-of-office about no ticket is ignored",
				mail:   mailtest.Mail{From: "dee@acme.com", To: "support@vendor.com", Subject: "Automatic reply: hello", MessageID: "o1@acme.com", Headers: []string{"Auto-Submitted: auto-replied"}, Body: "Away"},
				action: commands.IngestIgnored, reason: "auto-reply about no ticket"},
			{name: "an out-of-office to deskbot's mail is an internal note",
				mail:   mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Automatic reply: [ACME-1] Login fails", MessageID: "o2@acme.com", InReplyTo: ack.MessageID, Headers: []string{"Auto-Submitted: auto-replied"}, Body: "I am away until Monday."},
				action: commands.IngestCommented, key: "ACME-1", reason: "thread", public: false},
			{name: "a bounce of deskbot's mail is an internal note",
				mail: mailtest.Mail{From: "MAILER-DAEMON@mx.acme.com", To: "support@vendor.com", Subject: "Undelivered Mail Returned to Sender", MessageID: "b1@mx.acme.com",
					Body: "The mail system could not deliver.", Attachments: []mailtest.File{{Name: "orig.eml", Type: "message/rfc822",
						Data: []byte("From: support@vendor.com\r\nTo: pat@partner.io\r\nMessage-ID: <" + ack.MessageID + ">\r\nSubject: Re: [ACME-1] Login fails\r\n\r\nWe opened ticket ACME-1\r\n")}}},
				action: commands.IngestCommented, key: "ACME-1", reason: "thread", public: false},
			{name: "list mail opens a ticket but gets no acknowledgement",
				mail:   mailtest.Mail{From: "news@acme.com", To: "support@vendor.com", Subject: "Weekly digest", MessageID: "l1@acme.com", Headers: []string{"Precedence: bulk", "List-Id: <digest.acme.com>"}, Body: "News"},
				action: commands.IngestCreated, key: "ACME-4", customer: "ACME"},
		}
		_ = base
		for _, tc := range tests {
			res := e.ingest(t, tc.mail, tc.rcpt...)
			if res.Action != tc.action || res.TicketKey != tc.key || !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("%s: got %+v, want %s %s (%q)", tc.name, res, tc.action, tc.key, tc.reason)
				continue
			}
			switch tc.action {
			case commands.IngestCommented:
				cs := e.comments(t, tc.key)
				c := cs[len(cs)-1]
				if c.ID != res.CommentID || c.Public != tc.public || c.Channel != domain.ChannelEmail {
					t.Errorf("%s: comment %+v", tc.name, c)
				}
			case commands.IngestCreated:
				tk := e.ticketOf(t, tc.key)
				if tc.customer != "" && tk.CustomerKey != tc.customer {
					t.Errorf("%s: customer %s", tc.name, tk.CustomerKey)
				}
			}
		}
		// The customer's answer put the waiting ticket back in the agents' court.
		if st := e.ticketOf(t, "ACME-1").Status; st != "open" {
			t.Errorf("ACME-1 is %s after the customer's answer, want open", st)
		}
		cs := e.comments(t, "ACME-1")
		if cs[0].Body != "Still broken." || cs[0].AuthorRole != domain.RoleCustomer || cs[0].AuthorEmail != "cy@acme.com" {
			t.Errorf("the reply lost its quote? %+v", cs[0])
		}
		for _, c := range cs {
			if !c.Public && c.AuthorRole != domain.RoleSystem {
				t.Errorf("robot note by %s", c.AuthorRole)
			}
		}
		fw := e.ticketOf(t, "ACME-3")
		if fw.RequesterEmail != "cy@acme.com" || fw.RequesterName != "Cy Customer" || fw.Title != "Export broken" ||
			fw.Description != "The CSV export is empty." || fw.CreatedBy != "ana@gmail.com" {
			t.Errorf("forward %+v", fw)
		}
		if fcs := e.comments(t, "ACME-3"); len(fcs) != 1 || fcs[0].Public || !strings.Contains(fcs[0].Body, "Customer called too") {
			t.Errorf("the agent's note: %+v", fcs)
		}
		// Acknowledgements: the forward's requester and the new senders, not the robots nor the list.
		var acked []string
		for _, m := range e.mails(t) {
			acked = append(acked, m.To[0].Email)
		}
		if strings.Join(acked, " ") != "mallory@evil.example eve@evil.example boss@gmail.com someone@unknown.example cy@acme.com" {
			t.Errorf("acknowledged %v", acked)
		}
		if tr := e.ticketOf(t, "TRIAGE-3"); tr.SlackChannel != "CTRIAGE" {
			t.Errorf("triage ticket in %q", tr.SlackChannel)
		}
		// The thread hears of each person's mail; the robots' internal notes
		// stay out of ACME's own channel, where the customer reads along.
		var kinds []string
		for _, p := range e.posts(t) {
			if p.Notice == commands.NoticeEmailIn {
				kinds = append(kinds, p.Args["kind"]+"/"+p.Args["internal"])
			}
		}
		if strings.Join(kinds, " ") != "/ / / /" {
			t.Errorf("notices %v", kinds)
		}
	})
}

func TestIngestAttachments(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		small := []byte("2026-11-27 ERROR login failed\n")
		big := []byte(strings.Repeat("x", 4096))
		logo := []byte("tiny png")
		res := e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Logs", MessageID: "a1@acme.com", Body: "Attached.",
			Attachments: []mailtest.File{{Name: "app.log", Type: "text/plain", Data: small}, {Name: "dump.bin", Type: "application/octet-stream", Data: big},
				{Name: "logo.png", Type: "image/png", Data: logo, Inline: true}}})
		var uploads []commands.FileJob
		for _, m := range e.outbox(t, domain.OutboxSlackFile) {
			var j commands.FileJob
			_ = json.Unmarshal([]byte(m.Payload), &j)
			uploads = append(uploads, j)
		}
		if len(uploads) != 1 || uploads[0].TicketID != res.TicketID {
			t.Fatalf("uploads %+v: want the log only (the dump is too big, the logo a signature)", uploads)
		}
		a, err := e.svc.Attachment(context.Background(), uploads[0].AttachmentID)
		if err != nil || a.Filename != "app.log" || string(a.Data) != string(small) {
			t.Errorf("attachment %+v %v", a, err)
		}
		posts := e.posts(t)
		if len(posts) != 1 || posts[0].Args["first"] != "1" || posts[0].Args["skipped"] != "dump.bin (4 KB)" {
			t.Errorf("skipped notice %+v", posts)
		}
	})
}

func TestIngestAckLimitAndBadMail(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		for i := range 7 {
			e.ingest(t, mailtest.Mail{From: "robot@acme.com", To: "support@vendor.com", Subject: "Alert", MessageID: "al" + string(rune('a'+i)) + "@acme.com", Body: "disk full"})
		}
		if n := len(e.mails(t)); n != 5 {
			t.Errorf("%d acknowledgements to one address within the hour, want 5", n)
		}
		e.clock.Advance(61 * time.Minute)
		e.ingest(t, mailtest.Mail{From: "robot@acme.com", To: "support@vendor.com", Subject: "Alert", MessageID: "later@acme.com", Body: "disk full"})
		if n := len(e.mails(t)); n != 1 {
			t.Errorf("%d acknowledgements an hour later, want 1", n)
		}
		_, err := e.svc.IngestEmail(context.Background(), []byte("   \r\n"), mail.ViaSMTP)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("not a mail: %v", err)
		}
		// No Message-ID: the bytes identify the mail.
		raw := []byte("From: x@acme.com\r\nSubject: no id\r\n\r\nbody\r\n")
		r1, err1 := e.svc.IngestEmail(context.Background(), raw, mail.ViaIMAP)
		r2, err2 := e.svc.IngestEmail(context.Background(), raw, mail.ViaSMTP)
		if err1 != nil || err2 != nil || r1.Action != commands.IngestCreated || r2.Action != commands.IngestDuplicate {
			t.Errorf("no message id: %+v %v / %+v %v", r1, err1, r2, err2)
		}
	})
}

// A vendor on a public mail service: its domain makes nobody an agent.
func TestPublicMailDomainIsNoAgent(t *testing.T) {
	db := storagetest.Open(t, "sqlite")
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: slog.New(slog.DiscardHandler),
		Mail: commands.MailOptions{Address: "acme.support@gmail.com", Send: true}})
	fw := mailtest.Mail{From: "someone@gmail.com", To: "acme.support@gmail.com", Subject: "Fwd: hello", MessageID: "pf@gmail.com",
		Body: "---------- Forwarded message ---------\nFrom: Cy <cy@acme.com>\nSubject: hello\n\nHi"}
	res, err := svc.IngestEmail(context.Background(), fw.Bytes(), mail.ViaSMTP)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := svc.Ticket(context.Background(), agent, res.TicketKey)
	if err != nil || tk.RequesterEmail != "someone@gmail.com" {
		t.Errorf("filed for %q (%v): a gmail user is no agent", tk.RequesterEmail, err)
	}
}

// In an agents' channel (triage here) robots' notes are announced too.
func TestRobotNoticeInAgentsChannel(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		e.ingest(t, mailtest.Mail{From: "who@unknown.example", To: "support@vendor.com", Subject: "Hi", MessageID: "w1@unknown.example", Body: "Hello"})
		ack := e.mails(t)[0]
		e.posts(t)
		res := e.ingest(t, mailtest.Mail{From: "who@unknown.example", To: "support@vendor.com", Subject: "Out of office", MessageID: "w2@unknown.example",
			InReplyTo: ack.MessageID, Headers: []string{"Auto-Submitted: auto-replied"}, Body: "Back Monday <!channel>"})
		if res.Action != commands.IngestCommented || res.TicketKey != "TRIAGE-1" {
			t.Fatalf("%+v", res)
		}
		p := e.posts(t)
		if len(p) != 1 || p[0].Args["kind"] != "auto-reply" || p[0].Args["internal"] != "1" || !p[0].InTicketThread || p[0].Args["body"] != "Back Monday <!channel>" {
			t.Errorf("notice %+v", p)
		}
	})
}

// TestIngestSpooledAttachment: a file large enough to wait in the spool
// file rather than in memory is stored whole, byte for byte, beside a
// small one kept in memory.
func TestIngestSpooledAttachment(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		cfg := *e.svc.Config()
		cfg.Email.AttachmentLimit = 1 << 20
		e.svc.SetConfig(&cfg)
		big := make([]byte, 3*mail.SpoolAbove)
		for i := range big {
			big[i] = byte(i * 7)
		}
		small := []byte("2026-11-27 ERROR login failed\n")
		e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Dump", MessageID: "dump@acme.com", Body: "Attached.",
			Attachments: []mailtest.File{{Name: "core.bin", Type: "application/octet-stream", Data: big}, {Name: "app.log", Type: "text/plain", Data: small}}})
		want := map[string][]byte{"core.bin": big, "app.log": small}
		jobs := e.outbox(t, domain.OutboxSlackFile)
		if len(jobs) != 2 {
			t.Fatalf("%d uploads, want 2", len(jobs))
		}
		for _, m := range jobs {
			var j commands.FileJob
			_ = json.Unmarshal([]byte(m.Payload), &j)
			a, err := e.svc.Attachment(context.Background(), j.AttachmentID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Data, want[a.Filename]) || a.Size != int64(len(want[a.Filename])) {
				t.Errorf("%s: %d bytes stored (size %d), want %d", a.Filename, len(a.Data), a.Size, len(want[a.Filename]))
			}
		}
	})
}

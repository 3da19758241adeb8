package bot_test

import (
	"strings"
	"testing"

	gomail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// TestMergeRethreadsMail: after a merge, the customer's answers to the
// duplicate's mail thread — to their own Message-ID or to deskbot's —
// land on the ticket that goes on, through the real SMTP listener.
func TestMergeRethreadsMail(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startMail(t, d)
			ctx := waitCtx(t)
			for _, m := range []struct{ id, subject string }{{"first@acme.com", "Dashboard errors"}, {"dup@acme.com", "Dashboard still broken"}} {
				msg := gomail.NewMsg()
				_ = msg.FromFormat("Cy Customer", "cy@acme.com")
				_ = msg.To("support@vendor.com")
				msg.Subject(m.subject)
				msg.SetMessageIDWithValue(m.id)
				msg.SetBodyString(gomail.TypeTextPlain, m.subject+" since 9:00.")
				w.send(t, msg)
			}
			w.cardTS(t, "ACME-1")
			_, dupTS := w.cardTS(t, "ACME-2")
			acks, err := w.sink.Wait(ctx, 2)
			if err != nil {
				t.Fatal(err)
			}
			var dupAck *mail.Message
			for _, a := range acks {
				if m, _ := mail.Parse(a.Data); strings.Contains(m.Subject, "[ACME-2]") {
					dupAck = m
				}
			}
			if dupAck == nil {
				t.Fatal("no acknowledgement of ACME-2")
			}

			w.slash(t, agentID, triageChan, "/ticket", "ACME-2 merge into ACME-1")
			w.waitReply(t, "Merged *ACME-2* into *ACME-1*")
			// Told once, by mail, in the duplicate's thread.
			msgs, err := w.sink.Wait(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			told, _ := mail.Parse(msgs[2].Data)
			if msgs[2].To[0] != "cy@acme.com" || !strings.Contains(told.Text, "we go on in ACME-1") || len(told.InReplyTo) != 1 || told.InReplyTo[0] != "dup@acme.com" {
				t.Errorf("merge notice %q in reply to %v, to %v", told.Text, told.InReplyTo, msgs[2].To)
			}
			for _, c := range w.emu.Calls("chat.postMessage") {
				if c.Params["thread_ts"] == dupTS && strings.Contains(c.Params["text"], "we go on in") {
					t.Error("told twice: by mail and in Slack")
				}
			}

			// An answer to their own first mail of the duplicate…
			r := gomail.NewMsg()
			_ = r.From("cy@acme.com")
			_ = r.To("support@vendor.com")
			r.Subject("Re: Dashboard still broken")
			r.SetMessageIDWithValue("answer1@acme.com")
			r.SetGenHeader(gomail.HeaderInReplyTo, "<dup@acme.com>")
			r.SetGenHeader(gomail.HeaderReferences, "<dup@acme.com>")
			r.SetBodyString(gomail.TypeTextPlain, "Also on the reports page.")
			w.send(t, r)
			// …and to deskbot's acknowledgement of it, [ACME-2] in the subject.
			r2 := gomail.NewMsg()
			_ = r2.From("cy@acme.com")
			_ = r2.To("support+ACME-2@vendor.com")
			r2.Subject("Re: " + dupAck.Subject)
			r2.SetMessageIDWithValue("answer2@acme.com")
			r2.SetGenHeader(gomail.HeaderInReplyTo, "<"+dupAck.MessageID+">")
			r2.SetBodyString(gomail.TypeTextPlain, "And in the export.")
			w.send(t, r2)
			w.eventually(t, "both answers on ACME-1", func() bool {
				c := w.comments(t, "ACME-1")
				return strings.Contains(c, "Also on the reports page.") && strings.Contains(c, "And in the export.")
			})
			if c := w.comments(t, "ACME-2"); strings.Contains(c, "reports page") || strings.Contains(c, "export") {
				t.Errorf("an answer stayed on the merged ticket: %s", c)
			}
			ch1, ts1 := w.cardTS(t, "ACME-1")
			if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["channel"] == ch1 && c.Params["thread_ts"] == ts1 && strings.Contains(c.Params["text"], "And in the export.")
			}); err != nil {
				t.Errorf("the answer is not in ACME-1's thread: %v", err)
			}
		})
	}
}

package commands_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail/mailtest"
)

// noReopenFromResolved is the built-in config where the support workflow
// cannot leave resolved but to close: a done status customers cannot undo.
var noReopenFromResolved = []string{"- {from: resolved, to: [open, closed]}", "- {from: resolved, to: [closed]}"}

// cards takes the ids of the tickets whose card refresh is queued.
func (e *env) cards(t *testing.T) []int64 {
	t.Helper()
	var ids []int64
	for _, m := range e.outbox(t, domain.OutboxCard) {
		var j commands.CardJob
		if err := json.Unmarshal([]byte(m.Payload), &j); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.TicketID)
	}
	return ids
}

// statusEvents are a ticket's status moves, as "actor:from>to".
func (e *env) statusEvents(t *testing.T, key string) []string {
	t.Helper()
	var out []string
	for _, ev := range e.events(t, key) {
		if ev.Kind == domain.EventStatus {
			out = append(out, ev.Actor+":"+ev.OldValue+">"+ev.NewValue)
		}
	}
	return out
}

// TestSlackCommentMovesStatus: what a comment in a ticket's thread does
// to the ticket's status, by who wrote it and where the ticket stands.
func TestSlackCommentMovesStatus(t *testing.T) {
	tests := []struct {
		name   string
		status string // where the ticket stands when the comment comes
		agent  bool
		public bool
		want   string
		moved  bool // a status event by the writer, and the card refreshed
	}{
		{name: "customer on resolved reopens", status: "resolved", public: true, want: "open", moved: true},
		{name: "customer on waiting reopens", status: "waiting", public: true, want: "open", moved: true},
		{name: "customer on open changes nothing", status: "open", public: true, want: "open"},
		{name: "agent reply on resolved changes nothing", status: "resolved", agent: true, public: true, want: "resolved"},
		{name: "agent reply on waiting changes nothing", status: "waiting", agent: true, public: true, want: "waiting"},
		{name: "internal note on resolved changes nothing", status: "resolved", agent: true, want: "resolved"},
	}
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for i, tc := range tests {
			tk := e.ticket(t, commands.TicketInput{})
			if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), tc.status); err != nil {
				t.Fatal(err)
			}
			before := e.statusEvents(t, tk.Key())
			e.cards(t)
			e.clock.Advance(time.Minute)
			who := e.cust
			if tc.agent {
				who = agent
			}
			if _, err := e.svc.Comment(ctx, who, tk.Key(), commands.CommentInput{Body: "Still broken", Public: tc.public, SourceRef: string(rune('a' + i))}); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got := e.ticketOf(t, tk.Key())
			if got.Status != tc.want {
				t.Errorf("%s: status %s, want %s", tc.name, got.Status, tc.want)
			}
			want := ""
			if tc.moved {
				want = who.Ref() + ":" + tc.status + ">" + tc.want
			}
			if moves := e.statusEvents(t, tk.Key())[len(before):]; strings.Join(moves, " ") != want {
				t.Errorf("%s: status events %v, want %q", tc.name, moves, want)
			}
			if cards := e.cards(t); tc.moved && (len(cards) != 1 || cards[0] != tk.ID) {
				t.Errorf("%s: card refreshes %v", tc.name, cards)
			}
			if tc.moved && (got.ResolvedAt != nil || got.ClosedAt != nil) {
				t.Errorf("%s: reopened but resolved at %v, closed at %v", tc.name, got.ResolvedAt, got.ClosedAt)
			}
		}
		if p := e.posts(t); len(p) != 0 {
			t.Errorf("notices %+v: only closed tickets get one", p)
		}
	})
}

// TestSlackCommentOnClosedTicket: a customer writing under a closed
// ticket's card is kept on it and told, once, how to open a new ticket;
// nothing is opened from the thread.
func TestSlackCommentOnClosedTicket(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "closed"); err != nil {
			t.Fatal(err)
		}
		e.posts(t)
		e.clock.Advance(time.Hour)
		for i, body := range []string{"It broke again", "Hello?"} {
			if _, err := e.svc.Comment(ctx, e.cust, tk.Key(), commands.CommentInput{Body: body, Public: true, SourceRef: string(rune('1' + i))}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: "Noted", Public: true, SourceRef: "3"}); err != nil {
			t.Fatal(err)
		}
		got := e.ticketOf(t, tk.Key())
		if got.Status != "closed" || got.ClosedAt == nil {
			t.Errorf("closed ticket now %s", got.Status)
		}
		if cs := e.comments(t, tk.Key()); len(cs) != 3 || cs[0].Body != "It broke again" || !cs[0].Public {
			t.Errorf("comments %+v", cs)
		}
		p := e.posts(t)
		if len(p) != 1 || p[0].Notice != commands.NoticeTicketClosed || !p[0].InTicketThread || p[0].TicketID != tk.ID ||
			p[0].Args["status"] != "Closed" || p[0].Args["new_here"] != "" || p[0].By != e.cust.Ref() {
			t.Errorf("notices %+v, want one closed notice in the thread", p)
		}
		if _, total, _ := e.svc.ListTickets(ctx, agent, domain.TicketFilter{}); total != 1 {
			t.Errorf("%d tickets: the thread must open none", total)
		}
		// Closed again after a reopening: the next answer is told again.
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "open"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "closed"); err != nil {
			t.Fatal(err)
		}
		e.posts(t)
		e.clock.Advance(time.Minute)
		if _, err := e.svc.Comment(ctx, e.cust, tk.Key(), commands.CommentInput{Body: "Again", Public: true, SourceRef: "4"}); err != nil {
			t.Fatal(err)
		}
		if p := e.posts(t); len(p) != 1 || p[0].Notice != commands.NoticeTicketClosed {
			t.Errorf("after closing again: %+v", p)
		}
	})
}

// A resolved status the workflow does not let go back to open is as
// final as closed: the customer's answer does not move it, the thread says so.
func TestSlackCommentOnFinalResolved(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(configWith(t, noReopenFromResolved...))
		tk := e.ticket(t, commands.TicketInput{})
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "resolved"); err != nil {
			t.Fatal(err)
		}
		e.posts(t)
		if _, err := e.svc.Comment(ctx, e.cust, tk.Key(), commands.CommentInput{Body: "Not fixed", Public: true}); err != nil {
			t.Fatal(err)
		}
		if st := e.ticketOf(t, tk.Key()).Status; st != "resolved" {
			t.Errorf("status %s", st)
		}
		if p := e.posts(t); len(p) != 1 || p[0].Notice != commands.NoticeTicketClosed || p[0].Args["status"] != "Resolved" {
			t.Errorf("notices %+v", p)
		}
	})
}

// TestMailAnswersDoneTickets: what a mail to a resolved or closed ticket
// becomes, by who or what sent it.
func TestMailAnswersDoneTickets(t *testing.T) {
	reply := func(key, inReplyTo string) mailtest.Mail {
		return mailtest.Mail{From: "Cy Customer <cy@acme.com>", To: "support@vendor.com", Subject: "Re: [" + key + "] Login fails",
			InReplyTo: inReplyTo, Body: "It is broken again since the update.\n\nOn Fri, Support wrote:\n> We opened ticket"}
	}
	away := func(key, ack string) mailtest.Mail {
		m := reply(key, ack)
		m.Subject, m.Headers, m.Body = "Automatic reply: ["+key+"] Login fails", []string{"Auto-Submitted: auto-replied"}, "I am away until Monday."
		return m
	}
	fromAgent := func(key, _ string) mailtest.Mail {
		return mailtest.Mail{From: "Ana <ana@gmail.com>", To: "support@vendor.com", Subject: "Re: [" + key + "] Login fails", Body: "For the record: fixed in 4.2.2."}
	}
	bounce := func(key, ack string) mailtest.Mail {
		return mailtest.Mail{From: "MAILER-DAEMON@mx.acme.com", To: "support@vendor.com", Subject: "Undelivered Mail Returned to Sender",
			Body: "The mail system could not deliver.", Attachments: []mailtest.File{{Name: "orig.eml", Type: "message/rfc822",
				Data: []byte("From: support@vendor.com\r\nTo: cy@acme.com\r\nMessage-ID: <" + ack + ">\r\nSubject: Re: [" + key + "] Login fails\r\n\r\nWe opened ticket\r\n")}}}
	}
	tests := []struct {
		name     string
		status   string
		mail     func(key, ack string) mailtest.Mail
		action   string
		reason   string
		want     string // the old ticket's status after the mail
		public   bool   // the comment on the old ticket, when commented
		followUp bool
	}{
		{name: "the customer's answer reopens a resolved ticket", status: "resolved", mail: reply,
			action: commands.IngestCommented, reason: "thread", want: "open", public: true},
		{name: "the customer's answer puts a waiting ticket back to open", status: "waiting", mail: reply,
			action: commands.IngestCommented, reason: "thread", want: "open", public: true},
		{name: "an agent's mail leaves a resolved ticket resolved", status: "resolved", mail: fromAgent,
			action: commands.IngestCommented, reason: "subject", want: "resolved", public: true},
		{name: "an out-of-office leaves a resolved ticket resolved", status: "resolved", mail: away,
			action: commands.IngestCommented, reason: "thread", want: "resolved"},
		{name: "a bounce leaves a resolved ticket resolved", status: "resolved", mail: bounce,
			action: commands.IngestCommented, reason: "thread", want: "resolved"},
		{name: "an out-of-office to a closed ticket stays a note on it", status: "closed", mail: away,
			action: commands.IngestCommented, reason: "thread", want: "closed"},
		{name: "an agent's mail to a closed ticket stays a comment on it", status: "closed", mail: fromAgent,
			action: commands.IngestCommented, reason: "subject", want: "closed", public: true},
		{name: "the customer's answer to a closed ticket opens a follow-up", status: "closed", mail: reply,
			action: commands.IngestCreated, reason: "follow-up of ACME-8 (closed)", want: "closed", followUp: true},
	}
	mailEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for i, tc := range tests {
			// An hour apart: acknowledgements to one address are rate-limited.
			e.clock.Advance(time.Hour)
			first := firstMail()
			first.MessageID = "first" + string(rune('a'+i)) + "@acme.com"
			old := e.ingest(t, first)
			ack := e.mails(t)[0]
			if _, err := e.svc.ChangeStatus(ctx, agent, old.TicketKey, tc.status); err != nil {
				t.Fatal(err)
			}
			e.posts(t)
			m := tc.mail(old.TicketKey, ack.MessageID)
			m.MessageID = "answer" + string(rune('a'+i)) + "@acme.com"
			comments := len(e.comments(t, old.TicketKey))
			e.clock.Advance(time.Minute)
			res := e.ingest(t, m)
			if res.Action != tc.action || !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("%s: got %+v, want %s (%q)", tc.name, res, tc.action, tc.reason)
				continue
			}
			if st := e.ticketOf(t, old.TicketKey).Status; st != tc.want {
				t.Errorf("%s: %s is %s, want %s", tc.name, old.TicketKey, st, tc.want)
			}
			cs := e.comments(t, old.TicketKey)
			switch {
			case tc.followUp:
				if len(cs) != comments {
					t.Errorf("%s: the closed ticket got a comment: %+v", tc.name, cs[len(cs)-1])
				}
				checkFollowUp(t, e, old.TicketKey, ack.MessageID, res)
			case len(cs) != comments+1 || cs[len(cs)-1].ID != res.CommentID || cs[len(cs)-1].Public != tc.public:
				t.Errorf("%s: comments %+v", tc.name, cs)
			}
		}
	})
}

// checkFollowUp checks the ticket a mail to the closed ticket oldKey
// opened, and where more mail in the old thread (after oldAck) goes.
func checkFollowUp(t *testing.T, e *env, oldKey, oldAck string, res *commands.IngestResult) {
	t.Helper()
	old, tk := e.ticketOf(t, oldKey), e.ticketOf(t, res.TicketKey)
	if tk.CustomerID != old.CustomerID || tk.RequesterEmail != "cy@acme.com" || tk.Title != "Login fails" || tk.Status != "new" ||
		tk.Description != "Follow-up of "+oldKey+" (closed).\n\nIt is broken again since the update." || tk.SlackChannel != "CACME" {
		t.Errorf("follow-up %+v", tk)
	}
	var links []*domain.Link
	if err := e.db.View(context.Background(), func(tx domain.Tx) (err error) {
		links, err = tx.Links(context.Background(), tk.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].FromID != tk.ID || links[0].ToID != old.ID || links[0].Kind != domain.LinkFollowUp {
		t.Errorf("links %+v", links)
	}
	// Each card names the other.
	if v, err := e.svc.Card(context.Background(), tk.ID); err != nil || strings.Join(v.FollowsUp, ",") != oldKey {
		t.Errorf("the follow-up's card: follows up %v (%v), want %s", v.FollowsUp, err, oldKey)
	}
	if v, err := e.svc.Card(context.Background(), old.ID); err != nil || !slices.Contains(v.FollowedUpBy, res.TicketKey) {
		t.Errorf("the closed ticket's card: followed up by %v (%v), want %s", v.FollowedUpBy, err, res.TicketKey)
	}
	var linked []string
	for _, key := range []string{res.TicketKey, oldKey} {
		for _, ev := range e.events(t, key) {
			if ev.Kind == domain.EventLinked {
				linked = append(linked, key+" "+ev.Field+" "+ev.NewValue)
			}
		}
	}
	if strings.Join(linked, "; ") != res.TicketKey+" follows_up "+oldKey+"; "+oldKey+" follows_up_by "+res.TicketKey {
		t.Errorf("link events %v", linked)
	}
	mails := e.mails(t)
	if len(mails) != 1 || mails[0].Kind != domain.MailKindAck || !strings.Contains(mails[0].Text, oldKey+" is closed, so we opened ticket "+res.TicketKey) ||
		!strings.Contains(mails[0].Subject, "["+res.TicketKey+"]") {
		t.Errorf("acknowledgement %+v", mails)
	}
	// The answer to the acknowledgement threads into the follow-up.
	again := e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Re: [" + res.TicketKey + "] Login fails",
		MessageID: "again@acme.com", InReplyTo: mails[0].MessageID, Body: "Logs attached."})
	if again.Action != commands.IngestCommented || again.TicketKey != res.TicketKey {
		t.Errorf("answer to the follow-up's acknowledgement: %+v", again)
	}
	// More mail in the old thread joins the follow-up while it is open...
	more := e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Re: Login fails",
		MessageID: "more@acme.com", InReplyTo: oldAck, Body: "And the export too."})
	if more.Action != commands.IngestCommented || more.TicketKey != res.TicketKey ||
		more.Reason != oldKey+" is closed: added to its follow-up "+res.TicketKey {
		t.Errorf("more mail in the old thread: %+v", more)
	}
	// ...and opens another once the follow-up is closed too.
	if _, err := e.svc.ChangeStatus(context.Background(), agent, res.TicketKey, "closed"); err != nil {
		t.Fatal(err)
	}
	last := e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Re: Login fails",
		MessageID: "last@acme.com", InReplyTo: oldAck, Body: "Broken once more."})
	if last.Action != commands.IngestCreated || last.TicketKey == res.TicketKey || last.Reason != "follow-up of "+oldKey+" (closed)" {
		t.Errorf("mail in the old thread after the follow-up closed: %+v", last)
	}
	if cs := e.comments(t, oldKey); len(cs) != 0 {
		t.Errorf("the closed ticket got comments: %+v", cs)
	}
}

// Mail to a resolved ticket its workflow will not reopen is a follow-up too.
func TestMailFollowsUpFinalResolved(t *testing.T) {
	mailEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cfg := configWith(t, noReopenFromResolved...)
		cfg.Email = e.svc.Config().Email
		e.svc.SetConfig(cfg)
		old := e.ingest(t, firstMail())
		ack := e.mails(t)[0]
		if _, err := e.svc.ChangeStatus(ctx, agent, old.TicketKey, "resolved"); err != nil {
			t.Fatal(err)
		}
		res := e.ingest(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Re: [ACME-1] Login fails", MessageID: "r@acme.com",
			InReplyTo: ack.MessageID, Body: "Not fixed."})
		if res.Action != commands.IngestCreated || res.TicketKey != "ACME-2" || res.Reason != "follow-up of ACME-1 (resolved)" {
			t.Fatalf("%+v", res)
		}
		if tk := e.ticketOf(t, "ACME-2"); !strings.HasPrefix(tk.Description, "Follow-up of ACME-1 (resolved).") {
			t.Errorf("description %q", tk.Description)
		}
		if st := e.ticketOf(t, "ACME-1").Status; st != "resolved" {
			t.Errorf("ACME-1 is %s", st)
		}
	})
}

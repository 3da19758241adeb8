package email_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/mail/mailtest"
)

// corpusDir is relative to the package, like the parser's tests.
const corpusDir = "../testdata/email"

type corpusMail struct {
	name string
	raw  []byte
	m    *mail.Message
}

func corpus(t testing.TB) []corpusMail {
	t.Helper()
	var out []corpusMail
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".eml") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := mail.Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		out = append(out, corpusMail{name: strings.TrimPrefix(path, corpusDir+"/"), raw: raw, m: m})
		return nil
	})
	if err != nil || len(out) < 70 {
		t.Fatalf("found %d corpus files under %s (err %v)", len(out), corpusDir, err)
	}
	return out
}

// corpusConfig makes the corpus's forwarders agents, so their forwards are
// filed for the original senders.
func corpusConfig() *domain.Config {
	cfg := domain.DefaultConfig()
	cfg.Email.Agents = []string{"foo@example.com", "xxxxxxxxx.xxxxxxx@gmail.com", "test@example.com", "dummy@example.com", "booewq@uuui.com"}
	return cfg
}

// TestCorpusIngest takes every corpus file through IngestEmail, as mail
// arrives, and checks what each became: a ticket for its sender (the
// original sender of an agent's forward) with its subject and its files,
// nothing for a robot's mail about no ticket, nothing twice for a
// Message-ID seen before.
func TestCorpusIngest(t *testing.T) {
	mails := corpus(t)
	forEachDB(t, corpusConfig(), func(t *testing.T, w *world) {
		ctx := context.Background()
		seen := map[string]string{} // key → ticket
		for _, c := range mails {
			res, err := w.svc.IngestEmail(ctx, c.raw, mail.ViaIMAP)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			key := c.m.Key(c.raw)
			want := commands.IngestCreated
			switch {
			case seen[key] != "":
				want = commands.IngestDuplicate
			case c.m.Auto == mail.AutoReply || c.m.Auto == mail.Bounce:
				want = commands.IngestIgnored
			}
			if res.Action != want {
				t.Errorf("%s: %s %s (%s), want %s", c.name, res.Action, res.TicketKey, res.Reason, want)
				continue
			}
			if want == commands.IngestDuplicate && res.TicketKey != seen[key] {
				t.Errorf("%s: duplicate of %s, want %s", c.name, res.TicketKey, seen[key])
			}
			if want != commands.IngestCreated {
				if seen[key] == "" {
					seen[key] = "-"
				}
				continue
			}
			seen[key] = res.TicketKey
			tk := w.ticket(t, res.TicketKey)
			from, subject := c.m.From, c.m.Subject
			if c.m.Forwarded != nil && c.m.Forwarded.From.Email != "" && slices.Contains(corpusConfig().Email.Agents, strings.ToLower(from.Email)) {
				from = c.m.Forwarded.From
				if c.m.Forwarded.Subject != "" {
					subject = c.m.Forwarded.Subject
				}
			}
			if tk.RequesterEmail != strings.ToLower(from.Email) || tk.Source != domain.SourceEmail || tk.Title == "" || len([]rune(tk.Title)) > commands.MaxTitle {
				t.Errorf("%s: ticket requester %q title %q, want requester %q", c.name, tk.RequesterEmail, tk.Title, from.Email)
			}
			if clean := mail.CleanSubject(subject); clean != "" && len([]rune(clean)) <= commands.MaxTitle && tk.Title != clean {
				t.Errorf("%s: title %q, want %q", c.name, tk.Title, clean)
			}
			var stored []*domain.Attachment
			_ = w.db.View(ctx, func(tx domain.Tx) (err error) {
				stored, err = tx.Attachments(ctx, tk.ID)
				return err
			})
			if len(stored) != len(c.m.Attachments) {
				t.Errorf("%s: %d attachments kept, the mail has %d", c.name, len(stored), len(c.m.Attachments))
			}
		}
	})
}

// TestCorpusThreading: each reply of the corpus threads into the ticket of
// the mail it answers — by its own In-Reply-To/References, and, as an
// answer to deskbot's acknowledgement, by deskbot's Message-ID.
func TestCorpusThreading(t *testing.T) {
	var replies []corpusMail
	for _, c := range corpus(t) {
		if strings.HasPrefix(c.name, "replies/") || (c.m.Auto == mail.AutoReply && len(c.m.InReplyTo) > 0) {
			replies = append(replies, c)
		}
	}
	if len(replies) < 8 {
		t.Fatalf("%d replies in the corpus", len(replies))
	}
	forEachDB(t, corpusConfig(), func(t *testing.T, w *world) {
		ctx := context.Background()
		for i, c := range replies {
			robot := c.m.Auto == mail.AutoReply || c.m.Auto == mail.Bounce
			// The mail it answers, by its own threading headers.
			if parent := lastOf(c.m.InReplyTo, c.m.References); parent != "" {
				res, err := w.svc.IngestEmail(ctx, mailtest.Mail{From: "support@elsewhere.example", To: addressOf(c.m.From),
					Subject: "Original", MessageID: parent, Body: "the question"}.Bytes(), mail.ViaSMTP)
				if err != nil || res.Action != commands.IngestCreated {
					t.Fatalf("%s: original: %+v %v", c.name, res, err)
				}
				got, err := w.svc.IngestEmail(ctx, c.raw, mail.ViaSMTP)
				if err != nil || got.Action != commands.IngestCommented || got.TicketKey != res.TicketKey {
					t.Errorf("%s: by its headers: %+v %v, want a comment on %s", c.name, got, err, res.TicketKey)
				} else if cs := comments(t, w, got.TicketKey); cs[len(cs)-1].Public == robot {
					t.Errorf("%s: public %v for a robot=%v", c.name, cs[len(cs)-1].Public, robot)
				}
				continue
			}
			// No threading headers: answer deskbot's acknowledgement instead.
			from := addressOf(c.m.From)
			res, err := w.svc.IngestEmail(ctx, mailtest.Mail{From: from, To: "support@vendor.com", Subject: "Question " + string(rune('a'+i)),
				MessageID: "q" + string(rune('a'+i)) + "@corpus.test", Body: "the question"}.Bytes(), mail.ViaSMTP)
			if err != nil || res.Action != commands.IngestCreated || !res.Acknowledged {
				t.Fatalf("%s: question: %+v %v", c.name, res, err)
			}
			ack := lastMail(t, w)
			raw := append([]byte("In-Reply-To: <"+ack.MessageID+">\r\n"), c.raw...)
			got, err := w.svc.IngestEmail(ctx, raw, mail.ViaSMTP)
			if err != nil || got.Action != commands.IngestCommented || got.TicketKey != res.TicketKey {
				t.Errorf("%s: as a reply to deskbot: %+v %v, want a comment on %s", c.name, got, err, res.TicketKey)
			}
		}
	})
}

func lastOf(inReplyTo, refs []string) string {
	if len(inReplyTo) > 0 {
		return inReplyTo[0]
	}
	if len(refs) > 0 {
		return refs[len(refs)-1]
	}
	return ""
}

func addressOf(a mail.Address) string {
	if a.Email == "" {
		return "nobody@corpus.test"
	}
	return a.Email
}

func comments(t *testing.T, w *world, key string) []*domain.Comment {
	t.Helper()
	cs, _, err := w.svc.History(context.Background(), agent, key)
	if err != nil || len(cs) == 0 {
		t.Fatalf("%s: comments %v %v", key, cs, err)
	}
	return cs
}

// lastMail takes the newest queued mail out of the outbox.
func lastMail(t *testing.T, w *world) mail.Outgoing {
	t.Helper()
	ms, err := w.db.ClaimOutbox(context.Background(), "", []string{domain.OutboxMail}, 100, 1000*time.Hour)
	if err != nil || len(ms) == 0 {
		t.Fatalf("no mail queued: %v", err)
	}
	var out mail.Outgoing
	if err := json.Unmarshal([]byte(ms[len(ms)-1].Payload), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail/mailtest"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// One mail cannot flood a channel: of a 5,000-part mail, 20 files are
// posted in the card's thread, the others are kept with the ticket and
// listed there, and nothing is lost.
func TestMailWithThousandsOfPartsPostsTwenty(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startMail(t, d)
			// Parsing 5,000 parts and storing 4,999 files under -race takes
			// seconds on a busy machine: more than waitCtx allows.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			raw := mailtest.ManyParts(5000) // a body and 4,999 files
			sendRaw(t, w.smtpAddr, raw)
			ch, ts := w.cardTS(t, "ACME-1")
			notice, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "Only 20 files of a mail are posted here")
			})
			if err != nil {
				t.Fatalf("no list of the files not posted: %v", err)
			}
			text := notice.Params["text"]
			if !strings.Contains(text, "file-0021.txt (18 bytes)") || !strings.Contains(text, "file-0070.txt") ||
				strings.Contains(text, "file-0071.txt") || !strings.Contains(text, "…and 4929 more.") {
				t.Errorf("notice:\n%s", text)
			}
			if n := len(text); n > 40000 {
				t.Errorf("the notice is %d characters: over Slack's limit", n)
			}

			// Every file is kept with the ticket; 20 uploads are queued, no more.
			tk := w.ticket(t, "ACME-1")
			var kept []*domain.Attachment
			if err := w.db.View(ctx, func(tx domain.Tx) (err error) { kept, err = tx.Attachments(ctx, tk.ID); return err }); err != nil {
				t.Fatal(err)
			}
			if len(kept) != 4999 {
				t.Errorf("%d files kept with the ticket, want 4999", len(kept))
			}
			queued := countRows(t, w, fmt.Sprintf("SELECT COUNT(*) FROM outbox WHERE kind = '%s'", domain.OutboxSlackFile))
			if queued != 20 {
				t.Errorf("%d uploads queued, want 20", queued)
			}
			w.eventually(t, "the 20 uploads", func() bool {
				return countRows(t, w, fmt.Sprintf("SELECT COUNT(*) FROM outbox WHERE kind = '%s' AND delivered_at IS NULL", domain.OutboxSlackFile)) == 0
			})
			files := w.emu.Files()
			if len(files) != 20 {
				t.Fatalf("%d files posted, want 20", len(files))
			}
			for i, f := range files {
				if want := fmt.Sprintf("file-%04d.txt", i+1); f.Name != want || f.Channel != ch || f.ThreadTS != ts || !f.Completed {
					t.Errorf("file %d: %s in %s/%s, want %s in the card's thread", i, f.Name, f.Channel, f.ThreadTS, want)
				}
			}
		})
	}
}

func countRows(t *testing.T, w *mailWorld, q string) int {
	t.Helper()
	var n int
	if err := w.db.SQL().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sendRaw speaks SMTP in clear with go-smtp's client, to send bytes no
// mail library would compose.
func sendRaw(t *testing.T, addr string, raw []byte) {
	t.Helper()
	c, err := gosmtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("mallory@acme.com", []string{"support@vendor.com"}, bytes.NewReader(raw)); err != nil {
		t.Fatalf("send: %v", err)
	}
}

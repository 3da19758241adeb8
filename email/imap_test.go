package email_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/email/emailtest"
	"github.com/deskbot/deskbot/mail/mailtest"
)

// mailbox is go-imap's in-process server with one user and an INBOX,
// that can go down and come back on the same address.
type mailbox struct {
	user *imapmemserver.User
	mem  *imapmemserver.Server
	addr string
	tls  *tls.Config // imaps: TLS from the first byte

	mu  sync.Mutex
	srv *imapserver.Server
}

func newMailbox(t *testing.T, serverTLS *tls.Config) *mailbox {
	t.Helper()
	mb := &mailbox{mem: imapmemserver.New(), user: imapmemserver.NewUser("desk", "secret"), addr: "127.0.0.1:0", tls: serverTLS}
	mb.mem.AddUser(mb.user)
	if err := mb.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mb.start(t)
	t.Cleanup(mb.stop)
	return mb
}

func (mb *mailbox) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", mb.addr)
	if err != nil {
		t.Fatal(err)
	}
	mb.addr = ln.Addr().String()
	if mb.tls != nil {
		ln = tls.NewListener(ln, mb.tls)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mb.mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger:       silent{},
	})
	go func() { _ = srv.Serve(ln) }()
	mb.mu.Lock()
	mb.srv = srv
	mb.mu.Unlock()
}

func (mb *mailbox) stop() {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if mb.srv != nil {
		_ = mb.srv.Close()
		mb.srv = nil
	}
}

func (mb *mailbox) url() string {
	if mb.tls != nil {
		return "imaps://desk:secret@" + mb.addr + "/INBOX"
	}
	return "imap://desk:secret@" + mb.addr + "/INBOX"
}

func (mb *mailbox) deliver(t *testing.T, m mailtest.Mail) {
	t.Helper()
	if _, err := mb.user.Append("INBOX", literal{bytes.NewReader(m.Bytes())}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// flags reads every message's flags, in order, as a mail client would.
func (mb *mailbox) flags(t *testing.T) [][]imap.Flag {
	t.Helper()
	c, err := imapclient.DialInsecure(mb.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("desk", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]imap.Flag
	for _, m := range msgs {
		out = append(out, m.Flags)
	}
	return out
}

type literal struct{ *bytes.Reader }

type silent struct{}

func (silent) Printf(string, ...any) {}

func seen(fs []imap.Flag) bool { return slices.Contains(fs, imap.FlagSeen) }

func TestIMAPPoll(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, w *world) {
		ctx := ctxT(t)
		mb := newMailbox(t, nil)
		mb.deliver(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "VPN down", MessageID: "i1@acme.com", Body: "No VPN."})
		mb.deliver(t, mailtest.Mail{From: "dee@acme.com", To: "support@vendor.com", Subject: "Printer", MessageID: "i2@acme.com", Body: "Jammed."})

		// The first poll crashes before the first commit: nothing is marked.
		var calls int
		failing := func(ctx context.Context, raw []byte, via string, to []string) error {
			calls++
			return errors.New("database unreachable")
		}
		p := poller(t, mb, failing)
		if err := p.PollIMAP(ctx); err == nil {
			t.Fatal("a failed ingest must fail the poll")
		}
		if calls != 1 || slices.ContainsFunc(mb.flags(t), seen) {
			t.Fatalf("after the crash: %d calls, flags %v", calls, mb.flags(t))
		}

		// The next poll takes both and marks them, once committed.
		p = poller(t, mb, w.svc.Ingest)
		if err := p.PollIMAP(ctx); err != nil {
			t.Fatal(err)
		}
		if fl := mb.flags(t); len(fl) != 2 || !seen(fl[0]) || !seen(fl[1]) {
			t.Fatalf("flags %v", fl)
		}
		if w.ticket(t, "ACME-1").Title != "VPN down" || w.ticket(t, "ACME-2").Title != "Printer" {
			t.Error("tickets")
		}

		// Committed but crashed before the flag: read again, processed once.
		mb.deliver(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Again", MessageID: "i3@acme.com", Body: "x"})
		crashAfterCommit := func(ctx context.Context, raw []byte, via string, to []string) error {
			if err := w.svc.Ingest(ctx, raw, via, to); err != nil {
				return err
			}
			return errors.New("crashed before the flag")
		}
		if err := poller(t, mb, crashAfterCommit).PollIMAP(ctx); err == nil {
			t.Fatal("want the crash")
		}
		if err := p.PollIMAP(ctx); err != nil {
			t.Fatal(err)
		}
		if fl := mb.flags(t); !seen(fl[2]) {
			t.Errorf("third message not marked: %v", fl)
		}
		if _, err := w.svc.Ticket(ctx, agent, "ACME-4"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("the re-read mail made a second ticket: %v", err)
		}

		// A message that can never be taken is flagged for a person, not retried forever.
		if _, err := mb.user.Append("INBOX", literal{bytes.NewReader([]byte("\r\n\r\n"))}, &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := p.PollIMAP(ctx); err != nil {
			t.Fatal(err)
		}
		if fl := mb.flags(t); !seen(fl[3]) || !slices.Contains(fl[3], imap.FlagFlagged) {
			t.Errorf("unreadable message: %v", fl[3])
		}

		// The server restarts: the poll fails once, the next reconnects.
		mb.stop()
		if err := p.PollIMAP(ctx); err == nil {
			t.Error("poll with the server down succeeded")
		}
		mb.start(t)
		mb.deliver(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "After restart", MessageID: "i5@acme.com", Body: "x"})
		if err := p.PollIMAP(ctx); err != nil {
			t.Fatalf("after restart: %v", err)
		}
		if w.ticket(t, "ACME-4").Title != "After restart" {
			t.Error("mail after the restart")
		}
	})
}

func poller(t *testing.T, mb *mailbox, ingest email.Ingest, clientTLS ...*tls.Config) *email.Poller {
	t.Helper()
	opts := email.IMAPOptions{URL: mb.url(), Ingest: ingest, Logger: logger()}
	if len(clientTLS) > 0 {
		opts.TLSConfig = clientTLS[0]
	}
	p, err := email.NewPoller(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func TestIMAPOverTLS(t *testing.T) {
	serverTLS, clientTLS := emailtest.TLS(t)
	w := newWorld(t, "sqlite", nil)
	mb := newMailbox(t, serverTLS)
	mb.deliver(t, mailtest.Mail{From: "cy@acme.com", To: "support@vendor.com", Subject: "Over TLS", MessageID: "tls@acme.com", Body: "x"})
	if err := poller(t, mb, w.svc.Ingest, clientTLS).PollIMAP(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if w.ticket(t, "ACME-1").Title != "Over TLS" {
		t.Error("not ingested")
	}
	for _, bad := range []string{"http://x", "imaps://", "pop3://u:p@host/INBOX"} {
		if _, err := email.NewPoller(email.IMAPOptions{URL: bad, Ingest: w.svc.Ingest}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

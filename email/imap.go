package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// IMAPOptions configure the mailbox poller.
type IMAPOptions struct {
	// URL is IMAP_URL: imaps://user:password@host[:993]/Mailbox is TLS from
	// the first byte; imap://…[:143] upgrades with STARTTLS, except on a
	// loopback address, where it may stay plain (a local test server or
	// bridge). The mailbox defaults to INBOX.
	URL    string
	Ingest Ingest
	Logger *slog.Logger
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	// Batch is the most messages taken per poll. Default 50.
	Batch int
	// Timeout bounds one poll, connection included. Default 2 min.
	Timeout time.Duration
}

// Poller takes new mail from a mailbox. A message is flagged \Seen only
// after its ticket or comment is committed: a crash in between leaves it
// unseen for the next poll, and the Message-ID check makes that second
// reading a no-op when the first one did commit.
type Poller struct {
	opts                 IMAPOptions
	addr, user, password string
	mailbox              string
	implicitTLS, plain   bool

	mu sync.Mutex // one poll at a time; guards c
	c  *imapclient.Client
}

// NewPoller checks the URL; it does not connect.
func NewPoller(opts IMAPOptions) (*Poller, error) {
	if opts.Ingest == nil {
		return nil, errors.New("email: IMAP poller needs an ingest function")
	}
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Hostname() == "" {
		return nil, errors.New("IMAP_URL: must look like imaps://user:password@host/Mailbox")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Batch <= 0 {
		opts.Batch = 50
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	p := &Poller{opts: opts, user: u.User.Username(), implicitTLS: u.Scheme == "imaps"}
	p.password, _ = u.User.Password()
	p.mailbox = strings.TrimPrefix(u.Path, "/")
	if p.mailbox == "" {
		p.mailbox = "INBOX"
	}
	port := u.Port()
	if port == "" {
		port = "143"
		if p.implicitTLS {
			port = "993"
		}
	}
	p.addr = net.JoinHostPort(u.Hostname(), port)
	if ip := net.ParseIP(u.Hostname()); !p.implicitTLS && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()) {
		p.plain = true
	}
	return p, nil
}

// PollIMAP takes the unseen messages of the mailbox, ingests each and
// flags it \Seen once committed. It stops at the first temporary failure
// (the database is down, say), leaving the rest for the next poll. A
// broken connection is dropped and made again on the next poll.
func (p *Poller) PollIMAP(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	err := p.poll(ctx)
	if err != nil && p.c != nil && !errors.Is(err, errIngest) {
		// After a protocol or network error the session state is unknown.
		_ = p.c.Close()
		p.c = nil
	}
	return err
}

// errIngest wraps failures of the use case, which leave the IMAP session sound.
var errIngest = errors.New("ingest failed")

func (p *Poller) poll(ctx context.Context) error {
	if p.c == nil {
		c, err := p.connect()
		if err != nil {
			return fmt.Errorf("imap: unable to connect to %s: %w", p.addr, err)
		}
		p.c = c
	}
	c := p.c
	// A hung server would block a command forever; closing the client
	// makes it fail.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()

	if _, err := c.Select(p.mailbox, nil).Wait(); err != nil {
		return fmt.Errorf("imap: unable to select %s: %w", p.mailbox, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap: unable to search: %w", err)
	}
	uids := found.AllUIDs()
	if len(uids) > p.opts.Batch {
		uids = uids[:p.opts.Batch]
	}
	for _, uid := range uids {
		if err := p.take(ctx, c, uid); err != nil {
			return err
		}
	}
	return nil
}

// take ingests one message and flags it seen.
func (p *Poller) take(ctx context.Context, c *imapclient.Client, uid imap.UID) error {
	section := &imap.FetchItemBodySection{Peek: true}
	bufs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return fmt.Errorf("imap: unable to fetch %d: %w", uid, err)
	}
	if len(bufs) == 0 {
		return nil // expunged meanwhile
	}
	raw := bufs[0].FindBodySection(section)
	flags := []imap.Flag{imap.FlagSeen}
	if err := p.opts.Ingest(ctx, raw, mail.ViaIMAP, nil); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return fmt.Errorf("imap: message %d left for the next poll: %w: %w", uid, errIngest, err)
		}
		// No poll will ever take it: flag it for a person and move on.
		p.opts.Logger.Warn("imap: message refused; flagged", "uid", uid, "err", err)
		flags = append(flags, imap.FlagFlagged)
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}
	if err := c.Store(imap.UIDSetNum(uid), store, nil).Close(); err != nil {
		return fmt.Errorf("imap: unable to flag %d seen: %w", uid, err)
	}
	return nil
}

func (p *Poller) connect() (*imapclient.Client, error) {
	opts := &imapclient.Options{TLSConfig: p.opts.TLSConfig, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	var c *imapclient.Client
	var err error
	switch {
	case p.implicitTLS:
		c, err = imapclient.DialTLS(p.addr, opts)
	case p.plain:
		c, err = imapclient.DialInsecure(p.addr, opts)
	default:
		c, err = imapclient.DialStartTLS(p.addr, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := c.Login(p.user, p.password).Wait(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("login as %s: %w", p.user, err)
	}
	return c, nil
}

// Close logs out.
func (p *Poller) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil {
		return nil
	}
	_ = p.c.Logout().Wait()
	err := p.c.Close()
	p.c = nil
	return err
}

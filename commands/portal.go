package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/linktoken"
	"github.com/deskbot/deskbot/domain/sla"
	"github.com/deskbot/deskbot/domain/textclean"
	"github.com/deskbot/deskbot/mail"
)

// ChannelPortal marks what a customer did on their ticket's page.
const ChannelPortal = "portal"

// PortalOptions turn on the customers' ticket page (PUBLIC_URL).
type PortalOptions struct {
	// URL is PUBLIC_URL; empty, no link is mailed and every token is refused.
	URL string
	// TTL is how long a link works after it was mailed (default 90 days).
	TTL time.Duration
	// KeyGrace is how long links signed by a retired key keep working
	// after `deskbot keys rotate` (default 30 days).
	KeyGrace time.Duration
}

// Defaults of PortalOptions.
const (
	DefaultLinkTTL  = 90 * 24 * time.Hour
	DefaultKeyGrace = 30 * 24 * time.Hour
)

func (p PortalOptions) normalized() PortalOptions {
	p.URL = strings.TrimRight(strings.TrimSpace(p.URL), "/")
	if p.TTL <= 0 {
		p.TTL = DefaultLinkTTL
	}
	if p.KeyGrace <= 0 {
		p.KeyGrace = DefaultKeyGrace
	}
	return p
}

// MaxPortalReply bounds a reply written on the page, in characters.
const MaxPortalReply = 20_000

// maxOtherTickets bounds the page's list of the requester's other tickets.
const maxOtherTickets = 20

// signingKey is the key that signs new links, made on first use.
func signingKey(ctx context.Context, tx domain.PortalStore) (*domain.PortalKey, error) {
	ks, err := tx.PortalKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if k.RetiredAt == nil {
			return k, nil
		}
	}
	k := &domain.PortalKey{Secret: make([]byte, 32)}
	_, _ = rand.Read(k.Secret)
	return k, tx.AddPortalKey(ctx, k)
}

// portalLink is the ticket's page link for an address, "" when the page is off.
func (s *Service) portalLink(ctx context.Context, tx domain.Tx, t *domain.Ticket, addr string) (string, error) {
	if s.portal.URL == "" || addr == "" {
		return "", nil
	}
	// Only the people of the ticket get a link: a rule's mail to a fixed
	// address (a manager, a partner) must not open the customer's page.
	if !strings.EqualFold(addr, t.RequesterEmail) {
		ps, err := tx.Participants(ctx, t.ID)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(ps, func(p *domain.Participant) bool { return strings.EqualFold(p.Email, addr) }) {
			return "", nil
		}
	}
	k, err := signingKey(ctx, tx)
	if err != nil {
		return "", err
	}
	return s.portal.URL + "/t/" + linktoken.Sign(k.Secret, k.ID, t.ID, addr, tx.Now()), nil
}

// portalLinkText is the paragraph a mail to a requester ends with.
func portalLinkText(link string) string {
	return "\n--\nSee your ticket and answer it online: " + link + "\n"
}

// RotateLinkKey retires the key signing the customers' links and makes a
// new one; links signed by the old one work for the grace period.
func (s *Service) RotateLinkKey(ctx context.Context) (*domain.PortalKey, error) {
	var k *domain.PortalKey
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		if err := tx.RetirePortalKeys(ctx); err != nil {
			return err
		}
		k = &domain.PortalKey{Secret: make([]byte, 32)}
		_, _ = rand.Read(k.Secret)
		return tx.AddPortalKey(ctx, k)
	})
	return k, err
}

// RevokeLinks stops every link to a ticket's page mailed so far; the
// next mail carries a fresh one.
func (s *Service) RevokeLinks(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, error) {
	if err := requireAgent(a, "revoke ticket links"); err != nil {
		return nil, err
	}
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		return tx.RevokePortalLinks(ctx, t.ID)
	})
	return t, err
}

// Errors of a link, worded for the customer.
var (
	errLinkInvalid = domain.Errorf(domain.ENOTFOUND, "This link is not valid. Use the link in the latest mail about your ticket.")
	errLinkExpired = domain.Errorf(domain.EFORBIDDEN, "This link has expired. Reply to any mail about your ticket and the answer will carry a fresh link.")
)

// PortalAccess is whom a valid link lets in, to what.
type PortalAccess struct {
	Ticket  *domain.Ticket
	Address string // the address the link was mailed to, lower case
	Name    string
	Issued  time.Time
	keys    []*domain.PortalKey // as read to check the link: they sign the other tickets' links
}

// Actor is the customer behind the link.
func (p *PortalAccess) Actor() domain.Actor {
	return domain.Actor{Email: p.Address, Name: p.Name, Channel: ChannelPortal, Role: domain.RoleCustomer, CustomerID: p.Ticket.CustomerID}
}

// openLink checks a token inside a transaction and reads its ticket.
func (s *Service) openLink(ctx context.Context, tx domain.Tx, token string) (*PortalAccess, error) {
	if s.portal.URL == "" {
		return nil, errLinkInvalid
	}
	c, err := linktoken.Parse(token)
	if err != nil {
		return nil, errLinkInvalid
	}
	ks, err := tx.PortalKeys(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ks, func(k *domain.PortalKey) bool { return k.ID == c.KeyID })
	now := tx.Now()
	if i < 0 || ks[i].RetiredAt != nil && !now.Before(ks[i].RetiredAt.Add(s.portal.KeyGrace)) {
		return nil, errLinkInvalid
	}
	if c, err = linktoken.Verify(token, ks[i].Secret, now, s.portal.TTL); errors.Is(err, linktoken.ErrExpired) {
		return nil, errLinkExpired
	} else if err != nil {
		return nil, errLinkInvalid
	}
	revoked, err := tx.PortalRevokedAt(ctx, c.TicketID)
	if err != nil {
		return nil, err
	}
	if !revoked.IsZero() && !c.Issued.After(revoked.Truncate(time.Second)) {
		return nil, errLinkInvalid
	}
	t, err := tx.Ticket(ctx, c.TicketID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errLinkInvalid
	} else if err != nil {
		return nil, err
	}
	acc := &PortalAccess{Ticket: t, Issued: c.Issued, keys: ks}
	if c.Matches(t.RequesterEmail) {
		acc.Address, acc.Name = strings.ToLower(t.RequesterEmail), t.RequesterName
		return acc, nil
	}
	ps, err := tx.Participants(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if c.Matches(p.Email) {
			acc.Address, acc.Name = p.Email, p.Name
			return acc, nil
		}
	}
	// The address is no longer on the ticket.
	return nil, errLinkInvalid
}

// PortalView is what the customer's page shows.
type PortalView struct {
	Access   *PortalAccess
	Key      string
	Title    string
	Status   string // in the customer's words (domain.Config.CustomerStatusLabel, as on their cards)
	Stage    string // the status's category: new, open, waiting, resolved, closed
	Priority string
	// Promise is the SLA clock the customer waits on; nil when none runs.
	Promise  *PortalPromise
	Location *time.Location // the SLA calendar's zone, else UTC: the fallback for the visitor's
	Messages []PortalMessage
	Others   []PortalOther
	// CanReply: an answer would reach the agents (a ticket over for good
	// tells to open a new one instead). CanSolve: "This is solved" applies.
	CanReply, CanSolve bool
	// Survey is the CSAT question when it is asked on this ticket; Rating
	// the customer's answer so far (0: none).
	Survey string
	Rating int
	// FileLimit is the size limit of one attachment.
	FileLimit int64
}

// PortalPromise is the SLA in plain words: what is promised and by when.
type PortalPromise struct {
	What   string        // "answer" or "solve"
	Within time.Duration // business time budget
	Due    time.Time     // zero while paused
	Paused bool
	Late   bool
}

// PortalMessage is one public message of the thread.
type PortalMessage struct {
	Author  string
	Support bool // an agent wrote it
	Body    string
	At      time.Time
	Files   []PortalFile
}

// PortalFile is a downloadable attachment.
type PortalFile struct {
	ID   int64
	Name string
	Size int64
}

// PortalOther is another ticket of the same requester, by its own link.
type PortalOther struct {
	Key, Title, Status, Token string
}

// Portal reads the ticket page a link opens.
func (s *Service) Portal(ctx context.Context, token string) (*PortalView, error) {
	cfg := s.Config()
	var v *PortalView
	err := s.store.View(ctx, func(tx domain.Tx) error {
		acc, err := s.openLink(ctx, tx, token)
		if err != nil {
			return err
		}
		v, err = s.portalView(ctx, tx, cfg, acc)
		return err
	})
	return v, err
}

func (s *Service) portalView(ctx context.Context, tx domain.Tx, cfg *domain.Config, acc *PortalAccess) (*PortalView, error) {
	t := acc.Ticket
	v := &PortalView{Access: acc, Key: t.Key(), Title: t.Title, Status: cfg.CustomerStatusLabel(t.Status), Priority: t.Priority,
		Location: time.UTC, FileLimit: cfg.Email.AttachmentLimitOrDefault()}
	if st := cfg.Status(t.Status); st != nil {
		v.Stage = st.Category
		v.CanSolve = !st.Done()
	}
	v.CanReply = !over(cfg, t)
	comments, err := tx.Comments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	files, err := tx.Attachments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	filesOf := func(commentID *int64) []PortalFile {
		var out []PortalFile
		for _, f := range files {
			if f.Stored && (f.CommentID == nil) == (commentID == nil) && (commentID == nil || *f.CommentID == *commentID) {
				out = append(out, PortalFile{ID: f.ID, Name: f.Filename, Size: f.Size})
			}
		}
		return out
	}
	opening := PortalMessage{Author: firstNonEmpty(t.RequesterName, t.RequesterEmail, "You"), Body: t.Description, At: t.CreatedAt, Files: filesOf(nil)}
	if opening.Body != "" || len(opening.Files) > 0 {
		v.Messages = append(v.Messages, opening)
	}
	for _, c := range comments {
		if !c.Public || c.DeletedAt != nil || c.AuthorRole == domain.RoleSystem {
			continue
		}
		m := PortalMessage{Body: c.Body, At: c.CreatedAt, Files: filesOf(&c.ID), Support: c.AuthorRole == domain.RoleAgent}
		if m.Support {
			// Agents' addresses stay private; their first name is enough.
			m.Author = firstNonEmpty(strings.Fields(c.AuthorName + " ")[0:1]...)
			m.Author = firstNonEmpty(m.Author, "Support")
		} else {
			m.Author = firstNonEmpty(c.AuthorName, c.AuthorEmail, "You")
		}
		v.Messages = append(v.Messages, m)
	}
	if cfg.PolicyFor(t.SLAPolicy) != nil {
		// loadSLA without reading the comments a second time: a long
		// thread is most of the page's reading.
		events, err := tx.Events(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		alerts, err := tx.SLAAlerts(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		sv := slaViewOf(t, slaRunOf(cfg, t, events, comments, alerts, tx.Now()), tx.Now())
		v.Location, v.Promise = sv.Location, promiseOf(sv)
	}
	if cfg.Survey.OnResolve && v.Stage == domain.CategoryResolved {
		v.Survey = cfg.Survey.Question
		if v.Rating, err = tx.PortalRating(ctx, t.ID, acc.Actor().Ref()); err != nil {
			return nil, err
		}
	}
	return v, s.otherTickets(ctx, tx, cfg, acc, v)
}

// promiseOf picks the clock the customer waits on: an answer, else the resolution.
func promiseOf(v *SLAView) *PortalPromise {
	for _, target := range []string{domain.TargetFirstResponse, domain.TargetNextResponse, domain.TargetResolution} {
		for _, c := range v.Clocks {
			if c.Target != target {
				continue
			}
			what := "answer"
			if target == domain.TargetResolution {
				what = "solve"
			}
			switch c.Status {
			case sla.OnTrack, sla.AtRisk, sla.Breached:
				if c.MetAt == nil {
					return &PortalPromise{What: what, Within: c.Clock.Target, Due: c.Due, Late: c.Status == sla.Breached}
				}
			case sla.Paused:
				return &PortalPromise{What: what, Within: c.Clock.Target, Paused: true}
			}
		}
	}
	return nil
}

func (s *Service) otherTickets(ctx context.Context, tx domain.Tx, cfg *domain.Config, acc *PortalAccess, v *PortalView) error {
	ts, err := tx.TicketsOfRequester(ctx, acc.Address, maxOtherTickets+1)
	if err != nil {
		return err
	}
	ks := acc.keys
	i := slices.IndexFunc(ks, func(k *domain.PortalKey) bool { return k.RetiredAt == nil })
	for _, o := range ts {
		if o.ID == acc.Ticket.ID || len(v.Others) == maxOtherTickets {
			continue
		}
		po := PortalOther{Key: o.Key(), Title: o.Title, Status: cfg.CustomerStatusLabel(o.Status)}
		if i >= 0 {
			po.Token = linktoken.Sign(ks[i].Secret, ks[i].ID, o.ID, acc.Address, tx.Now())
		}
		v.Others = append(v.Others, po)
	}
	return nil
}

// PortalFileIn is a file attached on the page.
type PortalFileIn struct {
	Name, ContentType string
	Data              []byte
}

// PortalReply adds the customer's answer from the page exactly as their
// mail would (addMail): a public comment in the card's thread with its
// files, which resumes a paused SLA clock and reopens a resolved ticket.
// nonce (the form's) makes a double submit one comment.
func (s *Service) PortalReply(ctx context.Context, token, nonce, body string, files []PortalFileIn) (*IngestResult, error) {
	body = strings.TrimSpace(textclean.Text(body))
	switch n := utf8.RuneCountInString(body); {
	case n == 0 && len(files) == 0:
		return nil, domain.FieldErrorf("body", "Write your answer first.")
	case n > MaxPortalReply:
		return nil, domain.FieldErrorf("body", "Your answer is %d characters long; keep it under %d.", n, MaxPortalReply)
	}
	cfg := s.Config()
	limit := cfg.Email.AttachmentLimitOrDefault()
	m := &mail.Message{Text: body}
	for _, f := range files {
		if int64(len(f.Data)) > limit {
			return nil, domain.FieldErrorf("files", "%s is %s; files up to %s can be attached.", textclean.FileName(f.Name), humanSize(int64(len(f.Data))), humanSize(limit))
		}
		m.Attachments = append(m.Attachments, mail.Attachment{Filename: textclean.FileName(f.Name), ContentType: f.ContentType, Size: len(f.Data), Data: f.Data})
	}
	if len(m.Attachments) > cfg.Email.FilesPerMailOrDefault() {
		return nil, domain.FieldErrorf("files", "Attach at most %d files at once.", cfg.Email.FilesPerMailOrDefault())
	}
	res := &IngestResult{}
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		acc, err := s.openLink(ctx, tx, token)
		if err != nil {
			return err
		}
		if nonce != "" {
			if first, err := tx.MarkProcessed(ctx, ChannelPortal, nonce); err != nil || !first {
				res.Action = IngestDuplicate
				return err
			}
		}
		t := acc.Ticket
		from := mail.Address{Name: acc.Name, Email: acc.Address}
		m.From, m.Subject = from, "Re: "+mail.ThreadSubject(t.Key(), t.Title, false)
		m.MessageID = portalMessageID(s.mail.domain())
		in := &inbound{m: m, key: m.MessageID, via: ChannelPortal, from: from, requester: from}
		return s.addMail(ctx, tx, cfg, in, t, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func portalMessageID(domainName string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "portal-" + hex.EncodeToString(b) + "@" + firstNonEmpty(domainName, "deskbot.invalid")
}

// PortalSolve is the customer's "This is solved": the ticket moves to
// the first resolved status its workflow allows from here.
func (s *Service) PortalSolve(ctx context.Context, token string) (*domain.Ticket, error) {
	cfg := s.Config()
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		acc, err := s.openLink(ctx, tx, token)
		if err != nil {
			return err
		}
		t = acc.Ticket
		if st := cfg.Status(t.Status); st == nil || st.Done() {
			return nil // solved already: a second click changes nothing
		}
		to := resolvedTo(cfg, t)
		if to == "" {
			return domain.Errorf(domain.EINVALID, "This ticket cannot be marked solved from here; answer it and we will close it.")
		}
		return s.moveStatus(ctx, tx, cfg, acc.Actor(), t, to)
	})
	return t, err
}

// resolvedTo is the first resolved status the workflow allows from here,
// else the first closed one; "" when none.
func resolvedTo(cfg *domain.Config, t *domain.Ticket) string {
	wf := cfg.WorkflowFor(t.Type)
	if wf == nil {
		return ""
	}
	for _, cat := range []string{domain.CategoryResolved, domain.CategoryClosed} {
		for _, to := range wf.Next(t.Status) {
			if st := cfg.Status(to); st != nil && st.Category == cat && wf.CheckMove(cfg, t.Status, to, t.Fields) == nil {
				return to
			}
		}
	}
	return ""
}

// PortalRate answers the CSAT question from the page.
func (s *Service) PortalRate(ctx context.Context, token string, rating int) error {
	var acc *PortalAccess
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		acc, err = s.openLink(ctx, tx, token)
		return err
	})
	if err != nil {
		return err
	}
	_, err = s.AnswerSurvey(ctx, acc.Actor(), acc.Ticket.Key(), rating)
	return err
}

// PortalAttachment reads a file of the ticket the link opens; a file of
// another ticket is not found.
func (s *Service) PortalAttachment(ctx context.Context, token string, id int64) (*domain.Attachment, error) {
	var a *domain.Attachment
	err := s.store.View(ctx, func(tx domain.Tx) error {
		acc, err := s.openLink(ctx, tx, token)
		if err != nil {
			return err
		}
		if a, err = tx.Attachment(ctx, id); err != nil {
			return err
		}
		if a.TicketID != acc.Ticket.ID || !a.Stored || !s.publicFile(ctx, tx, a) {
			return domain.Errorf(domain.ENOTFOUND, "File not found.")
		}
		return nil
	})
	return a, err
}

// publicFile: a file of an internal note stays internal.
func (s *Service) publicFile(ctx context.Context, tx domain.Tx, a *domain.Attachment) bool {
	if a.CommentID == nil {
		return true
	}
	cs, err := tx.Comments(ctx, a.TicketID)
	if err != nil {
		return false
	}
	for _, c := range cs {
		if c.ID == *a.CommentID {
			return c.Public && c.DeletedAt == nil
		}
	}
	return false
}

// PortalAddress is the address a link was mailed to, for rate limits
// keyed by it; "" when the link is not valid.
func (s *Service) PortalAddress(ctx context.Context, token string) (string, error) {
	var addr string
	err := s.store.View(ctx, func(tx domain.Tx) error {
		acc, err := s.openLink(ctx, tx, token)
		if err == nil {
			addr = acc.Address
		}
		return err
	})
	return addr, err
}

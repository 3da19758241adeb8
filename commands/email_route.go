package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// inbound is a parsed mail with what routing needs to know about its
// people, worked out before the transaction.
type inbound struct {
	m        *mail.Message
	key, via string
	from     mail.Address // the sender, address lower-cased
	// fromAgent: the sender is an agent (email.agents, or MAIL_FROM's domain).
	fromAgent bool
	// requester is whom a new ticket is for: the sender, or the original
	// sender of a mail an agent forwarded (then forwarded is true).
	requester mail.Address
	forwarded bool
	// keys are ticket keys named by the mail: plus tags first, then the subject.
	keys []keyRef
	// customerTags are plus tags that may name a customer (support+acme@).
	customerTags []string
	// copied are the other people on the mail: neither deskbot, nor an
	// agent, nor the requester. They become the ticket's cc participants.
	copied []mail.Address
}

type keyRef struct{ key, how string }

func lower(a mail.Address) mail.Address {
	return mail.Address{Name: a.Name, Email: strings.ToLower(strings.TrimSpace(a.Email))}
}

func (s *Service) inbound(cfg *domain.Config, m *mail.Message, raw []byte, via string, envelopeTo []string) *inbound {
	in := &inbound{m: m, key: m.Key(raw), via: via, from: lower(m.From)}
	in.fromAgent = s.isAgentMail(cfg, in.from.Email)
	in.requester = in.from
	if m.Forwarded != nil && in.fromAgent && m.Forwarded.From.Email != "" {
		in.requester, in.forwarded = lower(m.Forwarded.From), true
	}
	ours := s.MailDomains()
	var rcpts []string
	rcpts = append(rcpts, envelopeTo...)
	for _, a := range slices.Concat(m.To, m.Cc) {
		rcpts = append(rcpts, a.Email)
	}
	for _, r := range rcpts {
		if !slices.Contains(ours, mail.DomainOf(r)) {
			continue
		}
		_, tag := mail.PlusTag(r)
		switch up := strings.ToUpper(tag); {
		case tag == "":
		case domain.IsKey(tag):
			if !slices.ContainsFunc(in.keys, func(k keyRef) bool { return k.key == up }) {
				in.keys = append(in.keys, keyRef{up, "plus address"})
			}
		case domain.ValidateCustomerKey(up) == nil && !slices.Contains(in.customerTags, up):
			in.customerTags = append(in.customerTags, up)
		}
	}
	if k, ok := mail.TicketKeyInSubject(m.Subject); ok && !slices.ContainsFunc(in.keys, func(r keyRef) bool { return r.key == k }) {
		in.keys = append(in.keys, keyRef{k, "subject"})
	}
	if !in.forwarded {
		// The agent's own copies are not the customer's: a forward's To
		// and Cc are deskbot and the agent's colleagues.
		for _, a := range slices.Concat(m.To, m.Cc) {
			a = lower(a)
			if a.Email == "" || a.Email == in.requester.Email || slices.Contains(ours, mail.DomainOf(a.Email)) ||
				s.isAgentMail(cfg, a.Email) || slices.ContainsFunc(in.copied, func(c mail.Address) bool { return c.Email == a.Email }) {
				continue
			}
			in.copied = append(in.copied, a)
		}
	}
	return in
}

// isAgentMail tells an agent by address: listed in email.agents, or at
// MAIL_FROM's domain — unless that is a public mail service, where the
// domain says nothing about who works for the vendor.
func (s *Service) isAgentMail(cfg *domain.Config, addr string) bool {
	addr = strings.ToLower(addr)
	if addr == "" || addr == s.mail.Address {
		return false
	}
	if slices.Contains(cfg.Email.Agents, addr) {
		return true
	}
	d := s.mail.domain()
	return d != "" && !publicMailDomains[d] && mail.DomainOf(addr) == d
}

// publicMailDomains are mail services anyone can sign up to.
var publicMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"msn.com": true, "yahoo.com": true, "icloud.com": true, "me.com": true, "aol.com": true, "gmx.com": true,
	"gmx.de": true, "gmx.net": true, "web.de": true, "proton.me": true, "protonmail.com": true, "zoho.com": true,
	"yandex.ru": true, "mail.ru": true, "qq.com": true, "163.com": true, "fastmail.com": true,
}

// threadOf finds the ticket a mail continues: one of its In-Reply-To or
// References (a bounce: the Message-ID of the mail it returns) recorded
// for a ticket, else a key in a plus address or the subject. Only a
// deskbot Message-ID is proof enough by itself; a customer's Message-ID
// or a key counts only from someone on that ticket, so a stranger cannot
// write into another customer's ticket by typing its key.
func (s *Service) threadOf(ctx context.Context, tx domain.Tx, cfg *domain.Config, in *inbound, res *IngestResult) (*domain.Ticket, string, error) {
	ids := slices.Clone(in.m.InReplyTo)
	for i := len(in.m.References) - 1; i >= 0; i-- {
		ids = append(ids, in.m.References[i]) // the newest reference is last
	}
	if in.m.Auto == mail.Bounce {
		ids = append(ids, mail.ReturnedMessageIDs(in.m)...)
	}
	if len(ids) > 0 {
		tm, err := tx.FindTicketMessage(ctx, ids)
		switch {
		case err == nil:
			t, err := tx.Ticket(ctx, tm.TicketID)
			if err != nil {
				return nil, "", err
			}
			// Deskbot's own Message-IDs are random: answering one proves the
			// sender got that mail. A customer's may be known to others.
			ok := tm.Direction == domain.MailOut
			if !ok {
				if ok, err = s.onTicket(ctx, tx, in, t); err != nil {
					return nil, "", err
				}
			}
			if ok {
				t, err = followMerges(ctx, tx, t)
				return t, "thread", err
			}
			res.Reason = fmt.Sprintf("thread of %s not trusted: %s is not on that ticket;", t.Key(), firstNonEmpty(in.from.Email, "an unknown sender"))
		case domain.ErrorCode(err) != domain.ENOTFOUND:
			return nil, "", err
		}
	}
	for _, k := range in.keys {
		t, err := tx.TicketByKey(ctx, k.key)
		if domain.ErrorCode(err) == domain.ENOTFOUND || domain.ErrorCode(err) == domain.EINVALID {
			continue
		} else if err != nil {
			return nil, "", err
		}
		ok, err := s.onTicket(ctx, tx, in, t)
		if err != nil {
			return nil, "", err
		}
		if ok {
			// The key of a merged ticket goes on in its target.
			t, err = followMerges(ctx, tx, t)
			return t, k.how, err
		}
		res.Reason = fmt.Sprintf("%s in the %s not trusted: %s is not on that ticket;", k.key, k.how, firstNonEmpty(in.from.Email, "an unknown sender"))
	}
	return nil, "", nil
}

// onTicket tells whether the sender may write into a ticket by its key:
// an agent, the requester, someone already on it, or someone of the
// ticket's own customer (by email domain).
func (s *Service) onTicket(ctx context.Context, tx domain.Tx, in *inbound, t *domain.Ticket) (bool, error) {
	switch {
	case in.fromAgent:
		return true, nil
	case in.from.Email == "":
		return false, nil
	case strings.EqualFold(t.RequesterEmail, in.from.Email):
		return true, nil
	}
	ps, err := tx.Participants(ctx, t.ID)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(ps, func(p *domain.Participant) bool { return p.Email == in.from.Email }) {
		return true, nil
	}
	p, err := tx.CustomerByDomain(ctx, mail.DomainOf(in.from.Email))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, nil
	}
	return err == nil && p.ID == t.CustomerID, err
}

// mailCustomer is the customer of a new ticket from mail: a plus tag
// naming one (support+acme@), else the requester's email domain, else
// the triage customer: mail is never refused for want of a customer.
func (s *Service) mailCustomer(ctx context.Context, tx domain.Tx, in *inbound) (*domain.Customer, error) {
	for _, tag := range in.customerTags {
		p, err := tx.CustomerByKey(ctx, tag)
		if err == nil && p.Key != TriageKey {
			return p, nil
		} else if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
	}
	if d := mail.DomainOf(in.requester.Email); d != "" && !slices.Contains(s.MailDomains(), d) {
		p, err := tx.CustomerByDomain(ctx, d)
		if err == nil {
			return p, nil
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
	}
	return triageCustomer(ctx, tx)
}

package commands

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
)

// Person is someone who is not an agent, as the transport knows them:
// the organisation they come from (a Slack Connect team; empty for people
// of the vendor's own workspace), their email and where they wrote.
type Person struct {
	TeamID, TeamName string
	Email            string
	ChannelID        string
}

// NoticeNewCustomer tells the agents, once, that an organisation nobody
// had filed became a customer of its own (Args: key, name, channel).
const NoticeNewCustomer = "new_customer"

// CustomerOf tells which customer a person belongs to: their
// organisation's, else their email domain's, else — for an organisation
// seen for the first time — the customer whose channel they wrote in, or a
// new customer under the organisation's name, announced to the agents.
// The organisation is then remembered: its people are that customer's
// wherever they write. nil when nothing tells (a guest of the vendor's
// own workspace writing outside any customer's channel).
func (s *Service) CustomerOf(ctx context.Context, who Person) (*domain.Customer, error) {
	var p *domain.Customer
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		p, err = knownCustomerOf(ctx, tx, who)
		return err
	})
	if err != nil || p != nil || who.TeamID == "" {
		return p, err
	}
	err = s.store.Update(ctx, func(tx domain.Tx) (err error) {
		p, err = s.fileOrganisation(ctx, tx, who)
		return err
	})
	return p, err
}

// knownCustomerOf answers from what is on file, without writing.
func knownCustomerOf(ctx context.Context, tx domain.CustomerStore, who Person) (*domain.Customer, error) {
	if who.TeamID != "" {
		p, err := tx.CustomerByTeam(ctx, who.TeamID)
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			return p, err
		}
	}
	if p, err := customerByEmail(ctx, tx, who.Email); p != nil || err != nil {
		return p, err
	}
	if who.TeamID == "" && who.ChannelID != "" {
		p, err := tx.CustomerByChannel(ctx, who.ChannelID)
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			return p, err
		}
	}
	return nil, nil
}

func customerByEmail(ctx context.Context, tx domain.CustomerStore, addr string) (*domain.Customer, error) {
	d := mail.DomainOf(addr)
	if d == "" {
		return nil, nil
	}
	p, err := tx.CustomerByDomain(ctx, d)
	if domain.ErrorCode(err) == domain.ENOTFOUND || p != nil && p.Key == TriageKey {
		return nil, nil
	}
	return p, err
}

// fileOrganisation files an organisation seen for the first time.
func (s *Service) fileOrganisation(ctx context.Context, tx domain.Tx, who Person) (*domain.Customer, error) {
	if p, err := tx.CustomerByTeam(ctx, who.TeamID); domain.ErrorCode(err) != domain.ENOTFOUND {
		return p, err // another replica filed it meanwhile
	}
	p, err := customerByEmail(ctx, tx, who.Email)
	if err != nil {
		return nil, err
	}
	if p == nil && who.ChannelID != "" {
		// A shared channel linked to a customer is that customer's
		// organisation speaking.
		if p, err = tx.CustomerByChannel(ctx, who.ChannelID); domain.ErrorCode(err) == domain.ENOTFOUND {
			p, err = nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	name := strings.TrimSpace(who.TeamName)
	if name == "" {
		name = "Organisation " + who.TeamID
	}
	created := p == nil
	if created {
		key, err := freeKey(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		p = &domain.Customer{Key: key, Name: name, TimeZone: "UTC"}
		if err := tx.CreateCustomer(ctx, p); err != nil {
			return nil, err
		}
	}
	linked, err := tx.LinkTeam(ctx, who.TeamID, name, p.ID)
	if err != nil || !created {
		return linked, err
	}
	return linked, s.announceCustomer(ctx, tx, linked, who)
}

// announceCustomer tells the agents about a customer deskbot created: in
// the triage channel, else to the admins and leads.
func (s *Service) announceCustomer(ctx context.Context, tx domain.OutboxStore, p *domain.Customer, who Person) error {
	job := PostJob{Notice: NoticeNewCustomer, Args: map[string]string{"key": p.Key, "name": p.Name, "channel": who.ChannelID}}
	once := "new-customer:" + p.Key
	if s.triageChannel != "" {
		job.Channel = s.triageChannel
		return postOnce(ctx, tx, job, once)
	}
	cfg := s.Config()
	seen := map[string]bool{}
	for _, u := range append(append([]string(nil), cfg.Slack.Admins...), cfg.Slack.Leads...) {
		if seen[u] {
			continue
		}
		seen[u] = true
		job.User = u
		if err := postOnce(ctx, tx, job, once+":"+u); err != nil {
			return err
		}
	}
	return nil
}

// freeKey makes a customer key from a name ("Globex Corporation" →
// GLOBEX), numbered when taken (GLOBEX2).
func freeKey(ctx context.Context, tx domain.CustomerStore, name string) (string, error) {
	base := keyFrom(name)
	for i := 1; i < 1000; i++ {
		key := base
		if i > 1 {
			n := fmt.Sprint(i)
			key = base[:min(len(base), 10-len(n))] + n
		}
		_, err := tx.CustomerByKey(ctx, key)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return key, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", domain.Errorf(domain.ECONFLICT, "No free customer key for %s.", name)
}

func keyFrom(name string) string {
	var words []string
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		var b strings.Builder
		for _, r := range strings.ToUpper(w) {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			words = append(words, b.String())
		}
	}
	key := ""
	for _, w := range words {
		if key += w; len(key) >= 3 {
			break
		}
	}
	if len(key) < 2 || key[0] < 'A' || key[0] > 'Z' || key == TriageKey {
		key = "ORG" + key
	}
	return key[:min(len(key), 10)]
}

// triageCustomer is the customer of tickets whose customer is not known
// yet, created on first need.
func triageCustomer(ctx context.Context, tx domain.CustomerStore) (*domain.Customer, error) {
	// Read first: the insert of EnsureCustomer would wait for every other
	// transaction numbering a triage ticket, even though the row exists.
	p, err := tx.CustomerByKey(ctx, TriageKey)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		return p, err
	}
	return tx.EnsureCustomer(ctx, &domain.Customer{Key: TriageKey, Name: "Triage (customer not known yet)"})
}

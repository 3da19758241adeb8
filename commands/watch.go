package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// NoticeWatchDigest: to User, the public changes made to the tickets they
// follow in [from, to) (Args: from, to, RFC 3339), by other people.
const NoticeWatchDigest = "watch_digest"

// Follow makes an agent a watcher of a ticket and reports false when they
// already were. Only agents follow: a watcher hears of every public change
// by DM, whoever's customer the ticket is.
func (s *Service) Follow(ctx context.Context, a domain.Actor, key string, follow bool) (*domain.Ticket, bool, error) {
	if err := requireAgent(a, "follow tickets"); err != nil {
		return nil, false, err
	}
	if a.UserID == "" {
		return nil, false, domain.Errorf(domain.EINVALID, "Only Slack users can follow tickets.")
	}
	var t *domain.Ticket
	var did bool
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		if follow {
			did, err = tx.Follow(ctx, t.ID, a.UserID)
		} else {
			did, err = tx.Unfollow(ctx, t.ID, a.UserID)
		}
		return err
	})
	return t, did, err
}

// notifyWatchers is a change hook: each public change written in this
// transaction (the events at its instant) is noted for every watcher who
// did not make it, and one DM per watcher and minute is queued — its
// outbox row, keyed by watcher and minute, is written once however many
// changes fall in that minute, and is due when the minute ends. The
// outbox delivers it once across replicas, and the DM reads the minute's
// notes when it goes out.
func (s *Service) notifyWatchers(ctx context.Context, tx domain.Tx, _ *domain.Config, t *domain.Ticket, _ []string) error {
	watchers, err := tx.Watchers(ctx, t.ID)
	if err != nil || len(watchers) == 0 {
		return err
	}
	events, err := tx.Events(ctx, t.ID)
	if err != nil {
		return err
	}
	now := tx.Now()
	for _, e := range events {
		if e.At.Before(now.Add(-time.Millisecond)) || !domain.Watched(e) {
			continue
		}
		for _, w := range watchers {
			if w == e.Actor {
				continue
			}
			if err := tx.AddWatchNote(ctx, w, e.ID); err != nil {
				return err
			}
			if err := queueWatchDigest(ctx, tx, w, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func queueWatchDigest(ctx context.Context, tx domain.OutboxStore, user string, now time.Time) error {
	from := now.UTC().Truncate(domain.WatchBatch)
	to := from.Add(domain.WatchBatch)
	payload, err := json.Marshal(PostJob{Notice: NoticeWatchDigest, User: user,
		Args: map[string]string{"from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339)}})
	if err != nil {
		return fmt.Errorf("commands: unable to encode post: %w", err)
	}
	key := fmt.Sprintf("watch:%s:%d", user, from.Unix())
	// Due a moment after the minute ends, so a transaction that started
	// in it has committed its notes.
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: string(payload), DedupKey: &key,
		NextAttempt: to.Add(2 * time.Second)})
}

// WatchDigest lists the changes user is told of for [from, to).
func (s *Service) WatchDigest(ctx context.Context, user string, from, to time.Time) ([]*domain.WatchNote, error) {
	var out []*domain.WatchNote
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		out, err = tx.WatchNotes(ctx, user, from, to)
		return err
	})
	return out, err
}

// SetCc adds or removes addresses on a ticket's CC list (agents): they
// get agents' replies by mail, and may write into the ticket by its key,
// as the people a requester copied do. The requester stays.
func (s *Service) SetCc(ctx context.Context, a domain.Actor, key string, add bool, addrs []string) (*domain.Ticket, []string, error) {
	if err := requireAgent(a, "change CC lists"); err != nil {
		return nil, nil, err
	}
	emails, err := parseEmails(addrs)
	if err != nil {
		return nil, nil, err
	}
	var t *domain.Ticket
	var cc []string
	err = s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		ps, err := tx.Participants(ctx, t.ID)
		if err != nil {
			return err
		}
		if cc, err = s.changeCc(ctx, tx, a, t, ps, add, emails); err != nil {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	return t, cc, err
}

func (s *Service) changeCc(ctx context.Context, tx domain.Tx, a domain.Actor, t *domain.Ticket, ps []*domain.Participant, add bool, emails []string) ([]string, error) {
	var cc []string
	has := map[string]bool{}
	for _, p := range ps {
		has[p.Email] = true
		if p.Role != domain.ParticipantRequester {
			cc = append(cc, p.Email)
		}
	}
	changed := false
	for _, e := range emails {
		switch {
		case strings.EqualFold(e, t.RequesterEmail):
			return nil, domain.Errorf(domain.EINVALID, "%s is the requester; they get every reply already.", e)
		case add && !has[e]:
			if err := tx.AddParticipants(ctx, []*domain.Participant{{TicketID: t.ID, Email: e, Role: domain.ParticipantCc}}); err != nil {
				return nil, err
			}
			cc = append(cc, e)
		case !add && has[e]:
			if _, err := tx.RemoveParticipant(ctx, t.ID, e); err != nil {
				return nil, err
			}
			cc = slices.DeleteFunc(cc, func(x string) bool { return x == e })
		default:
			continue
		}
		changed = true
		old, new := "", e
		if !add {
			old, new = e, ""
		}
		if err := event(ctx, tx, a, t, domain.EventField, "cc", old, new); err != nil {
			return nil, err
		}
	}
	if changed {
		return cc, s.changed(ctx, tx, s.Config(), t, domain.EventField)
	}
	return cc, nil
}

// parseEmails reads addresses, lower-cased; a bad one is refused by name.
func parseEmails(addrs []string) ([]string, error) {
	var out []string
	for _, s := range addrs {
		s = strings.Trim(strings.TrimSpace(s), "<>,;")
		if s == "" {
			continue
		}
		// Slack writes an address as <mailto:a@b.c|a@b.c>.
		if m, ok := strings.CutPrefix(s, "mailto:"); ok {
			s, _, _ = strings.Cut(m, "|")
		}
		p, err := mail.ParseAddress(s)
		if err != nil || p.Address != s || !strings.Contains(s, "@") {
			return nil, domain.Errorf(domain.EINVALID, "%q is not an email address (like ana@acme.com).", s)
		}
		out = append(out, strings.ToLower(s))
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "Name the addresses: `/ticket ACME-7 cc add ana@acme.com`.")
	}
	return out, nil
}

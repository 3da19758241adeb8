package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskbot/deskbot/backup"
	"github.com/deskbot/deskbot/domain"
)

// ForeignOptions change how another helpdesk's tickets are loaded.
type ForeignOptions struct {
	Customer string // a customer key: every ticket goes to it
}

// ForeignSummary is what ImportForeign did.
type ForeignSummary struct {
	NewCustomers []string // keys created
	Tickets      int      // tickets created
	Comments     int
	Already      []string // "zammad:17 is ACME-3": imported before, left as they are
}

// ImportForeign loads mapped tickets (backup.Foreign, resolved) in one
// transaction, into a database that may hold tickets already: customers
// are matched (key, name, email domain) or created, tickets numbered on
// from the customer's last, with their times, requester and conversation.
// A ticket imported before (same source_ref) is left as it is, so the
// same file can be loaded twice.
func (d *DB) ImportForeign(ctx context.Context, f *backup.Foreign, opts ForeignOptions) (ForeignSummary, error) {
	var sum ForeignSummary
	err := d.Update(ctx, func(dtx domain.Tx) error {
		sum = ForeignSummary{}
		tx := dtx.(*Tx)
		customers, err := tx.foreignCustomers(ctx, f, opts, &sum)
		if err != nil {
			return err
		}
		for _, t := range f.Tickets {
			if err := tx.foreignTicket(ctx, f.Source, t, customers[t.CustomerRef], &sum); err != nil {
				return fmt.Errorf("line %d (%s): %w", t.Line, t.Ref, err)
			}
		}
		return nil
	})
	return sum, err
}

func (tx *Tx) foreignCustomers(ctx context.Context, f *backup.Foreign, opts ForeignOptions, sum *ForeignSummary) (map[string]*domain.Customer, error) {
	out := map[string]*domain.Customer{}
	if opts.Customer != "" {
		c, err := tx.CustomerByKey(ctx, opts.Customer)
		if err != nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "No customer %s: create it first, or leave out --customer to map customers from the file.", opts.Customer)
		}
		for _, fc := range f.Customers {
			out[fc.Ref] = c
		}
		return out, nil
	}
	for _, fc := range f.Customers {
		c, err := tx.matchCustomer(ctx, fc)
		if err != nil {
			return nil, err
		}
		if c == nil {
			if c, err = tx.newForeignCustomer(ctx, fc); err != nil {
				return nil, err
			}
			sum.NewCustomers = append(sum.NewCustomers, c.Key)
		}
		out[fc.Ref] = c
	}
	return out, nil
}

// matchCustomer finds the customer a foreign one is: by key, by name, by
// email domain; nil when none.
func (tx *Tx) matchCustomer(ctx context.Context, fc *backup.ForeignCustomer) (*domain.Customer, error) {
	if fc.Key != "" {
		c, err := tx.CustomerByKey(ctx, fc.Key)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, nil
		}
		return c, err
	}
	var ids []int64
	if err := tx.selectAll(ctx, &ids, `SELECT id FROM customers WHERE lower(name) = ? ORDER BY id`, strings.ToLower(fc.Name)); err != nil {
		return nil, fmt.Errorf("store: unable to find customer %q: %w", fc.Name, err)
	}
	if len(ids) > 0 {
		return tx.Customer(ctx, ids[0])
	}
	for _, dom := range fc.Domains {
		c, err := tx.CustomerByDomain(ctx, dom)
		if err == nil {
			return c, nil
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
	}
	return nil, nil
}

func (tx *Tx) newForeignCustomer(ctx context.Context, fc *backup.ForeignCustomer) (*domain.Customer, error) {
	base := fc.Key
	if base == "" {
		base = backup.KeyFrom(fc.Name)
	}
	for i := 1; i < 1000; i++ {
		key := base
		if i > 1 {
			n := fmt.Sprint(i)
			key = base[:min(len(base), 10-len(n))] + n
		}
		if _, err := tx.CustomerByKey(ctx, key); domain.ErrorCode(err) != domain.ENOTFOUND {
			if err != nil {
				return nil, err
			}
			continue
		}
		c := &domain.Customer{Key: key, Name: fc.Name, TimeZone: "UTC", EmailDomains: strings.Join(fc.Domains, ",")}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, domain.Errorf(domain.ECONFLICT, "No free customer key for %s.", fc.Name)
}

func (tx *Tx) foreignTicket(ctx context.Context, source string, ft *backup.ForeignTicket, c *domain.Customer, sum *ForeignSummary) error {
	var ids []int64
	if err := tx.selectAll(ctx, &ids, `SELECT id FROM tickets WHERE source = ? AND source_ref = ?`, domain.SourceCLI, ft.Ref); err != nil {
		return fmt.Errorf("store: unable to find ticket %s: %w", ft.Ref, err)
	}
	if len(ids) > 0 {
		t, err := tx.Ticket(ctx, ids[0])
		if err != nil {
			return err
		}
		sum.Already = append(sum.Already, ft.Ref+" is "+domain.FormatKey(t.CustomerKey, t.Number))
		return nil
	}
	t := &domain.Ticket{CustomerID: c.ID, Title: ft.Title, Description: ft.Description, Type: ft.Type, Status: ft.Status,
		Priority: ft.Priority, RequesterEmail: ft.RequesterEmail, RequesterName: ft.RequesterName,
		Source: domain.SourceCLI, SourceRef: ft.Ref, CreatedBy: ft.RequesterEmail}
	if err := tx.CreateTicket(ctx, t); err != nil {
		return err
	}
	var resolved, closed *time.Time
	if ft.Category == "resolved" || ft.Category == "closed" {
		at := ft.UpdatedAt
		if ft.ClosedAt != nil {
			at = *ft.ClosedAt
		}
		resolved = &at
		if ft.Category == "closed" {
			closed = &at
		}
	}
	if _, err := tx.exec(ctx, `UPDATE tickets SET created_at = ?, updated_at = ?, resolved_at = ?, closed_at = ? WHERE id = ?`,
		ts(ft.CreatedAt), ts(ft.UpdatedAt), tsp(resolved), tsp(closed), t.ID); err != nil {
		return fmt.Errorf("store: unable to date ticket %s: %w", ft.Ref, err)
	}
	e := &domain.Event{TicketID: t.ID, Actor: "import", Channel: domain.ChannelCLI, Kind: domain.EventCreated, NewValue: source + " " + ft.Ref}
	if err := tx.AddEvent(ctx, e); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE events SET at = ? WHERE id = ?`, ts(ft.CreatedAt), e.ID); err != nil {
		return fmt.Errorf("store: unable to date the event of %s: %w", ft.Ref, err)
	}
	if ft.RequesterEmail != "" {
		if err := tx.AddParticipants(ctx, []*domain.Participant{{TicketID: t.ID, Email: ft.RequesterEmail, Name: ft.RequesterName, Role: domain.ParticipantRequester}}); err != nil {
			return err
		}
	}
	for _, fc := range ft.Comments {
		cm := &domain.Comment{TicketID: t.ID, AuthorEmail: fc.AuthorEmail, AuthorName: fc.AuthorName, AuthorRole: fc.Role,
			Body: fc.Body, Public: fc.Public, Channel: fc.Channel}
		if err := tx.AddComment(ctx, cm); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE comments SET created_at = ?, updated_at = ? WHERE id = ?`, ts(fc.CreatedAt), ts(fc.CreatedAt), cm.ID); err != nil {
			return fmt.Errorf("store: unable to date a comment of %s: %w", ft.Ref, err)
		}
		sum.Comments++
	}
	sum.Tickets++
	return nil
}

package commands

import (
	"context"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// Customers lists the customers an actor may see.
func (s *Service) Customers(ctx context.Context, a domain.Actor) ([]*domain.Customer, error) {
	var out []*domain.Customer
	err := s.view(ctx, a, func(tx domain.Tx) error {
		ps, err := tx.Customers(ctx)
		for _, p := range ps {
			if a.IsAgent() || p.ID == a.CustomerID {
				out = append(out, p)
			}
		}
		return err
	})
	return out, err
}

// CustomerByChannel finds the customer of a Slack channel, nil if none.
func (s *Service) CustomerByChannel(ctx context.Context, channelID string) (*domain.Customer, error) {
	var p *domain.Customer
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		p, err = tx.CustomerByChannel(ctx, channelID)
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return p, err
}

// LinkChannel makes a Slack channel a customer's: their tickets show there
// and their top-level messages there open tickets.
func (s *Service) LinkChannel(ctx context.Context, a domain.Actor, key, channelID string) (*domain.Customer, error) {
	if err := requireAgent(a, "link channels"); err != nil {
		return nil, err
	}
	var p *domain.Customer
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if p, err = tx.CustomerByKey(ctx, key); err != nil {
			return err
		}
		p.ChannelID, p.AutoTickets = channelID, true
		return tx.UpdateCustomer(ctx, p)
	})
	return p, err
}

// CustomerByEmail finds the customer that owns an address's domain, or nil:
// how a customer writing outside their channel (a DM, the App Home) is told.
func (s *Service) CustomerByEmail(ctx context.Context, address string) (*domain.Customer, error) {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return nil, nil
	}
	var p *domain.Customer
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		p, err = tx.CustomerByDomain(ctx, address[at+1:])
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return p, err
}

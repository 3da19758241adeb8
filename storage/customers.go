package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const customerCols = `id, key, name, channel_id, auto_tickets, email_domains, time_zone, tier,
	sla_policy, hourly_rate, current_version, created_at, updated_at, billing_round_minutes, billing_min_minutes`

// CreateCustomer inserts a customer; a taken key is a conflict.
func (tx *Tx) CreateCustomer(ctx context.Context, p *domain.Customer) error {
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	tx.customers = nil
	id, err := tx.insert(ctx, `INSERT INTO customers (key, name, channel_id, auto_tickets, email_domains,
		time_zone, tier, sla_policy, hourly_rate, current_version, created_at, updated_at,
		billing_round_minutes, billing_min_minutes)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.Key, p.Name, p.ChannelID, p.AutoTickets, p.EmailDomains, p.TimeZone, p.Tier,
		p.SLAPolicy, p.HourlyRate, p.CurrentVersion, p.CreatedAt, p.UpdatedAt,
		p.BillingRoundMinutes, p.BillingMinMinutes)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "A customer with key %s already exists.", p.Key)
	} else if err != nil {
		return fmt.Errorf("store: unable to create customer: %w", err)
	}
	p.ID = id
	return nil
}

// UpdateCustomer saves every editable column of a customer.
func (tx *Tx) UpdateCustomer(ctx context.Context, p *domain.Customer) error {
	p.UpdatedAt = tx.now
	tx.customers = nil
	_, err := tx.exec(ctx, `UPDATE customers SET name=?, channel_id=?, auto_tickets=?, email_domains=?,
		time_zone=?, tier=?, sla_policy=?, hourly_rate=?, current_version=?, updated_at=?,
		billing_round_minutes=?, billing_min_minutes=? WHERE id=?`,
		p.Name, p.ChannelID, p.AutoTickets, p.EmailDomains, p.TimeZone, p.Tier, p.SLAPolicy,
		p.HourlyRate, p.CurrentVersion, p.UpdatedAt, p.BillingRoundMinutes, p.BillingMinMinutes, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update customer: %w", err)
	}
	return nil
}

func (tx *Tx) customer(ctx context.Context, what, where string, arg any) (*domain.Customer, error) {
	memo := where + "\x00" + fmt.Sprint(arg)
	if r, ok := tx.customers[memo]; ok {
		if r == nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "%s not found.", what)
		}
		p := *r
		return &p, nil
	}
	var p domain.Customer
	scope, sargs := tx.scoped("id")
	err := tx.get(ctx, &p, `SELECT `+customerCols+` FROM customers WHERE `+where+scope+` ORDER BY id LIMIT 1`, append([]any{arg}, sargs...)...)
	if err != nil {
		if err = notFound(what, err); domain.ErrorCode(err) == domain.ENOTFOUND {
			tx.rememberCustomer(memo, nil)
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read customer: %w", err)
	}
	tx.rememberCustomer(memo, &p)
	c := p
	return &c, nil
}

// rememberCustomer keeps a customer read in a write transaction for its
// rest: the writes of a shared transaction (group commit) mostly concern
// one customer, and each would read it again. Writes to customers forget
// everything; outside write transactions nothing is kept.
func (tx *Tx) rememberCustomer(memo string, p *domain.Customer) {
	if !tx.write {
		return
	}
	if tx.customers == nil {
		tx.customers = map[string]*domain.Customer{}
	}
	tx.customers[memo] = p
}

// Customer reads a customer by ID.
func (tx *Tx) Customer(ctx context.Context, id int64) (*domain.Customer, error) {
	return tx.customer(ctx, "Customer", "id = ?", id)
}

// CustomerByKey reads a customer by key, case-insensitively.
func (tx *Tx) CustomerByKey(ctx context.Context, key string) (*domain.Customer, error) {
	key = strings.ToUpper(strings.TrimSpace(key))
	return tx.customer(ctx, fmt.Sprintf("Customer %s", key), "key = ?", key)
}

// CustomerByChannel finds the customer whose Slack channel this is.
func (tx *Tx) CustomerByChannel(ctx context.Context, channelID string) (*domain.Customer, error) {
	return tx.customer(ctx, "Customer for this channel", "channel_id = ? AND channel_id <> ''", channelID)
}

// CustomerByDomain finds the customer that owns an email domain.
func (tx *Tx) CustomerByDomain(ctx context.Context, dom string) (*domain.Customer, error) {
	dom = strings.ToLower(strings.TrimSpace(dom))
	// Domains are few per customer and customers few per vendor; matching
	// the comma list in SQL keeps the schema simple.
	return tx.customer(ctx, "Customer for "+dom,
		"(',' || REPLACE(email_domains, ' ', '') || ',') LIKE ?", "%,"+dom+",%")
}

// EnsureCustomer returns the customer with p.Key, creating it if missing.
func (tx *Tx) EnsureCustomer(ctx context.Context, p *domain.Customer) (*domain.Customer, error) {
	// Nearly always it exists: a read (often remembered from earlier in
	// the transaction) is cheaper than an insert that does nothing.
	if got, err := tx.CustomerByKey(ctx, p.Key); err == nil {
		return got, nil
	}
	tx.customers = nil
	_, err := tx.exec(ctx, `INSERT INTO customers (key, name, time_zone, created_at, updated_at)
		VALUES (?,?,?,?,?) ON CONFLICT (key) DO NOTHING`, p.Key, p.Name, firstOr(p.TimeZone, "UTC"), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: unable to ensure customer %s: %w", p.Key, err)
	}
	return tx.CustomerByKey(ctx, p.Key)
}

func firstOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Customers lists every customer by key.
func (tx *Tx) Customers(ctx context.Context) ([]*domain.Customer, error) {
	var ps []*domain.Customer
	scope, sargs := tx.scoped("id")
	if err := tx.selectAll(ctx, &ps, `SELECT `+customerCols+` FROM customers WHERE 1=1`+scope+` ORDER BY key`, sargs...); err != nil {
		return nil, fmt.Errorf("store: unable to list customers: %w", err)
	}
	return ps, nil
}

// AddVersionChange records a customer's upgrade.
func (tx *Tx) AddVersionChange(ctx context.Context, v *domain.VersionChange) error {
	v.CreatedAt = tx.now
	id, err := tx.insert(ctx, `INSERT INTO customer_versions (customer_id, version, since, recorded_by, created_at)
		VALUES (?,?,?,?,?)`, v.CustomerID, v.Version, ts(v.Since), v.RecordedBy, v.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to record version: %w", err)
	}
	v.ID = id
	return nil
}

// VersionChanges lists a customer's versions, oldest first.
func (tx *Tx) VersionChanges(ctx context.Context, customerID int64) ([]*domain.VersionChange, error) {
	var vs []*domain.VersionChange
	scope, sargs := tx.scoped("customer_id")
	err := tx.selectAll(ctx, &vs, `SELECT id, customer_id, version, since, recorded_by, created_at
		FROM customer_versions WHERE customer_id = ?`+scope+` ORDER BY since, id`, append([]any{customerID}, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list versions: %w", err)
	}
	return vs, nil
}

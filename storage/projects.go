package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const projectCols = `id, key, name, channel_id, auto_tickets, email_domains, time_zone, tier,
	sla_policy, hourly_rate, current_version, created_at, updated_at, billing_round_minutes, billing_min_minutes`

// CreateProject inserts a customer; a taken key is a conflict.
func (tx *Tx) CreateProject(ctx context.Context, p *domain.Project) error {
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	tx.projects = nil
	id, err := tx.insert(ctx, `INSERT INTO projects (key, name, channel_id, auto_tickets, email_domains,
		time_zone, tier, sla_policy, hourly_rate, current_version, created_at, updated_at,
		billing_round_minutes, billing_min_minutes)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.Key, p.Name, p.ChannelID, p.AutoTickets, p.EmailDomains, p.TimeZone, p.Tier,
		p.SLAPolicy, p.HourlyRate, p.CurrentVersion, p.CreatedAt, p.UpdatedAt,
		p.BillingRoundMinutes, p.BillingMinMinutes)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "A customer with key %s already exists.", p.Key)
	} else if err != nil {
		return fmt.Errorf("store: unable to create project: %w", err)
	}
	p.ID = id
	return nil
}

// UpdateProject saves every editable column of a customer.
func (tx *Tx) UpdateProject(ctx context.Context, p *domain.Project) error {
	p.UpdatedAt = tx.now
	tx.projects = nil
	_, err := tx.exec(ctx, `UPDATE projects SET name=?, channel_id=?, auto_tickets=?, email_domains=?,
		time_zone=?, tier=?, sla_policy=?, hourly_rate=?, current_version=?, updated_at=?,
		billing_round_minutes=?, billing_min_minutes=? WHERE id=?`,
		p.Name, p.ChannelID, p.AutoTickets, p.EmailDomains, p.TimeZone, p.Tier, p.SLAPolicy,
		p.HourlyRate, p.CurrentVersion, p.UpdatedAt, p.BillingRoundMinutes, p.BillingMinMinutes, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update project: %w", err)
	}
	return nil
}

func (tx *Tx) project(ctx context.Context, what, where string, arg any) (*domain.Project, error) {
	memo := where + "\x00" + fmt.Sprint(arg)
	if r, ok := tx.projects[memo]; ok {
		if r == nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "%s not found.", what)
		}
		p := *r
		return &p, nil
	}
	var p domain.Project
	scope, sargs := tx.scoped("id")
	err := tx.get(ctx, &p, `SELECT `+projectCols+` FROM projects WHERE `+where+scope+` ORDER BY id LIMIT 1`, append([]any{arg}, sargs...)...)
	if err != nil {
		if err = notFound(what, err); domain.ErrorCode(err) == domain.ENOTFOUND {
			tx.rememberProject(memo, nil)
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read project: %w", err)
	}
	tx.rememberProject(memo, &p)
	c := p
	return &c, nil
}

// rememberProject keeps a customer read in a write transaction for its
// rest: the writes of a shared transaction (group commit) mostly concern
// one customer, and each would read it again. Writes to projects forget
// everything; outside write transactions nothing is kept.
func (tx *Tx) rememberProject(memo string, p *domain.Project) {
	if !tx.write {
		return
	}
	if tx.projects == nil {
		tx.projects = map[string]*domain.Project{}
	}
	tx.projects[memo] = p
}

// Project reads a customer by ID.
func (tx *Tx) Project(ctx context.Context, id int64) (*domain.Project, error) {
	return tx.project(ctx, "Customer", "id = ?", id)
}

// ProjectByKey reads a customer by key, case-insensitively.
func (tx *Tx) ProjectByKey(ctx context.Context, key string) (*domain.Project, error) {
	key = strings.ToUpper(strings.TrimSpace(key))
	return tx.project(ctx, fmt.Sprintf("Customer %s", key), "key = ?", key)
}

// ProjectByChannel finds the customer whose Slack channel this is.
func (tx *Tx) ProjectByChannel(ctx context.Context, channelID string) (*domain.Project, error) {
	return tx.project(ctx, "Customer for this channel", "channel_id = ? AND channel_id <> ''", channelID)
}

// ProjectByDomain finds the customer that owns an email domain.
func (tx *Tx) ProjectByDomain(ctx context.Context, dom string) (*domain.Project, error) {
	dom = strings.ToLower(strings.TrimSpace(dom))
	// Domains are few per customer and customers few per vendor; matching
	// the comma list in SQL keeps the schema simple.
	return tx.project(ctx, "Customer for "+dom,
		"(',' || REPLACE(email_domains, ' ', '') || ',') LIKE ?", "%,"+dom+",%")
}

// EnsureProject returns the project with p.Key, creating it if missing.
func (tx *Tx) EnsureProject(ctx context.Context, p *domain.Project) (*domain.Project, error) {
	// Nearly always it exists: a read (often remembered from earlier in
	// the transaction) is cheaper than an insert that does nothing.
	if got, err := tx.ProjectByKey(ctx, p.Key); err == nil {
		return got, nil
	}
	tx.projects = nil
	_, err := tx.exec(ctx, `INSERT INTO projects (key, name, time_zone, created_at, updated_at)
		VALUES (?,?,?,?,?) ON CONFLICT (key) DO NOTHING`, p.Key, p.Name, firstOr(p.TimeZone, "UTC"), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: unable to ensure project %s: %w", p.Key, err)
	}
	return tx.ProjectByKey(ctx, p.Key)
}

func firstOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Projects lists every customer by key.
func (tx *Tx) Projects(ctx context.Context) ([]*domain.Project, error) {
	var ps []*domain.Project
	scope, sargs := tx.scoped("id")
	if err := tx.selectAll(ctx, &ps, `SELECT `+projectCols+` FROM projects WHERE 1=1`+scope+` ORDER BY key`, sargs...); err != nil {
		return nil, fmt.Errorf("store: unable to list projects: %w", err)
	}
	return ps, nil
}

// AddVersionChange records a customer's upgrade.
func (tx *Tx) AddVersionChange(ctx context.Context, v *domain.VersionChange) error {
	v.CreatedAt = tx.now
	id, err := tx.insert(ctx, `INSERT INTO project_versions (project_id, version, since, recorded_by, created_at)
		VALUES (?,?,?,?,?)`, v.ProjectID, v.Version, ts(v.Since), v.RecordedBy, v.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to record version: %w", err)
	}
	v.ID = id
	return nil
}

// VersionChanges lists a customer's versions, oldest first.
func (tx *Tx) VersionChanges(ctx context.Context, projectID int64) ([]*domain.VersionChange, error) {
	var vs []*domain.VersionChange
	scope, sargs := tx.scoped("project_id")
	err := tx.selectAll(ctx, &vs, `SELECT id, project_id, version, since, recorded_by, created_at
		FROM project_versions WHERE project_id = ?`+scope+` ORDER BY since, id`, append([]any{projectID}, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list versions: %w", err)
	}
	return vs, nil
}

package commands

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// customerKeys are what /desk customer add|edit sets, as key=value.
var customerKeys = []string{"name", "channel", "domains", "time_zone", "sla_policy", "rate", "tier", "version", "rounding", "minimum"}

// customerAliases are the other spellings people reach for.
var customerAliases = map[string]string{
	"tz": "time_zone", "timezone": "time_zone", "zone": "time_zone", "sla": "sla_policy", "policy": "sla_policy",
	"domain": "domains", "email_domains": "domains", "hourly_rate": "rate", "v": "version",
	"round": "rounding", "round_to": "rounding", "min": "minimum", "min_per_ticket": "minimum",
}

var (
	customerTierRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// AddCustomer adds a customer with its key, name and any of customerKeys.
// Only agents may. A version must have been released once any is known.
func (s *Service) AddCustomer(ctx context.Context, a domain.Actor, key, name string, opts map[string]string) (*domain.Customer, error) {
	return s.addCustomer(ctx, a, key, name, opts, nil)
}

// addCustomer checks and inserts a customer; adjust, if set, changes it
// after its options are read.
func (s *Service) addCustomer(ctx context.Context, a domain.Actor, key, name string, opts map[string]string, adjust func(*domain.Customer)) (*domain.Customer, error) {
	if err := requireAgent(a, "add customers"); err != nil {
		return nil, err
	}
	p := &domain.Customer{Key: strings.ToUpper(strings.TrimSpace(key)), Name: strings.TrimSpace(name), TimeZone: "UTC"}
	if err := domain.ValidateCustomerKey(p.Key); err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = p.Key
	}
	cfg := s.Config()
	if err := applyCustomer(cfg, p, opts); err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(p)
	}
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		if err := checkCustomerVersion(ctx, tx, cfg, p.CurrentVersion); err != nil {
			return err
		}
		return createCustomer(ctx, tx, a, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// EditCustomer changes any of customerKeys of a customer. A new version
// is recorded as an upgrade today. Only agents may.
func (s *Service) EditCustomer(ctx context.Context, a domain.Actor, key string, opts map[string]string) (*domain.Customer, error) {
	if err := requireAgent(a, "edit customers"); err != nil {
		return nil, err
	}
	if len(opts) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "Say what to change, as key=value: %s.", strings.Join(customerKeys, ", "))
	}
	cfg := s.Config()
	var p *domain.Customer
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if p, err = customerByKey(ctx, tx, key); err != nil {
			return err
		}
		old := p.CurrentVersion
		if err := applyCustomer(cfg, p, opts); err != nil {
			return err
		}
		if err := tx.UpdateCustomer(ctx, p); err != nil {
			return err
		}
		if p.CurrentVersion == old || p.CurrentVersion == "" {
			return nil
		}
		if err := checkCustomerVersion(ctx, tx, cfg, p.CurrentVersion); err != nil {
			return err
		}
		return tx.AddVersionChange(ctx, &domain.VersionChange{CustomerID: p.ID, Version: p.CurrentVersion, Since: tx.Now(), RecordedBy: a.Ref()})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func customerByKey(ctx context.Context, tx domain.CustomerStore, key string) (*domain.Customer, error) {
	p, err := tx.CustomerByKey(ctx, key)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no customer %s. `/desk customers` lists them.", strings.ToUpper(key))
	}
	return p, err
}

// applyCustomer validates options and sets them on p.
func applyCustomer(cfg *domain.Config, p *domain.Customer, opts map[string]string) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first problem is the same every time
	for _, raw := range keys {
		v := strings.TrimSpace(opts[raw])
		k := strings.ToLower(raw)
		if alias, ok := customerAliases[k]; ok {
			k = alias
		}
		switch k {
		case "name":
			if v == "" {
				return domain.FieldErrorf("name", "A customer needs a name.")
			}
			p.Name = v
		case "channel":
			if v != "" && !domain.IsChannelID(v) {
				return domain.FieldErrorf("channel", "%q is not a channel: pick it with #, like channel=#acme-support.", v)
			}
			p.ChannelID, p.AutoTickets = v, v != ""
		case "domains":
			d, err := emailDomains(v)
			if err != nil {
				return err
			}
			p.EmailDomains = d
		case "time_zone":
			if _, err := time.LoadLocation(v); err != nil || v == "" {
				return domain.FieldErrorf("time_zone", "%q is not a time zone; use an IANA name like Europe/Paris.", v)
			}
			p.TimeZone = v
		case "sla_policy":
			if v != "" && cfg.Policy(v) == nil {
				return domain.FieldErrorf("sla_policy", "%s", unknownMsg("SLA policy", v, cfg.PolicyNames()))
			}
			p.SLAPolicy = v
		case "rate":
			m, ok := domain.ParseMoney(v)
			if !ok {
				return domain.FieldErrorf("rate", "%q is not an hourly rate like 120 or 120.50.", v)
			}
			p.HourlyRate = int64(m)
		case "tier":
			v = strings.ToLower(v)
			if v != "" && !customerTierRE.MatchString(v) {
				return domain.FieldErrorf("tier", "Tier %q: use a lower-case word like gold.", v)
			}
			p.Tier = v
		case "rounding":
			d, err := billingMinutes("rounding", v, 240)
			if err != nil {
				return err
			}
			p.BillingRoundMinutes = d
		case "minimum":
			d, err := billingMinutes("minimum", v, 24*60)
			if err != nil {
				return err
			}
			p.BillingMinMinutes = d
		case "version":
			sv, ok := domain.ParseSemver(v)
			if !ok {
				return domain.FieldErrorf("version", "%q is not a version like 4.2.1.", v)
			}
			p.CurrentVersion = sv.String()
		default:
			known := append(slices.Clone(customerKeys), "tz", "sla")
			if sug, ok := query.Suggest(raw, known); ok {
				return domain.Errorf(domain.EINVALID, "A customer has no %q; did you mean %q?", raw, sug)
			}
			return domain.Errorf(domain.EINVALID, "A customer has no %q; set any of: %s.", raw, strings.Join(customerKeys, ", "))
		}
	}
	return nil
}

func emailDomains(list string) (string, error) {
	var out []string
	for _, d := range strings.Split(list, ",") {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if d == "" {
			continue
		}
		if !strings.Contains(d, ".") || strings.ContainsAny(d, " @/<>") {
			return "", domain.FieldErrorf("domains", "%q is not an email domain like acme.com.", d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return strings.Join(out, ","), nil
}

// checkCustomerVersion refuses a version that has not shipped, once any release is known.
func checkCustomerVersion(ctx context.Context, tx domain.ReleaseStore, cfg *domain.Config, v string) error {
	if v == "" {
		return nil
	}
	def := cfg.Field("version")
	if def == nil || def.Kind != domain.FieldSemver {
		def = &domain.FieldDef{Name: "version", Label: "Version", Kind: domain.FieldSemver}
	}
	return checkReleased(ctx, tx, cfg, def, v)
}

// SetCustomerVersion records that a customer moved to a version on a day
// (zero: now). The customer's current version is the one of their latest
// move, so recording an older move afterwards does not change it.
func (s *Service) SetCustomerVersion(ctx context.Context, a domain.Actor, key, version string, since time.Time) (*domain.Customer, error) {
	if err := requireAgent(a, "record customer versions"); err != nil {
		return nil, err
	}
	sv, ok := domain.ParseSemver(version)
	if !ok {
		return nil, domain.FieldErrorf("version", "%q is not a version like 4.2.1.", version)
	}
	cfg := s.Config()
	var p *domain.Customer
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if p, err = customerByKey(ctx, tx, key); err != nil {
			return err
		}
		if err := checkCustomerVersion(ctx, tx, cfg, sv.String()); err != nil {
			return err
		}
		if since.IsZero() {
			since = tx.Now()
		} else if since.After(tx.Now()) {
			return domain.FieldErrorf("date", "%s is in the future: record an upgrade once it happened.", since.Format("2006-01-02"))
		}
		if err := tx.AddVersionChange(ctx, &domain.VersionChange{CustomerID: p.ID, Version: sv.String(), Since: since, RecordedBy: a.Ref()}); err != nil {
			return err
		}
		history, err := tx.VersionChanges(ctx, p.ID)
		if err != nil {
			return err
		}
		if latest := history[len(history)-1].Version; latest != p.CurrentVersion {
			p.CurrentVersion = latest
			return tx.UpdateCustomer(ctx, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CustomerView is what /desk customer show tells about a customer.
type CustomerView struct {
	Customer     *domain.Customer
	Versions     []*domain.VersionChange // oldest first
	Open         int                     // open tickets
	Satisfaction domain.SurveySummary
}

// Customer gathers a customer's details. Agents see any customer;
// customers their own company.
func (s *Service) Customer(ctx context.Context, a domain.Actor, key string) (*CustomerView, error) {
	v := &CustomerView{}
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		if v.Customer, err = customerByKey(ctx, tx, key); err != nil {
			return err
		}
		if !a.IsAgent() && a.CustomerID != v.Customer.ID {
			return domain.Errorf(domain.ENOTFOUND, "There is no customer %s.", strings.ToUpper(key))
		}
		if v.Versions, err = tx.VersionChanges(ctx, v.Customer.ID); err != nil {
			return err
		}
		if v.Open, err = tx.CountTickets(ctx, domain.TicketFilter{CustomerID: v.Customer.ID, Statuses: s.OpenStatuses()}); err != nil {
			return err
		}
		v.Satisfaction, err = tx.SurveySummary(ctx, v.Customer.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// billingMinutes reads a contract's rounding or minimum: a duration like
// 15m or 1h, or 0 (also "off", "none") for no rule.
func billingMinutes(field, v string, most int64) (int64, error) {
	switch strings.ToLower(v) {
	case "0", "off", "none", "exact":
		return 0, nil
	}
	d, err := domain.ParseWorkDuration(v)
	if err != nil {
		return 0, domain.FieldErrorf(field, "%s: %q is not a duration like 15m or 1h (0 turns it off).", field, v)
	}
	if m := int64(d / time.Minute); m > most {
		return 0, domain.FieldErrorf(field, "%s: at most %s.", field, domain.FormatDuration(time.Duration(most)*time.Minute))
	}
	return int64(d / time.Minute), nil
}

// CustomerInput describes a customer to create, typed, for Go callers (the
// demo, benchmarks, tests): the slash command's key=value options are
// AddCustomer's.
type CustomerInput struct {
	Key, Name, ChannelID, EmailDomains, TimeZone, Tier, SLAPolicy, CurrentVersion string
	// AutoTickets opens tickets from top-level messages in ChannelID;
	// AddCustomer's channel= always does.
	AutoTickets bool
}

// CreateCustomer is AddCustomer with typed input: the same checks, the
// same insert.
func (s *Service) CreateCustomer(ctx context.Context, a domain.Actor, in CustomerInput) (*domain.Customer, error) {
	opts := map[string]string{}
	for k, v := range map[string]string{"channel": in.ChannelID, "domains": in.EmailDomains, "time_zone": in.TimeZone,
		"tier": in.Tier, "sla_policy": in.SLAPolicy, "version": in.CurrentVersion} {
		if v != "" {
			opts[k] = v
		}
	}
	return s.addCustomer(ctx, a, in.Key, in.Name, opts, func(p *domain.Customer) { p.AutoTickets = in.AutoTickets && p.ChannelID != "" })
}

// createCustomer inserts a customer with its first version in the history.
func createCustomer(ctx context.Context, tx domain.Tx, a domain.Actor, p *domain.Customer) error {
	if err := tx.CreateCustomer(ctx, p); err != nil {
		return err
	}
	if p.CurrentVersion == "" {
		return nil
	}
	return tx.AddVersionChange(ctx, &domain.VersionChange{CustomerID: p.ID, Version: p.CurrentVersion, Since: tx.Now(), RecordedBy: a.Ref()})
}

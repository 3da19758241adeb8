package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// A person's customer: their organisation's, else their email domain's
// (never TRIAGE's), else the channel's; an organisation seen for the first
// time is filed under that customer, or under a new one named after it
// (with a free key) that the agents hear about.
func TestCustomerOfOnFakes(t *testing.T) {
	for _, c := range []struct {
		name    string
		who     Person
		want    string // the customer's key; "" for none
		created string // a customer created, by key
		linked  string // the organisation filed, "team→KEY"
		posts   []string
	}{
		{name: "a known organisation", who: Person{TeamID: "TACME", Email: "jo@globex.com", ChannelID: "CGLOBEX"}, want: "ACME"},
		{name: "a new organisation by its email domain", who: Person{TeamID: "TNEW", TeamName: "Acme Labs", Email: "jo@acme.com", ChannelID: "CGLOBEX"},
			want: "ACME"}, // read, not filed: the domain tells every time
		{name: "a new organisation in a customer's channel", who: Person{TeamID: "TNEW", TeamName: "Globex Europe", ChannelID: "CGLOBEX"},
			want: "GLOBEX", linked: "TNEW→GLOBEX"},
		{name: "the triage domain says nothing", who: Person{TeamID: "TNEW", TeamName: "Globex Europe", Email: "jo@vendor.com", ChannelID: "CGLOBEX"},
			want: "GLOBEX", linked: "TNEW→GLOBEX"},
		{name: "a new organisation elsewhere", who: Person{TeamID: "TNEW", TeamName: "Globex Corporation", ChannelID: "CSHARED"},
			want: "GLOBEX2", created: "GLOBEX2", linked: "TNEW→GLOBEX2", posts: []string{"new_customer → dm UADMIN", "new_customer → dm ULEAD"}},
		{name: "a new organisation without a name", who: Person{TeamID: "T42"},
			want: "ORGANISATI", created: "ORGANISATI", linked: "T42→ORGANISATI", posts: []string{"new_customer → dm UADMIN", "new_customer → dm ULEAD"}},
		{name: "a guest by email", who: Person{Email: "jo@acme.com", ChannelID: "CGLOBEX"}, want: "ACME"},
		{name: "a guest in a customer's channel", who: Person{ChannelID: "CGLOBEX"}, want: "GLOBEX"},
		{name: "a guest elsewhere", who: Person{Email: "jo@gmail.com", ChannelID: "CSHARED"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec recorded
			cs := newFakeCustomers(
				&domain.Customer{Key: "ACME", ChannelID: "CACME", EmailDomains: "acme.com"},
				&domain.Customer{Key: "GLOBEX", ChannelID: "CGLOBEX"},
				&domain.Customer{Key: TriageKey, EmailDomains: "vendor.com"},
			)
			cs.teams["TACME"] = 1
			cfg := domain.DefaultConfig()
			cfg.Slack.Admins, cfg.Slack.Leads = []string{"UADMIN"}, []string{"UADMIN", "ULEAD"}
			svc := onFakes(&domaintest.FakeTx{At: fakeNow, FakeCustomers: cs.fake(), FakeOutbox: rec.outbox()}, cfg)
			p, err := svc.CustomerOf(context.Background(), c.who)
			if err != nil {
				t.Fatal(err)
			}
			if got := keyOrNone(p); got != c.want {
				t.Errorf("customer %q, want %q", got, c.want)
			}
			if c.created != "" && len(cs.customers) != 4 || c.created == "" && len(cs.customers) != 3 {
				t.Errorf("%d customers, want %q created", len(cs.customers), c.created)
			}
			wantList(t, "linked", cs.linked, strings.Fields(c.linked)...)
			wantList(t, "posts", rec.posts(t), c.posts...)
		})
	}
}

// fakeCustomers is an in-memory CustomerStore, just enough for finding and
// filing customers.
type fakeCustomers struct {
	customers []*domain.Customer
	teams     map[string]int64 // team → customer ID
	linked    []string
}

func newFakeCustomers(ps ...*domain.Customer) *fakeCustomers {
	for i, p := range ps {
		p.ID = int64(i + 1)
	}
	return &fakeCustomers{customers: ps, teams: map[string]int64{}}
}

func (cs *fakeCustomers) find(match func(p *domain.Customer) bool) (*domain.Customer, error) {
	for _, p := range cs.customers {
		if match(p) {
			return p, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Customer not found.")
}

func (cs *fakeCustomers) fake() *domaintest.FakeCustomers {
	return &domaintest.FakeCustomers{
		CustomerFn: func(_ context.Context, id int64) (*domain.Customer, error) {
			return cs.find(func(p *domain.Customer) bool { return p.ID == id })
		},
		CustomerByKeyFn: func(_ context.Context, key string) (*domain.Customer, error) {
			return cs.find(func(p *domain.Customer) bool { return strings.EqualFold(p.Key, key) })
		},
		CustomerByChannelFn: func(_ context.Context, ch string) (*domain.Customer, error) {
			return cs.find(func(p *domain.Customer) bool { return ch != "" && p.ChannelID == ch })
		},
		CustomerByDomainFn: func(_ context.Context, d string) (*domain.Customer, error) {
			return cs.find(func(p *domain.Customer) bool { return d != "" && p.EmailDomains == d })
		},
		CustomerByTeamFn: func(_ context.Context, team string) (*domain.Customer, error) {
			return cs.find(func(p *domain.Customer) bool { return cs.teams[team] == p.ID })
		},
		CreateCustomerFn: func(_ context.Context, p *domain.Customer) error {
			p.ID = int64(len(cs.customers) + 1)
			cs.customers = append(cs.customers, p)
			return nil
		},
		LinkTeamFn: func(_ context.Context, team, _ string, id int64) (*domain.Customer, error) {
			cs.teams[team] = id
			p, err := cs.find(func(p *domain.Customer) bool { return p.ID == id })
			if err == nil {
				cs.linked = append(cs.linked, team+"→"+p.Key)
			}
			return p, err
		},
	}
}

func keyOrNone(p *domain.Customer) string {
	if p == nil {
		return ""
	}
	return p.Key
}

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
				&domain.Project{Key: "ACME", ChannelID: "CACME", EmailDomains: "acme.com"},
				&domain.Project{Key: "GLOBEX", ChannelID: "CGLOBEX"},
				&domain.Project{Key: TriageKey, EmailDomains: "vendor.com"},
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
			if c.created != "" && len(cs.projects) != 4 || c.created == "" && len(cs.projects) != 3 {
				t.Errorf("%d customers, want %q created", len(cs.projects), c.created)
			}
			wantList(t, "linked", cs.linked, strings.Fields(c.linked)...)
			wantList(t, "posts", rec.posts(t), c.posts...)
		})
	}
}

// fakeCustomers is an in-memory CustomerStore, just enough for finding and
// filing customers.
type fakeCustomers struct {
	projects []*domain.Project
	teams    map[string]int64 // team → project ID
	linked   []string
}

func newFakeCustomers(ps ...*domain.Project) *fakeCustomers {
	for i, p := range ps {
		p.ID = int64(i + 1)
	}
	return &fakeCustomers{projects: ps, teams: map[string]int64{}}
}

func (cs *fakeCustomers) find(match func(p *domain.Project) bool) (*domain.Project, error) {
	for _, p := range cs.projects {
		if match(p) {
			return p, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Customer not found.")
}

func (cs *fakeCustomers) fake() *domaintest.FakeCustomers {
	return &domaintest.FakeCustomers{
		ProjectFn: func(_ context.Context, id int64) (*domain.Project, error) {
			return cs.find(func(p *domain.Project) bool { return p.ID == id })
		},
		ProjectByKeyFn: func(_ context.Context, key string) (*domain.Project, error) {
			return cs.find(func(p *domain.Project) bool { return strings.EqualFold(p.Key, key) })
		},
		ProjectByChannelFn: func(_ context.Context, ch string) (*domain.Project, error) {
			return cs.find(func(p *domain.Project) bool { return ch != "" && p.ChannelID == ch })
		},
		ProjectByDomainFn: func(_ context.Context, d string) (*domain.Project, error) {
			return cs.find(func(p *domain.Project) bool { return d != "" && p.EmailDomains == d })
		},
		CustomerByTeamFn: func(_ context.Context, team string) (*domain.Project, error) {
			return cs.find(func(p *domain.Project) bool { return cs.teams[team] == p.ID })
		},
		CreateProjectFn: func(_ context.Context, p *domain.Project) error {
			p.ID = int64(len(cs.projects) + 1)
			cs.projects = append(cs.projects, p)
			return nil
		},
		LinkTeamFn: func(_ context.Context, team, _ string, id int64) (*domain.Project, error) {
			cs.teams[team] = id
			p, err := cs.find(func(p *domain.Project) bool { return p.ID == id })
			if err == nil {
				cs.linked = append(cs.linked, team+"→"+p.Key)
			}
			return p, err
		},
	}
}

func keyOrNone(p *domain.Project) string {
	if p == nil {
		return ""
	}
	return p.Key
}

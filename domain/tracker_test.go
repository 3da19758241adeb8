package domain_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestParseIssueRef(t *testing.T) {
	for _, c := range []struct {
		in   string
		want domain.IssueRef
		ok   bool
	}{
		{"org/repo#123", domain.IssueRef{Repo: "org/repo", Number: 123}, true},
		{" group/sub/project#12 ", domain.IssueRef{Repo: "group/sub/project", Number: 12}, true},
		{"https://github.com/org/repo/issues/7", domain.IssueRef{Kind: domain.TrackerGitHub, Repo: "org/repo", Number: 7}, true},
		{"<https://github.com/org/repo/pull/8>", domain.IssueRef{Kind: domain.TrackerGitHub, Repo: "org/repo", Number: 8}, true},
		{"https://gitlab.example.com/g/s/p/-/issues/3", domain.IssueRef{Kind: domain.TrackerGitLab, Repo: "g/s/p", Number: 3}, true},
		{"repo#1", domain.IssueRef{}, false},
		{"org/repo#0", domain.IssueRef{}, false},
		{"org/repo#12a", domain.IssueRef{}, false},
		{"org/repo", domain.IssueRef{}, false},
		{"", domain.IssueRef{}, false},
		{"org/re po#1", domain.IssueRef{}, false},
	} {
		got, err := domain.ParseIssueRef(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%q: %+v, %v; want %+v ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && (domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "org/repo#123")) {
			t.Errorf("%q: the refusal does not show the form: %v", c.in, err)
		}
	}
}

func TestEscalationBody(t *testing.T) {
	for _, c := range []struct {
		name string
		in   domain.EscalationInput
		want string
	}{
		{"all", domain.EscalationInput{Key: "ACME-42", Customer: "Acme\nCorp", Version: "4.2.1", Priority: "high", SLA: "gold",
			Link: "https://x/y", Words: []string{"It crashes.\r\nEvery time.", "  Still.  "}, Notes: []string{"db is big"}},
			"Escalated from support ticket **ACME-42** (https://x/y).\n\n- **Customer:** Acme Corp\n- **Version:** 4.2.1\n" +
				"- **Priority:** high\n- **SLA:** gold\n\n### What the customer said\n\n> It crashes.\n> Every time.\n\n> Still.\n" +
				"\n### Internal notes\n\n> db is big\n"},
		{"bare", domain.EscalationInput{Key: "ACME-1"}, "Escalated from support ticket **ACME-1**.\n\n"},
		{"empty line in a quote", domain.EscalationInput{Key: "A-1", Words: []string{"a\n\nb"}},
			"Escalated from support ticket **A-1**.\n\n\n### What the customer said\n\n> a\n>\n> b\n"},
	} {
		if got := domain.EscalationBody(c.in); got != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
}

func TestMentionedIssues(t *testing.T) {
	for _, c := range []struct {
		text string
		want []int64
	}{
		{"Fixes #12", []int64{12}},
		{"Closes org/repo#3 and #4, refs #3", []int64{3, 4}},
		{"other/repo#5 is not ours", nil},
		{"color #fff and a#1", nil},
		{"(#7)", []int64{7}},
	} {
		if got := domain.MentionedIssues("org/repo", c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.text, got, c.want)
		}
	}
}

func TestIssueInRelease(t *testing.T) {
	for _, c := range []struct {
		name  string
		issue domain.TrackerIssue
		want  bool
	}{
		{"milestone", domain.TrackerIssue{State: "closed", Milestone: "4.2.2"}, true},
		{"milestone with v", domain.TrackerIssue{State: "closed", Milestone: "v4.2.2"}, true},
		{"label", domain.TrackerIssue{State: "closed", Labels: "bug\nRelease:4.2.2"}, true},
		{"open issue", domain.TrackerIssue{State: "open", Milestone: "4.2.2"}, false},
		{"other milestone", domain.TrackerIssue{State: "closed", Milestone: "4.2.20"}, false},
		{"bare label without prefix", domain.TrackerIssue{State: "closed", Labels: "4.2.2"}, false},
		{"nothing", domain.TrackerIssue{State: "closed"}, false},
	} {
		if got := domain.IssueInRelease(&c.issue, "4.2.2", "release:"); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}

func TestTrackerConfigErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"trackers:\n  app: {kind: jira, repository: a/b, token_env: T}\n", `trackers.app.kind: "jira" must be github or gitlab`},
		{"trackers:\n  app: {kind: github, repository: a/b/c, token_env: T}\n", `trackers.app.repository: "a/b/c" must be owner/repo`},
		{"trackers:\n  app: {kind: gitlab, repository: g/p, token_env: \"bad-name\"}\n", `trackers.app.token_env: "bad-name"`},
		{"trackers:\n  app: {kind: gitlab, repository: g/p, token_env: T, api_url: \"ftp://x\"}\n", `trackers.app.api_url`},
		{"trackers:\n  app: {kind: github, repository: a/b, token_env: T, tokn: x}\n", `unknown key "tokn"`},
		{"engineering:\n  closed_status: shipped\n", `engineering.closed_status: status "shipped" is not defined`},
	} {
		_, err := domain.ParseConfig("deskbot.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
	cfg, err := domain.ParseConfig("deskbot.yaml", []byte("trackers:\n  app: {kind: github, repository: Org/Repo, token_env: GITHUB_TOKEN}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tr := cfg.TrackerFor("", "org/repo"); tr == nil || tr.Name != "app" || tr.API() != "https://api.github.com" {
		t.Errorf("tracker %+v", tr)
	}
	if cfg.Engineering.ClosedStatus != domain.DefaultIssueClosedStatus || cfg.Engineering.ReleaseLabelPrefix != "release:" {
		t.Errorf("engineering %+v", cfg.Engineering)
	}
}

package tracker_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/tracker"
)

// The payload fixtures follow the examples of GitHub's and GitLab's
// webhook documentation.
func TestEventsFromPayloads(t *testing.T) {
	for _, c := range []struct {
		file, kind, event string
		want              *domain.TrackerEvent
	}{
		{"github_issues_closed.json", "github", "issues", &domain.TrackerEvent{Tracker: "t", Kind: domain.TrackerIssueState,
			Repo: "octo-org/app", Number: 1347, Title: "Found a bug", URL: "https://github.com/octo-org/app/issues/1347",
			State: domain.IssueClosed, Milestone: "v1.0", MilestoneKnown: true, Labels: []string{"bug", "release:4.2.2"}, LabelsKnown: true, Author: "hubot"}},
		{"github_issue_comment.json", "github", "issue_comment", &domain.TrackerEvent{Tracker: "t", Kind: domain.TrackerComment,
			Repo: "octo-org/app", Number: 1347, Title: "Found a bug", URL: "https://github.com/octo-org/app/issues/1347#issuecomment-1",
			Author: "dev1", Body: "Me too", CommentID: "1"}},
		{"github_pull_request_merged.json", "github", "pull_request", &domain.TrackerEvent{Tracker: "t", Kind: domain.TrackerMerged,
			Repo: "octo-org/app", Title: "#1348 Fix the export", URL: "https://github.com/octo-org/app/pull/1348", Author: "dev2", Issues: []int64{1347, 12}}},
		{"github_issues_closed.json", "github", "ping", nil},
		{"gitlab_issue_close.json", "gitlab", "Issue Hook", &domain.TrackerEvent{Tracker: "t", Kind: domain.TrackerIssueState,
			Repo: "gitlabhq/gitlab-test", Number: 23, Title: "New API: create/update/delete file", URL: "http://example.com/diaspora/issues/23",
			State: domain.IssueClosed, Labels: []string{"API"}, LabelsKnown: true, Author: "root"}},
		{"gitlab_note.json", "gitlab", "Note Hook", &domain.TrackerEvent{Tracker: "t", Kind: domain.TrackerComment,
			Repo: "gitlabhq/gitlab-test", Number: 17, Title: "test", URL: "http://example.com/gitlab-org/gitlab-test/issues/17#note_1241",
			Author: "root", Body: "Hello world", CommentID: "1241"}},
		{"gitlab_mr_merge.json", "gitlab", "Merge Request Hook", &domain.TrackerEvent{Tracker: "t", Kind: domain.TrackerMerged,
			Repo: "gitlabhq/gitlab-test", Title: "!1 MS-Viewport", URL: "http://example.com/diaspora/merge_requests/1", Author: "root", Issues: []int64{23}}},
		{"gitlab_note.json", "gitlab", "Push Hook", nil},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		var got *domain.TrackerEvent
		if c.kind == "github" {
			got, err = tracker.GitHubEvent("t", c.event, body)
		} else {
			got, err = tracker.GitLabEvent("t", c.event, body)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s:\n%+v\nwant\n%+v", c.file, c.event, got, c.want)
		}
	}
	if _, err := tracker.GitHubEvent("t", "issues", []byte("{not json")); err == nil {
		t.Error("a broken payload was read")
	}
}

func TestSignatures(t *testing.T) {
	// The example of GitHub's "Validating webhook deliveries".
	const secret, payload = "It's a Secret to Everybody", "Hello, World!"
	const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := tracker.GitHubSignature(secret, []byte(payload)); got != sig {
		t.Errorf("signature %s", got)
	}
	for _, c := range []struct {
		name, secret, body, header string
		ok                         bool
	}{
		{"documented", secret, payload, sig, true},
		{"other body", secret, payload + " ", sig, false},
		{"other secret", "x", payload, sig, false},
		{"no prefix", secret, payload, sig[len("sha256="):], false},
		{"sha1", secret, payload, "sha1=" + sig[len("sha256="):], false},
		{"not hex", secret, payload, "sha256=zz", false},
		{"empty header", secret, payload, "", false},
		{"empty secret", "", payload, tracker.GitHubSignature("", []byte(payload)), false},
	} {
		if got := tracker.VerifyGitHub(c.secret, []byte(c.body), c.header); got != c.ok {
			t.Errorf("github %s: %v", c.name, got)
		}
	}
	for _, c := range []struct {
		name, secret, token string
		ok                  bool
	}{
		{"same", "s3cret", "s3cret", true},
		{"other", "s3cret", "s3cre", false},
		{"empty token", "s3cret", "", false},
		{"empty secret", "", "", false},
	} {
		if got := tracker.VerifyGitLab(c.secret, c.token); got != c.ok {
			t.Errorf("gitlab %s: %v", c.name, got)
		}
	}
}

func TestCheckEnv(t *testing.T) {
	cfg, err := domain.ParseConfig("deskbot.yaml", []byte("trackers:\n  app: {kind: github, repository: a/b, token_env: GH_TOK, webhook_secret_env: GH_SEC}\n"))
	if err != nil {
		t.Fatal(err)
	}
	errs := tracker.CheckEnv(cfg, func(string) string { return "" })
	if len(errs) != 2 || errs[0].Error() != "GH_TOK: is empty, and trackers.app.token_env names it as the github API token" ||
		errs[1].Error() != "GH_SEC: is empty, and trackers.app.webhook_secret_env names it as the webhook secret" {
		t.Errorf("errors %v", errs)
	}
	if errs := tracker.CheckEnv(cfg, func(string) string { return "x" }); len(errs) != 0 {
		t.Errorf("errors %v", errs)
	}
}

package tracker

import (
	"context"
	"fmt"
	"net/http"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/deskbot/deskbot/domain"
)

// GitLab reaches GitLab's Issues API through its client library.
type GitLab struct {
	c *gitlab.Client
}

// NewGitLab is a client of the API at base (https://gitlab.com/api/v4,
// or an emulator). The library's own retries are off: the outbox and the
// reconcile job retry.
func NewGitLab(base, token string, hc *http.Client) (*GitLab, error) {
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(base), gitlab.WithHTTPClient(hc), gitlab.WithoutRetries())
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return &GitLab{c: c}, nil
}

func gitlabState(i *gitlab.Issue) *domain.IssueState {
	st := &domain.IssueState{Number: i.IID, URL: i.WebURL, Title: i.Title, State: domain.IssueOpen, Labels: []string(i.Labels)}
	if i.State == "closed" {
		st.State = domain.IssueClosed
	}
	if i.Milestone != nil {
		st.Milestone = i.Milestone.Title
	}
	return st
}

// CreateIssue creates an issue in a project (group/project).
func (g *GitLab) CreateIssue(ctx context.Context, repo string, in domain.NewIssue) (*domain.IssueState, error) {
	opt := &gitlab.CreateIssueOptions{Title: gitlab.Ptr(in.Title), Description: gitlab.Ptr(in.Body)}
	if len(in.Labels) > 0 {
		l := gitlab.LabelOptions(in.Labels)
		opt.Labels = &l
	}
	i, _, err := g.c.Issues.CreateIssue(repo, opt, gitlab.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return gitlabState(i), nil
}

// Issue reads an issue of a project by its number (iid).
func (g *GitLab) Issue(ctx context.Context, repo string, number int64) (*domain.IssueState, error) {
	i, _, err := g.c.Issues.GetIssue(repo, number, gitlab.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return gitlabState(i), nil
}

package tracker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/deskbot/deskbot/domain"
)

// GitHub is the part of GitHub's REST API deskbot uses: create an issue,
// get an issue (docs.github.com/rest/issues/issues).
type GitHub struct {
	Base  string // https://api.github.com, or an emulator
	Token string
	HTTP  *http.Client
}

// githubNewIssue is the body of POST /repos/{owner}/{repo}/issues.
type githubNewIssue struct {
	Title  string   `json:"title"`
	Body   string   `json:"body,omitempty"`
	Labels []string `json:"labels,omitempty"`
}

// GitHubIssue is an issue as GitHub's API and webhooks describe it (the
// fields deskbot reads).
type GitHubIssue struct {
	Number      int64            `json:"number"`
	HTMLURL     string           `json:"html_url"`
	Title       string           `json:"title"`
	Body        string           `json:"body"`
	State       string           `json:"state"` // open or closed
	StateReason string           `json:"state_reason,omitempty"`
	Labels      []GitHubLabel    `json:"labels"`
	Milestone   *GitHubMilestone `json:"milestone"`
	User        GitHubUser       `json:"user"`
	// PullRequest is set when the "issue" is a pull request.
	PullRequest *struct {
		URL string `json:"url"`
	} `json:"pull_request,omitempty"`
}

type GitHubLabel struct {
	Name string `json:"name"`
}

type GitHubMilestone struct {
	Number int64  `json:"number"`
	Title  string `json:"title"`
	State  string `json:"state"`
}

type GitHubUser struct {
	Login string `json:"login"`
	Type  string `json:"type,omitempty"`
}

// githubError is GitHub's error body.
type githubError struct {
	Message string `json:"message"`
	Errors  []struct {
		Resource string `json:"resource"`
		Field    string `json:"field"`
		Code     string `json:"code"`
	} `json:"errors"`
}

func (g *GitHub) state(i *GitHubIssue) *domain.IssueState {
	st := &domain.IssueState{Number: i.Number, URL: i.HTMLURL, Title: i.Title, State: domain.IssueOpen}
	if i.State == "closed" {
		st.State = domain.IssueClosed
	}
	if i.Milestone != nil {
		st.Milestone = i.Milestone.Title
	}
	for _, l := range i.Labels {
		st.Labels = append(st.Labels, l.Name)
	}
	return st
}

// CreateIssue creates an issue: POST /repos/{owner}/{repo}/issues, 201.
func (g *GitHub) CreateIssue(ctx context.Context, repo string, in domain.NewIssue) (*domain.IssueState, error) {
	var out GitHubIssue
	if err := g.do(ctx, http.MethodPost, "/repos/"+repo+"/issues", githubNewIssue(in), http.StatusCreated, &out); err != nil {
		return nil, err
	}
	return g.state(&out), nil
}

// Issue reads an issue: GET /repos/{owner}/{repo}/issues/{number}.
func (g *GitHub) Issue(ctx context.Context, repo string, number int64) (*domain.IssueState, error) {
	var out GitHubIssue
	if err := g.do(ctx, http.MethodGet, "/repos/"+repo+"/issues/"+strconv.FormatInt(number, 10), nil, http.StatusOK, &out); err != nil {
		return nil, err
	}
	return g.state(&out), nil
}

func (g *GitHub) do(ctx context.Context, method, path string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("Authorization", "Bearer "+g.Token)
	req.Header.Set("User-Agent", "deskbot")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("github: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("github: %s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		var e githubError
		_ = json.Unmarshal(data, &e)
		msg := e.Message
		for _, fe := range e.Errors {
			msg += fmt.Sprintf(" (%s %s)", fe.Field, fe.Code)
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return fmt.Errorf("github answered %d: %s", resp.StatusCode, msg)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("github: unreadable answer to %s %s: %w", method, path, err)
	}
	return nil
}

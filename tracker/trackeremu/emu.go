// Package trackeremu emulates the parts of GitHub's and GitLab's REST
// APIs deskbot calls (create and get an issue) and their webhook senders
// (issues, comments, merged pull/merge requests), with the request and
// response shapes of their public documentation: GitHub's "Create an
// issue" / "Get an issue" (docs.github.com/rest/issues/issues) and
// webhook payloads, GitLab's Issues API (docs.gitlab.com/api/issues) and
// webhook events. Tests point deskbot's tracker clients, GitLab's real
// client library among them, at it.
package trackeremu

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Issue is an emulated issue.
type Issue struct {
	Number    int64
	Title     string
	Body      string
	Labels    []string
	State     string // open or closed
	Milestone string
	Author    string
}

// Request is a call the emulator received.
type Request struct {
	Method, Path string
	Auth         string // Authorization or PRIVATE-TOKEN
	Body         []byte
}

// Emu is both trackers. GitHub's API is under /github, GitLab's under
// /gitlab/api/v4.
type Emu struct {
	srv         *httptest.Server
	GitHubToken string
	GitLabToken string

	mu     sync.Mutex
	issues map[string][]*Issue // "github:owner/repo" or "gitlab:group/project"
	reqs   []Request
	fail   int // answer the next n API calls with 502
}

// New starts an emulator accepting the given tokens.
func New(githubToken, gitlabToken string) *Emu {
	e := &Emu{GitHubToken: githubToken, GitLabToken: gitlabToken, issues: map[string][]*Issue{}}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	return e
}

// Close stops the server.
func (e *Emu) Close() { e.srv.Close() }

// GitHubAPI is the base URL of the emulated GitHub API.
func (e *Emu) GitHubAPI() string { return e.srv.URL + "/github" }

// GitLabAPI is the base URL of the emulated GitLab API.
func (e *Emu) GitLabAPI() string { return e.srv.URL + "/gitlab/api/v4" }

// Requests lists the API calls received so far.
func (e *Emu) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reqs)
}

// FailNext makes the next n API calls answer 502.
func (e *Emu) FailNext(n int) {
	e.mu.Lock()
	e.fail = n
	e.mu.Unlock()
}

// Add puts an issue in a repository ("github" or "gitlab") and returns it.
func (e *Emu) Add(kind, repo string, i Issue) *Issue {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := kind + ":" + repo
	if i.Number == 0 {
		i.Number = int64(len(e.issues[k]) + 1)
	}
	if i.State == "" {
		i.State = "open"
	}
	e.issues[k] = append(e.issues[k], &i)
	return &i
}

// Issue returns a copy of an issue, or nil.
func (e *Emu) Issue(kind, repo string, number int64) *Issue {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := e.find(kind, repo, number); i != nil {
		c := *i
		return &c
	}
	return nil
}

// SetState closes or reopens an issue and sets its milestone (when not
// empty) without telling anyone: a webhook that never arrived.
func (e *Emu) SetState(kind, repo string, number int64, state, milestone string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := e.find(kind, repo, number); i != nil {
		i.State = state
		if milestone != "" {
			i.Milestone = milestone
		}
	}
}

func (e *Emu) find(kind, repo string, number int64) *Issue {
	for _, i := range e.issues[kind+":"+repo] {
		if i.Number == number {
			return i
		}
	}
	return nil
}

func (e *Emu) serve(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = readAll(r)
	}
	auth := r.Header.Get("Authorization")
	if t := r.Header.Get("PRIVATE-TOKEN"); t != "" {
		auth = t
	}
	e.mu.Lock()
	e.reqs = append(e.reqs, Request{Method: r.Method, Path: r.URL.EscapedPath(), Auth: auth, Body: body})
	failing := e.fail > 0
	if failing {
		e.fail--
	}
	e.mu.Unlock()
	if failing {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "Server Error"})
		return
	}
	path := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(path, "/github/"):
		e.github(w, r, strings.TrimPrefix(path, "/github"), body)
	case strings.HasPrefix(path, "/gitlab/api/v4/"):
		e.gitlab(w, r, strings.TrimPrefix(path, "/gitlab/api/v4"), body)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

func readAll(r *http.Request) ([]byte, error) { return io.ReadAll(io.LimitReader(r.Body, 8<<20)) }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// github serves POST /repos/{owner}/{repo}/issues and
// GET /repos/{owner}/{repo}/issues/{number}.
func (e *Emu) github(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	if r.Header.Get("Authorization") != "Bearer "+e.GitHubToken && r.Header.Get("Authorization") != "token "+e.GitHubToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 4 || parts[0] != "repos" || parts[3] != "issues" {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	repo := parts[1] + "/" + parts[2]
	switch {
	case len(parts) == 4 && r.Method == http.MethodPost:
		var in struct {
			Title  any      `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
			return
		}
		title := fmt.Sprint(in.Title)
		if in.Title == nil || title == "" {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "Issue", "field": "title", "code": "missing_field"}}})
			return
		}
		i := e.Add("github", repo, Issue{Title: title, Body: in.Body, Labels: in.Labels, Author: "deskbot"})
		writeJSON(w, http.StatusCreated, e.GitHubIssueJSON(repo, i))
	case len(parts) == 5 && r.Method == http.MethodGet:
		n, _ := strconv.ParseInt(parts[4], 10, 64)
		i := e.Issue("github", repo, n)
		if i == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, e.GitHubIssueJSON(repo, i))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

// GitHubIssueJSON is an issue as GitHub's API returns it.
func (e *Emu) GitHubIssueJSON(repo string, i *Issue) map[string]any {
	labels := []map[string]any{}
	for n, l := range i.Labels {
		labels = append(labels, map[string]any{"id": n + 1, "name": l, "color": "f29513", "default": false})
	}
	var ms any
	if i.Milestone != "" {
		ms = map[string]any{"number": 1, "title": i.Milestone, "state": "open"}
	}
	htmlURL := "https://github.com/" + repo + "/issues/" + strconv.FormatInt(i.Number, 10)
	var closedAt any
	stateReason := any(nil)
	if i.State == "closed" {
		closedAt, stateReason = time.Now().UTC().Format(time.RFC3339), "completed"
	}
	return map[string]any{
		"id": 1000 + i.Number, "node_id": "I_kwDO" + strconv.FormatInt(i.Number, 10),
		"url":      e.GitHubAPI() + "/repos/" + repo + "/issues/" + strconv.FormatInt(i.Number, 10),
		"html_url": htmlURL, "number": i.Number, "state": i.State, "state_reason": stateReason, "title": i.Title, "body": i.Body,
		"user":   map[string]any{"login": cmpOr(i.Author, "octocat"), "id": 1, "type": "User"},
		"labels": labels, "milestone": ms, "assignees": []any{}, "locked": false, "comments": 0,
		"closed_at": closedAt, "created_at": "2026-01-01T00:00:00Z", "updated_at": time.Now().UTC().Format(time.RFC3339),
		"author_association": "OWNER",
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// gitlab serves POST /projects/{id}/issues and GET
// /projects/{id}/issues/{iid}, id being the URL-encoded path.
func (e *Emu) gitlab(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	if r.Header.Get("PRIVATE-TOKEN") != e.GitLabToken && r.Header.Get("Authorization") != "Bearer "+e.GitLabToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 3 || parts[0] != "projects" || parts[2] != "issues" {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not Found"})
		return
	}
	repo, err := url.PathUnescape(parts[1])
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Project Not Found"})
		return
	}
	switch {
	case len(parts) == 3 && r.Method == http.MethodPost:
		var in struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			Labels      any    `json:"labels"` // a comma-separated string, or an array
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			if err := json.Unmarshal(body, &in); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
				return
			}
		} else {
			q, _ := url.ParseQuery(string(body))
			in.Title, in.Description, in.Labels = q.Get("title"), q.Get("description"), q.Get("labels")
		}
		if in.Title == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "title is missing"})
			return
		}
		i := e.Add("gitlab", repo, Issue{Title: in.Title, Body: in.Description, Labels: labelsOf(in.Labels), Author: "deskbot"})
		writeJSON(w, http.StatusCreated, e.GitLabIssueJSON(repo, i))
	case len(parts) == 4 && r.Method == http.MethodGet:
		n, _ := strconv.ParseInt(parts[3], 10, 64)
		i := e.Issue("gitlab", repo, n)
		if i == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not found"})
			return
		}
		writeJSON(w, http.StatusOK, e.GitLabIssueJSON(repo, i))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not Found"})
	}
}

func labelsOf(v any) []string {
	var out []string
	switch l := v.(type) {
	case string:
		for _, s := range strings.Split(l, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []any:
		for _, s := range l {
			out = append(out, fmt.Sprint(s))
		}
	}
	return out
}

// GitLabIssueJSON is an issue as GitLab's Issues API returns it.
func (e *Emu) GitLabIssueJSON(repo string, i *Issue) map[string]any {
	state := "opened"
	var closedAt any
	if i.State == "closed" {
		state, closedAt = "closed", time.Now().UTC().Format(time.RFC3339)
	}
	var ms any
	if i.Milestone != "" {
		ms = map[string]any{"id": 7, "iid": 1, "project_id": 3, "title": i.Milestone, "state": "active"}
	}
	labels := i.Labels
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"id": 5000 + i.Number, "iid": i.Number, "project_id": 3, "title": i.Title, "description": i.Body,
		"state": state, "labels": labels, "milestone": ms, "closed_at": closedAt,
		"author":     map[string]any{"id": 1, "username": cmpOr(i.Author, "root"), "name": "Administrator"},
		"web_url":    "https://gitlab.com/" + repo + "/-/issues/" + strconv.FormatInt(i.Number, 10),
		"created_at": "2026-01-01T00:00:00.000Z", "updated_at": time.Now().UTC().Format(time.RFC3339),
		"confidential": false, "issue_type": "issue", "type": "ISSUE",
	}
}

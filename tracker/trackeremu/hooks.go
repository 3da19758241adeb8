package trackeremu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Hook is one webhook delivery as a tracker sends it.
type Hook struct {
	Kind  string // github or gitlab
	Event string // X-GitHub-Event or X-Gitlab-Event
	ID    string // X-GitHub-Delivery or X-Gitlab-Event-UUID (and Idempotency-Key)
	Body  []byte
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of plain values always encode
	}
	return b
}

func githubRepo(repo string) map[string]any {
	return map[string]any{"id": 1296269, "name": repo[bytes.IndexByte([]byte(repo), '/')+1:], "full_name": repo,
		"html_url": "https://github.com/" + repo, "private": false}
}

// GitHubIssues is an "issues" delivery (action: closed, reopened,
// milestoned…) carrying the issue as it now is.
func (e *Emu) GitHubIssues(repo string, number int64, action, sender string) Hook {
	i := e.Issue("github", repo, number)
	if i == nil {
		i = &Issue{Number: number, State: "open"}
	}
	return Hook{Kind: "github", Event: "issues", ID: newID(), Body: mustJSON(map[string]any{
		"action": action, "issue": e.GitHubIssueJSON(repo, i), "repository": githubRepo(repo),
		"sender": map[string]any{"login": sender, "id": 2, "type": "User"},
	})}
}

// GitHubComment is an "issue_comment" delivery (action created).
func (e *Emu) GitHubComment(repo string, number, commentID int64, body, login string) Hook {
	i := e.Issue("github", repo, number)
	if i == nil {
		i = &Issue{Number: number, State: "open"}
	}
	return Hook{Kind: "github", Event: "issue_comment", ID: newID(), Body: mustJSON(map[string]any{
		"action": "created", "issue": e.GitHubIssueJSON(repo, i),
		"comment": map[string]any{"id": commentID, "body": body, "user": map[string]any{"login": login, "id": 3, "type": "User"},
			"html_url":           fmt.Sprintf("https://github.com/%s/issues/%d#issuecomment-%d", repo, number, commentID),
			"author_association": "MEMBER", "created_at": "2026-01-02T00:00:00Z"},
		"repository": githubRepo(repo), "sender": map[string]any{"login": login, "id": 3, "type": "User"},
	})}
}

// GitHubMerged is a "pull_request" delivery: action closed, merged true.
func (e *Emu) GitHubMerged(repo string, pr int64, title, body, login string) Hook {
	return Hook{Kind: "github", Event: "pull_request", ID: newID(), Body: mustJSON(map[string]any{
		"action": "closed", "number": pr,
		"pull_request": map[string]any{"number": pr, "title": title, "body": body, "state": "closed", "merged": true,
			"html_url":  "https://github.com/" + repo + "/pull/" + strconv.FormatInt(pr, 10),
			"merged_by": map[string]any{"login": login, "id": 3, "type": "User"}, "merge_commit_sha": "e5bd3914e2e596debea16f433f57875b5b90bcd6"},
		"repository": githubRepo(repo), "sender": map[string]any{"login": login, "id": 3, "type": "User"},
	})}
}

func gitlabProject(repo string) map[string]any {
	return map[string]any{"id": 3, "name": repo, "path_with_namespace": repo, "web_url": "https://gitlab.com/" + repo,
		"namespace": repo[:bytes.IndexByte([]byte(repo), '/')], "visibility_level": 20}
}

func gitlabUser(name string) map[string]any {
	return map[string]any{"id": 1, "name": name, "username": name, "avatar_url": "", "email": "[REDACTED]"}
}

// GitLabIssue is an "Issue Hook" delivery (action open, close, reopen,
// update); like GitLab's, it names the milestone by id only.
func (e *Emu) GitLabIssue(repo string, iid int64, action, user string) Hook {
	i := e.Issue("gitlab", repo, iid)
	if i == nil {
		i = &Issue{Number: iid, State: "open"}
	}
	state := "opened"
	if i.State == "closed" {
		state = "closed"
	}
	labels := []map[string]any{}
	for n, l := range i.Labels {
		labels = append(labels, map[string]any{"id": n + 1, "title": l, "color": "#428BCA", "type": "ProjectLabel"})
	}
	var ms any
	if i.Milestone != "" {
		ms = 7
	}
	return Hook{Kind: "gitlab", Event: "Issue Hook", ID: newID(), Body: mustJSON(map[string]any{
		"object_kind": "issue", "event_type": "issue", "user": gitlabUser(user), "project": gitlabProject(repo),
		"object_attributes": map[string]any{"id": 5000 + iid, "iid": iid, "title": i.Title, "description": i.Body,
			"state": state, "action": action, "milestone_id": ms, "project_id": 3,
			"url": "https://gitlab.com/" + repo + "/-/issues/" + strconv.FormatInt(iid, 10)},
		"labels": labels, "repository": map[string]any{"name": repo, "homepage": "https://gitlab.com/" + repo},
	})}
}

// GitLabNote is a "Note Hook" delivery on an issue.
func (e *Emu) GitLabNote(repo string, iid, noteID int64, body, user string) Hook {
	i := e.Issue("gitlab", repo, iid)
	if i == nil {
		i = &Issue{Number: iid, State: "open"}
	}
	return Hook{Kind: "gitlab", Event: "Note Hook", ID: newID(), Body: mustJSON(map[string]any{
		"object_kind": "note", "event_type": "note", "user": gitlabUser(user), "project": gitlabProject(repo),
		"object_attributes": map[string]any{"id": noteID, "note": body, "noteable_type": "Issue", "internal": false,
			"url": fmt.Sprintf("https://gitlab.com/%s/-/issues/%d#note_%d", repo, iid, noteID)},
		"issue": map[string]any{"id": 5000 + iid, "iid": iid, "title": i.Title, "state": "opened"},
	})}
}

// GitLabMerged is a "Merge Request Hook" delivery with action merge.
func (e *Emu) GitLabMerged(repo string, iid int64, title, description, user string) Hook {
	return Hook{Kind: "gitlab", Event: "Merge Request Hook", ID: newID(), Body: mustJSON(map[string]any{
		"object_kind": "merge_request", "event_type": "merge_request", "user": gitlabUser(user), "project": gitlabProject(repo),
		"object_attributes": map[string]any{"iid": iid, "title": title, "description": description, "state": "merged", "action": "merge",
			"url": "https://gitlab.com/" + repo + "/-/merge_requests/" + strconv.FormatInt(iid, 10)},
	})}
}

// Send delivers a hook to url as its tracker does: GitHub signs the body
// (X-Hub-Signature-256), GitLab sends the secret token. It returns the
// status code.
func Send(ctx context.Context, url, secret string, h Hook) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(h.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.Kind == "github" {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(h.Body)
		req.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
		req.Header.Set("X-GitHub-Event", h.Event)
		req.Header.Set("X-GitHub-Delivery", h.ID)
		req.Header.Set("X-GitHub-Hook-ID", "292430182")
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(m.Sum(nil)))
	} else {
		req.Header.Set("User-Agent", "GitLab/18.6.0")
		req.Header.Set("X-Gitlab-Event", h.Event)
		req.Header.Set("X-Gitlab-Event-UUID", h.ID)
		req.Header.Set("Idempotency-Key", h.ID)
		req.Header.Set("X-Gitlab-Webhook-UUID", "7b0b0b0b-0000-4000-8000-000000000001")
		req.Header.Set("X-Gitlab-Instance", "https://gitlab.com")
		req.Header.Set("X-Gitlab-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

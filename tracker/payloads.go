package tracker

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/deskbot/deskbot/domain"
)

// The webhook payloads deskbot reads, as GitHub documents them
// (docs.github.com/webhooks/webhook-events-and-payloads: issues,
// issue_comment, pull_request) and GitLab does
// (docs.gitlab.com/user/project/integrations/webhook_events: issue,
// comment and merge request events). Only the fields used are declared.

type GitHubRepository struct {
	FullName string `json:"full_name"`
}

type GitHubIssuesEvent struct {
	Action     string           `json:"action"`
	Issue      GitHubIssue      `json:"issue"`
	Repository GitHubRepository `json:"repository"`
	Sender     GitHubUser       `json:"sender"`
}

type GitHubComment struct {
	ID      int64      `json:"id"`
	Body    string     `json:"body"`
	HTMLURL string     `json:"html_url"`
	User    GitHubUser `json:"user"`
}

type GitHubIssueCommentEvent struct {
	Action     string           `json:"action"`
	Issue      GitHubIssue      `json:"issue"`
	Comment    GitHubComment    `json:"comment"`
	Repository GitHubRepository `json:"repository"`
	Sender     GitHubUser       `json:"sender"`
}

type GitHubPullRequest struct {
	Number   int64       `json:"number"`
	Title    string      `json:"title"`
	Body     string      `json:"body"`
	HTMLURL  string      `json:"html_url"`
	State    string      `json:"state"`
	Merged   bool        `json:"merged"`
	MergedBy *GitHubUser `json:"merged_by"`
}

type GitHubPullRequestEvent struct {
	Action      string            `json:"action"`
	Number      int64             `json:"number"`
	PullRequest GitHubPullRequest `json:"pull_request"`
	Repository  GitHubRepository  `json:"repository"`
	Sender      GitHubUser        `json:"sender"`
}

// GitHubEvent reads a GitHub delivery (X-GitHub-Event names its kind) as
// a tracker event; nil for what deskbot ignores (ping, labels on pull
// requests, comments on pull requests, unmerged closes).
func GitHubEvent(tracker, kind string, body []byte) (*domain.TrackerEvent, error) {
	switch kind {
	case "issues":
		var e GitHubIssuesEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("unreadable issues event: %w", err)
		}
		switch e.Action {
		case "opened", "closed", "reopened", "edited", "milestoned", "demilestoned", "labeled", "unlabeled":
		default:
			return nil, nil
		}
		ev := &domain.TrackerEvent{Tracker: tracker, Kind: domain.TrackerIssueState, Repo: e.Repository.FullName,
			Number: e.Issue.Number, Title: e.Issue.Title, URL: e.Issue.HTMLURL, State: domain.IssueOpen,
			MilestoneKnown: true, LabelsKnown: true, Author: e.Sender.Login}
		if e.Issue.State == "closed" {
			ev.State = domain.IssueClosed
		}
		if e.Issue.Milestone != nil {
			ev.Milestone = e.Issue.Milestone.Title
		}
		for _, l := range e.Issue.Labels {
			ev.Labels = append(ev.Labels, l.Name)
		}
		return ev, nil
	case "issue_comment":
		var e GitHubIssueCommentEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("unreadable issue_comment event: %w", err)
		}
		if e.Action != "created" || e.Issue.PullRequest != nil || e.Comment.User.Type == "Bot" {
			return nil, nil
		}
		return &domain.TrackerEvent{Tracker: tracker, Kind: domain.TrackerComment, Repo: e.Repository.FullName,
			Number: e.Issue.Number, Title: e.Issue.Title, URL: e.Comment.HTMLURL, Author: e.Comment.User.Login,
			Body: e.Comment.Body, CommentID: strconv.FormatInt(e.Comment.ID, 10)}, nil
	case "pull_request":
		var e GitHubPullRequestEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("unreadable pull_request event: %w", err)
		}
		if e.Action != "closed" || !e.PullRequest.Merged {
			return nil, nil
		}
		repo := e.Repository.FullName
		issues := domain.MentionedIssues(repo, e.PullRequest.Title+"\n"+e.PullRequest.Body)
		if len(issues) == 0 {
			return nil, nil
		}
		who := e.Sender.Login
		if e.PullRequest.MergedBy != nil {
			who = e.PullRequest.MergedBy.Login
		}
		return &domain.TrackerEvent{Tracker: tracker, Kind: domain.TrackerMerged, Repo: repo,
			Title: fmt.Sprintf("#%d %s", e.PullRequest.Number, e.PullRequest.Title), URL: e.PullRequest.HTMLURL,
			Author: who, Issues: issues}, nil
	}
	return nil, nil
}

type GitLabUser struct {
	Name     string `json:"name"`
	Username string `json:"username"`
}

type GitLabProject struct {
	ID                int64  `json:"id"`
	PathWithNamespace string `json:"path_with_namespace"`
	WebURL            string `json:"web_url"`
}

type GitLabLabel struct {
	Title string `json:"title"`
}

type GitLabIssueAttributes struct {
	ID          int64  `json:"id"`
	IID         int64  `json:"iid"`
	Title       string `json:"title"`
	Description string `json:"description"`
	State       string `json:"state"`  // opened, closed
	Action      string `json:"action"` // open, close, reopen, update
	URL         string `json:"url"`
	MilestoneID *int64 `json:"milestone_id"`
}

type GitLabIssueEvent struct {
	ObjectKind       string                `json:"object_kind"` // issue
	EventType        string                `json:"event_type"`
	User             GitLabUser            `json:"user"`
	Project          GitLabProject         `json:"project"`
	ObjectAttributes GitLabIssueAttributes `json:"object_attributes"`
	Labels           []GitLabLabel         `json:"labels"`
}

type GitLabNoteAttributes struct {
	ID           int64  `json:"id"`
	Note         string `json:"note"`
	NoteableType string `json:"noteable_type"` // Issue, MergeRequest, Commit, Snippet
	URL          string `json:"url"`
	Internal     bool   `json:"internal"`
}

type GitLabNoteEvent struct {
	ObjectKind       string               `json:"object_kind"` // note
	User             GitLabUser           `json:"user"`
	Project          GitLabProject        `json:"project"`
	ObjectAttributes GitLabNoteAttributes `json:"object_attributes"`
	Issue            *struct {
		IID   int64  `json:"iid"`
		Title string `json:"title"`
		State string `json:"state"`
	} `json:"issue"`
}

type GitLabMergeRequestAttributes struct {
	IID         int64  `json:"iid"`
	Title       string `json:"title"`
	Description string `json:"description"`
	State       string `json:"state"`  // opened, closed, merged
	Action      string `json:"action"` // open, close, reopen, update, merge
	URL         string `json:"url"`
}

type GitLabMergeRequestEvent struct {
	ObjectKind       string                       `json:"object_kind"` // merge_request
	User             GitLabUser                   `json:"user"`
	Project          GitLabProject                `json:"project"`
	ObjectAttributes GitLabMergeRequestAttributes `json:"object_attributes"`
}

// GitLabEvent reads a GitLab delivery (X-Gitlab-Event names its kind) as
// a tracker event; nil for what deskbot ignores. GitLab's issue event
// names the milestone by id only: the milestone's title is left to the
// API (reconcile, release), so MilestoneKnown stays false.
func GitLabEvent(tracker, kind string, body []byte) (*domain.TrackerEvent, error) {
	switch kind {
	case "Issue Hook", "Confidential Issue Hook":
		var e GitLabIssueEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("unreadable issue event: %w", err)
		}
		a := e.ObjectAttributes
		ev := &domain.TrackerEvent{Tracker: tracker, Kind: domain.TrackerIssueState, Repo: e.Project.PathWithNamespace,
			Number: a.IID, Title: a.Title, URL: a.URL, State: domain.IssueOpen, LabelsKnown: true, Author: e.User.Username}
		if a.State == "closed" {
			ev.State = domain.IssueClosed
		}
		for _, l := range e.Labels {
			ev.Labels = append(ev.Labels, l.Title)
		}
		return ev, nil
	case "Note Hook", "Confidential Note Hook":
		var e GitLabNoteEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("unreadable comment event: %w", err)
		}
		if e.ObjectAttributes.NoteableType != "Issue" || e.Issue == nil {
			return nil, nil
		}
		return &domain.TrackerEvent{Tracker: tracker, Kind: domain.TrackerComment, Repo: e.Project.PathWithNamespace,
			Number: e.Issue.IID, Title: e.Issue.Title, URL: e.ObjectAttributes.URL, Author: e.User.Username,
			Body: e.ObjectAttributes.Note, CommentID: strconv.FormatInt(e.ObjectAttributes.ID, 10)}, nil
	case "Merge Request Hook":
		var e GitLabMergeRequestEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("unreadable merge request event: %w", err)
		}
		a := e.ObjectAttributes
		if a.Action != "merge" {
			return nil, nil
		}
		repo := e.Project.PathWithNamespace
		issues := domain.MentionedIssues(repo, a.Title+"\n"+a.Description)
		if len(issues) == 0 {
			return nil, nil
		}
		return &domain.TrackerEvent{Tracker: tracker, Kind: domain.TrackerMerged, Repo: repo,
			Title: fmt.Sprintf("!%d %s", a.IID, a.Title), URL: a.URL, Author: e.User.Username, Issues: issues}, nil
	}
	return nil, nil
}

// payloadRepo reads only the repository a delivery is about, to pick the
// tracker (and so the secret) that must have signed it.
func payloadRepo(kind string, body []byte) string {
	var p struct {
		Repository GitHubRepository `json:"repository"`
		Project    GitLabProject    `json:"project"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	if kind == domain.TrackerGitLab {
		return p.Project.PathWithNamespace
	}
	return p.Repository.FullName
}

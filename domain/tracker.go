package domain

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The kinds of issue tracker deskbot escalates to.
const (
	TrackerGitHub = "github"
	TrackerGitLab = "gitlab"
)

// Issue states as deskbot keeps them, whatever the tracker calls them
// (GitLab says "opened").
const (
	IssueOpen   = "open"
	IssueClosed = "closed"
)

// EventEscalated and EventIssueLinked record a ticket tied to an issue;
// EventIssueState an issue of the ticket closing or reopening.
const (
	EventEscalated   = "escalated"
	EventIssueLinked = "issue_linked"
	EventIssueState  = "issue_state"
)

// ChannelTracker marks what an issue tracker caused (webhooks, reconcile).
const ChannelTracker = "tracker"

// DefaultIssueClosedStatus is where a ticket goes when its issue closes,
// unless engineering.closed_status says otherwise.
const DefaultIssueClosedStatus = "waiting_release"

// DefaultReleaseLabelPrefix starts the label that puts an issue in a
// release (release:4.2.2), unless engineering.release_label_prefix is set.
const DefaultReleaseLabelPrefix = "release:"

// DefaultReconcileInterval is how often linked issues are polled.
const DefaultReconcileInterval = 24 * time.Hour

// TrackerDef is one entry of `trackers:` in the config: a repository on
// GitHub or a project on GitLab that agents escalate to.
type TrackerDef struct {
	Name string `yaml:"-"` // the key under trackers:
	Kind string `yaml:"kind"`
	// Repository is owner/repo on GitHub, group[/subgroup]/project on GitLab.
	Repository string `yaml:"repository"`
	// APIURL is the REST API's base; empty: the public service's.
	APIURL string `yaml:"api_url"`
	// TokenEnv names the environment variable holding the API token.
	TokenEnv string `yaml:"token_env"`
	// WebhookSecretEnv names the variable holding the webhook secret
	// (GitHub's HMAC key, GitLab's token); empty: webhooks are refused.
	WebhookSecretEnv string `yaml:"webhook_secret_env"`
	// Labels are offered in the escalate form, pre-selected.
	Labels []string `yaml:"labels"`
	Line   int      `yaml:"-"`
}

func (t *TrackerDef) UnmarshalYAML(n *yaml.Node) error {
	type plain TrackerDef
	t.Line = n.Line
	return decodeStrict(n, (*plain)(t))
}

// API is the REST API's base URL in force.
func (t *TrackerDef) API() string {
	if t.APIURL != "" {
		return strings.TrimRight(t.APIURL, "/")
	}
	if t.Kind == TrackerGitLab {
		return "https://gitlab.com/api/v4"
	}
	return "https://api.github.com"
}

// EngineeringConfig is what the tracker links do to tickets.
type EngineeringConfig struct {
	// ClosedStatus is where linked tickets go when their issue closes.
	ClosedStatus string `yaml:"closed_status"`
	// ReconcileInterval is how often linked issues' states are polled,
	// so a missed webhook heals.
	ReconcileInterval Duration `yaml:"reconcile_interval"`
	// ReleaseLabelPrefix: an issue labelled PREFIX+version ships in that
	// release, like its milestone named after the version does.
	ReleaseLabelPrefix string `yaml:"release_label_prefix"`
	Line               int    `yaml:"-"`
}

func (e *EngineeringConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain EngineeringConfig
	e.Line = n.Line
	return decodeStrict(n, (*plain)(e))
}

var (
	envNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	repoPathRE  = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$`)
	trackerName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,30}$`)
)

func (c *Config) validateTrackers(p *problems) {
	for name, t := range c.Trackers {
		if t == nil {
			p.add(0, "trackers.%s: expected kind, repository and token_env", name)
			continue
		}
		t.Name = name
		at := "trackers." + name
		if !trackerName.MatchString(name) {
			p.add(t.Line, "%s: a tracker's name is lower-case letters, digits, - and _", at)
		}
		switch t.Kind {
		case TrackerGitHub:
			if strings.Count(t.Repository, "/") != 1 || !repoPathRE.MatchString(t.Repository) {
				p.add(t.Line, "%s.repository: %q must be owner/repo on GitHub", at, t.Repository)
			}
		case TrackerGitLab:
			if !repoPathRE.MatchString(t.Repository) {
				p.add(t.Line, "%s.repository: %q must be group/project (subgroups allowed) on GitLab", at, t.Repository)
			}
		default:
			p.add(t.Line, "%s.kind: %q must be github or gitlab", at, t.Kind)
		}
		if t.APIURL != "" {
			if u, err := url.Parse(t.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				p.add(t.Line, "%s.api_url: %q must be an http(s) URL like https://gitlab.example.com/api/v4", at, t.APIURL)
			}
		}
		if !envNameRE.MatchString(t.TokenEnv) {
			p.add(t.Line, "%s.token_env: %q must name the environment variable holding the API token, like GITHUB_TOKEN", at, t.TokenEnv)
		}
		if t.WebhookSecretEnv != "" && !envNameRE.MatchString(t.WebhookSecretEnv) {
			p.add(t.Line, "%s.webhook_secret_env: %q must name an environment variable, like GITHUB_WEBHOOK_SECRET", at, t.WebhookSecretEnv)
		}
	}
	e := &c.Engineering
	switch {
	case e.ClosedStatus == "":
		// A file with its own statuses may not have the default one: the
		// first waiting status stands in, and without one tickets stay put.
		e.ClosedStatus = DefaultIssueClosedStatus
		if c.Status(e.ClosedStatus) == nil {
			e.ClosedStatus = ""
			for _, s := range c.Statuses {
				if s.Category == CategoryWaiting {
					e.ClosedStatus = s.Name
					break
				}
			}
		}
	case c.Status(e.ClosedStatus) == nil:
		p.add(e.Line, "engineering.closed_status: %s", unknown("status", e.ClosedStatus, c.statusNames()))
	}
	if e.ReleaseLabelPrefix == "" {
		e.ReleaseLabelPrefix = DefaultReleaseLabelPrefix
	}
	if e.ReconcileInterval.Duration == 0 {
		e.ReconcileInterval.Duration = DefaultReconcileInterval
	} else if e.ReconcileInterval.Duration < time.Minute {
		p.add(e.Line, "engineering.reconcile_interval %s is too short; use 1m or more", e.ReconcileInterval.Duration)
	}
}

// TrackerNames lists the configured trackers, sorted.
func (c *Config) TrackerNames() []string {
	out := make([]string, 0, len(c.Trackers))
	for n := range c.Trackers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TrackerFor finds the tracker of a repository (case does not matter),
// of kind when kind is not empty.
func (c *Config) TrackerFor(kind, repo string) *TrackerDef {
	for _, n := range c.TrackerNames() {
		t := c.Trackers[n]
		if strings.EqualFold(t.Repository, repo) && (kind == "" || t.Kind == kind) {
			return t
		}
	}
	return nil
}

// TrackerIssue is an issue in a tracker that tickets are linked to, as
// last heard from the tracker.
type TrackerIssue struct {
	ID        int64  `db:"id"`
	Tracker   string `db:"tracker"` // the config's name for it
	Repo      string `db:"repo"`
	Number    int64  `db:"number"`
	URL       string `db:"url"`
	Title     string `db:"title"`
	State     string `db:"state"` // IssueOpen or IssueClosed
	Milestone string `db:"milestone"`
	// Labels, one per line.
	Labels    string    `db:"labels"`
	CheckedAt time.Time `db:"checked_at"`
	// Waiting counts the customers with an unresolved ticket linked to
	// it (filled by TicketIssues, not stored).
	Waiting int `db:"waiting"`
}

// Ref is how people write the issue: org/repo#123.
func (i *TrackerIssue) Ref() string { return FormatIssueRef(i.Repo, i.Number) }

// LabelList is Labels split.
func (i *TrackerIssue) LabelList() []string {
	if i.Labels == "" {
		return nil
	}
	return strings.Split(i.Labels, "\n")
}

// IssueState is an issue as a tracker's API describes it.
type IssueState struct {
	Number    int64
	URL       string
	Title     string
	State     string // IssueOpen or IssueClosed
	Milestone string
	Labels    []string
}

// NewIssue is what an escalation asks a tracker to create.
type NewIssue struct {
	Title  string
	Body   string
	Labels []string
}

// TrackerStore holds the issues tickets are linked to; Tx embeds it.
type TrackerStore interface {
	// SaveIssue inserts an issue or updates the one with its tracker,
	// repo and number, and sets i.ID.
	SaveIssue(ctx context.Context, i *TrackerIssue) error
	// IssueByRef finds an issue, or ENOTFOUND.
	IssueByRef(ctx context.Context, tracker, repo string, number int64) (*TrackerIssue, error)
	// LinkIssue ties a ticket to an issue and reports false when it was already.
	LinkIssue(ctx context.Context, ticketID, issueID int64, by string) (bool, error)
	// TicketIssues lists the issues of each ticket, with Waiting counted.
	TicketIssues(ctx context.Context, ticketIDs []int64) (map[int64][]*TrackerIssue, error)
	// IssueTicketIDs lists the tickets linked to an issue.
	IssueTicketIDs(ctx context.Context, issueID int64) ([]int64, error)
	// OpenLinkedIssues lists the issues linked to at least one unresolved
	// ticket, least recently checked first.
	OpenLinkedIssues(ctx context.Context, limit int) ([]*TrackerIssue, error)
}

// IssueRef is an issue as written by a person: org/repo#123 (GitHub),
// group/sub/project#12 (GitLab), or the issue's web address.
type IssueRef struct {
	Kind   string // "" when the text does not say (the short form)
	Repo   string
	Number int64
}

var (
	shortRefRE  = regexp.MustCompile(`^([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)#([1-9][0-9]{0,9})$`)
	githubURLRE = regexp.MustCompile(`^https?://[^/]+/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull)/([1-9][0-9]{0,9})/?$`)
	gitlabURLRE = regexp.MustCompile(`^https?://[^/]+/([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)/-/(?:issues|work_items)/([1-9][0-9]{0,9})/?$`)
)

// ParseIssueRef reads an issue reference, or says what it should look like.
func ParseIssueRef(s string) (IssueRef, error) {
	s = strings.Trim(strings.TrimSpace(s), "<>")
	for _, f := range []struct {
		re   *regexp.Regexp
		kind string
	}{{shortRefRE, ""}, {gitlabURLRE, TrackerGitLab}, {githubURLRE, TrackerGitHub}} {
		if m := f.re.FindStringSubmatch(s); m != nil {
			n, _ := strconv.ParseInt(m[2], 10, 64)
			return IssueRef{Kind: f.kind, Repo: m[1], Number: n}, nil
		}
	}
	return IssueRef{}, FieldErrorf("issue", "%q is not an issue: write it org/repo#123 (GitLab: group/project#12) or paste its address.", s)
}

// FormatIssueRef writes repo#number.
func FormatIssueRef(repo string, number int64) string {
	return repo + "#" + strconv.FormatInt(number, 10)
}

// IssueInRelease is the rule `/desk release VERSION` resolves by: the
// issue is closed and its milestone is the version (a leading v does
// not matter: v4.2.2 is 4.2.2), or it carries the label prefix+version
// (engineering.release_label_prefix, "release:" unless set).
func IssueInRelease(i *TrackerIssue, version, labelPrefix string) bool {
	if i.State != IssueClosed {
		return false
	}
	same := func(s string) bool {
		s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "v"), "V")
		return s != "" && strings.EqualFold(s, strings.TrimPrefix(version, "v"))
	}
	if same(i.Milestone) {
		return true
	}
	for _, l := range i.LabelList() {
		if rest, ok := strings.CutPrefix(strings.ToLower(l), strings.ToLower(labelPrefix)); ok && same(rest) {
			return true
		}
	}
	return false
}

// EscalationInput is what the issue body is written from.
type EscalationInput struct {
	Key, Title, Customer, Version, SLA, Link string
	Priority                                 string
	// Words are the customer's own messages, oldest first.
	Words []string
	// Notes are internal notes, included only when the agent chose to.
	Notes []string
}

// EscalationBody writes the issue's body in Markdown (both trackers
// read it): the facts, a link back, the customer's words quoted.
func EscalationBody(in EscalationInput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Escalated from support ticket **%s**", in.Key)
	if in.Link != "" {
		fmt.Fprintf(&b, " (%s)", in.Link)
	}
	b.WriteString(".\n\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "- **%s:** %s\n", k, oneLine(v))
		}
	}
	row("Customer", in.Customer)
	row("Version", in.Version)
	row("Priority", in.Priority)
	row("SLA", in.SLA)
	if len(in.Words) > 0 {
		b.WriteString("\n### What the customer said\n")
		for _, w := range in.Words {
			b.WriteString("\n")
			b.WriteString(quote(w))
		}
	}
	b.WriteString(NotesMarkdown(in.Notes))
	return b.String()
}

// NotesMarkdown is the body's section of internal notes, "" without any.
func NotesMarkdown(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Internal notes\n")
	for _, n := range notes {
		b.WriteString("\n")
		b.WriteString(quote(n))
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// quote makes text a Markdown block quote, line by line.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// What a tracker's webhook (or a reconcile) tells about an issue.
const (
	TrackerIssueState = "issue"   // the issue opened, closed, reopened or changed
	TrackerComment    = "comment" // someone commented on the issue
	TrackerMerged     = "merged"  // a merged pull/merge request mentions it
)

// TrackerEvent is one thing a tracker said, in the tracker's neutral terms.
type TrackerEvent struct {
	Tracker string // the config's name for the tracker
	Kind    string // TrackerIssueState, TrackerComment or TrackerMerged
	Repo    string
	Number  int64 // the issue's number (for TrackerMerged: see Issues)
	Title   string
	URL     string // the issue's, the comment's or the request's address
	State   string // IssueOpen or IssueClosed, for TrackerIssueState
	// Milestone and Labels are set when the payload carries them
	// (GitLab's issue hook names only a milestone id).
	Milestone      string
	MilestoneKnown bool
	Labels         []string
	LabelsKnown    bool
	Author         string // who commented, merged or changed it
	Body           string // the comment's text
	CommentID      string
	// Issues are the numbers, in Repo, a merged request closes or mentions.
	Issues []int64
}

var mentionRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_/])(?:([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+))?#([1-9][0-9]{0,9})\b`)

// MentionedIssues lists the issues of repo a pull or merge request's
// text mentions (#12, repo#12, "Fixes #12"), in order, once each.
func MentionedIssues(repo, text string) []int64 {
	var out []int64
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		if m[1] != "" && !strings.EqualFold(m[1], repo) {
			continue
		}
		n, _ := strconv.ParseInt(m[2], 10, 64)
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

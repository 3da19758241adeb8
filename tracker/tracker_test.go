package tracker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
	"github.com/deskbot/deskbot/tracker/trackeremu"
)

// Escalating creates the issue through each tracker's API (GitLab's own
// client library on the emulator) with the body the ticket dictates,
// links it and records it.
func TestEscalateCreatesIssue(t *testing.T) {
	for _, trk := range []string{"gh", "gl"} {
		t.Run(trk, func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
				f := newFixture(t, db)
				kind, repo := repoOf(trk)
				i := f.escalate(t, "ACME-1", trk)
				if i.Repo != repo || i.Number != 1 || i.State != domain.IssueOpen || i.Waiting != 0 && i.Waiting != 1 {
					t.Fatalf("issue %+v", i)
				}
				got := f.emu.Issue(kind, repo, 1)
				if got == nil {
					t.Fatal("no issue in the tracker")
				}
				want := "Escalated from support ticket **ACME-1** (https://slack.example/card).\n\n" +
					"- **Customer:** Acme Corp\n- **Version:** 4.2.1\n- **Priority:** " + mustTicket(t, f, "ACME-1").Priority + "\n" +
					"- **SLA:** "
				if !strings.HasPrefix(got.Body, want) {
					t.Errorf("body starts\n%s\nwant\n%s", got.Body, want)
				}
				for _, s := range []string{"> Export to CSV crashes with 500.\n", "> It happens every time\n> since the upgrade.\n"} {
					if !strings.Contains(got.Body, s) {
						t.Errorf("body lacks the customer's words %q:\n%s", s, got.Body)
					}
				}
				if strings.Contains(got.Body, "their DB is huge") {
					t.Errorf("an internal note reached the issue unasked:\n%s", got.Body)
				}
				if got.Title != "[ACME-1] Export crashes" || strings.Join(got.Labels, ",") != "bug" {
					t.Errorf("title %q labels %v", got.Title, got.Labels)
				}
				reqs := f.emu.Requests()
				if len(reqs) != 1 || reqs[0].Method != http.MethodPost {
					t.Fatalf("requests %+v", reqs)
				}
				if trk == "gl" && reqs[0].Path != "/gitlab/api/v4/projects/acme-corp%2Fplatform%2Fapi/issues" {
					t.Errorf("GitLab path %s", reqs[0].Path)
				}
				_, events, err := f.svc.History(context.Background(), agent, "ACME-1")
				if err != nil {
					t.Fatal(err)
				}
				if !hasEvent(events, domain.EventEscalated, repo+"#1") {
					t.Errorf("no escalated event in %v", events)
				}
			})
		})
	}
}

func mustTicket(t *testing.T, f *fixture, key string) *domain.Ticket {
	tk, err := f.svc.Ticket(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func hasEvent(es []*domain.Event, kind, value string) bool {
	for _, e := range es {
		if e.Kind == kind && e.NewValue == value {
			return true
		}
	}
	return false
}

// Internal notes go to the issue only when the agent asks.
func TestEscalateWithNotes(t *testing.T) {
	f := newFixture(t, storagetest.Open(t, storage.SQLite))
	ctx := context.Background()
	d, err := f.svc.EscalationDraft(ctx, agent, "ACME-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if !d.HasNotes || d.Labels[0] != "support" {
		t.Fatalf("draft %+v", d)
	}
	in := commands.EscalateInput{Tracker: "gh", Title: d.Title, Body: d.Body, WithNotes: true, DedupID: "V0FORM"}
	if _, err := f.svc.Escalate(ctx, agent, "ACME-1", in); err != nil {
		t.Fatal(err)
	}
	// The same form handled twice (a redelivered submission) creates one issue.
	if _, err := f.svc.Escalate(ctx, agent, "ACME-1", in); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), ghRepo+"#1") {
		t.Errorf("second submission: %v", err)
	}
	if b := f.emu.Issue("github", ghRepo, 1).Body; !strings.Contains(b, "### Internal notes\n\n> secret: their DB is huge\n") {
		t.Errorf("notes missing:\n%s", b)
	}
	// Bad input is refused before the tracker is called.
	for _, in := range []commands.EscalateInput{{Tracker: "nope", Title: "x"}, {Tracker: "gh", Title: " "}, {Tracker: "gh", Title: "x", Labels: []string{strings.Repeat("l", 51)}}} {
		if _, err := f.svc.Escalate(ctx, agent, "ACME-1", in); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if n := len(f.emu.Requests()); n != 1 {
		t.Errorf("%d tracker calls, want 1", n)
	}
}

// One issue serves many tickets: linking counts the customers waiting.
func TestLinkExistingIssue(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.emu.Add("github", ghRepo, trackeremu.Issue{Title: "CSV export 500"})
		i, err := f.svc.LinkIssue(ctx, agent, "ACME-1", ghRepo+"#1")
		if err != nil {
			t.Fatal(err)
		}
		if i.Waiting != 1 || i.Title != "CSV export 500" {
			t.Errorf("after one link: %+v", i)
		}
		if i, err = f.svc.LinkIssue(ctx, agent, "GLOBEX-1", "https://github.com/"+ghRepo+"/issues/1"); err != nil {
			t.Fatal(err)
		}
		if i.Waiting != 2 {
			t.Errorf("two customers wait, the card says %d", i.Waiting)
		}
		if _, err := f.svc.LinkIssue(ctx, agent, "ACME-1", ghRepo+"#1"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("linking twice: %v", err)
		}
		for _, ref := range []string{ghRepo + "#9", "other/repo#1", "not an issue"} {
			if _, err := f.svc.LinkIssue(ctx, agent, "ACME-2", ref); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%s: %v", ref, err)
			}
		}
		card, err := f.svc.Card(ctx, mustTicket(t, f, "ACME-1").ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(card.Issues) != 1 || card.Issues[0].Ref() != ghRepo+"#1" || card.Issues[0].Waiting != 2 {
			t.Errorf("card issues %+v", card.Issues)
		}
	})
}

// A signed close moves every linked ticket; a bad signature and a replay
// are refused and change nothing.
func TestSignedWebhookClosesLinkedTickets(t *testing.T) {
	for _, trk := range []string{"gh", "gl"} {
		t.Run(trk, func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
				f := newFixture(t, db)
				kind, repo := repoOf(trk)
				secret := env[strings.ToUpper(trk)+"_SECRET"]
				f.escalate(t, "ACME-1", trk)
				if _, err := f.svc.LinkIssue(context.Background(), agent, "GLOBEX-1", repo+"#1"); err != nil {
					t.Fatal(err)
				}
				f.emu.SetState(kind, repo, 1, "closed", "")
				var hook trackeremu.Hook
				if kind == domain.TrackerGitHub {
					hook = f.emu.GitHubIssues(repo, 1, "closed", "octocat")
				} else {
					hook = f.emu.GitLabIssue(repo, 1, "close", "root")
				}
				if code := f.send(t, hook, "wrong-secret"); code != http.StatusUnauthorized {
					t.Errorf("bad signature: %d", code)
				}
				if st := f.status(t, "ACME-1"); st != "new" {
					t.Fatalf("a bad signature moved the ticket to %s", st)
				}
				if code := f.send(t, hook, secret); code != http.StatusOK {
					t.Fatalf("signed delivery: %d", code)
				}
				for _, key := range []string{"ACME-1", "GLOBEX-1"} {
					if st := f.status(t, key); st != domain.DefaultIssueClosedStatus {
						t.Errorf("%s is %s after its issue closed", key, st)
					}
				}
				if code := f.send(t, hook, secret); code != http.StatusConflict {
					t.Errorf("replay: %d", code)
				}
				// Reopening brings them back to work.
				f.emu.SetState(kind, repo, 1, "open", "")
				if kind == domain.TrackerGitHub {
					hook = f.emu.GitHubIssues(repo, 1, "reopened", "octocat")
				} else {
					hook = f.emu.GitLabIssue(repo, 1, "reopen", "root")
				}
				if code := f.send(t, hook, secret); code != http.StatusOK {
					t.Fatalf("reopen: %d", code)
				}
				if st := f.status(t, "ACME-1"); st != "open" {
					t.Errorf("ACME-1 is %s after its issue reopened", st)
				}
			})
		})
	}
}

// An engineer's comment becomes an internal note on each linked ticket;
// a merged request mentioning the issue leaves one too.
func TestWebhookCommentAndMerge(t *testing.T) {
	for _, trk := range []string{"gh", "gl"} {
		t.Run(trk, func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
				f := newFixture(t, db)
				kind, repo := repoOf(trk)
				secret := env[strings.ToUpper(trk)+"_SECRET"]
				f.escalate(t, "ACME-1", trk)
				var comment, merged trackeremu.Hook
				if kind == domain.TrackerGitHub {
					comment = f.emu.GitHubComment(repo, 1, 77, "Root cause found: a nil map.", "dev1")
					merged = f.emu.GitHubMerged(repo, 5, "Fix CSV export", "Fixes #1", "dev1")
				} else {
					comment = f.emu.GitLabNote(repo, 1, 77, "Root cause found: a nil map.", "dev1")
					merged = f.emu.GitLabMerged(repo, 5, "Fix CSV export", "Closes #1", "dev1")
				}
				for _, h := range []trackeremu.Hook{comment, merged} {
					if code := f.send(t, h, secret); code != http.StatusOK {
						t.Fatalf("%s: %d", h.Event, code)
					}
				}
				cs, _, err := f.svc.History(context.Background(), agent, "ACME-1")
				if err != nil {
					t.Fatal(err)
				}
				var notes []string
				for _, c := range cs {
					if !c.Public && c.Channel == domain.ChannelTracker {
						notes = append(notes, c.Body)
					}
				}
				if len(notes) != 2 || !strings.Contains(notes[0], "Root cause found") || !strings.Contains(notes[1], "Fix merged for "+repo+"#1") {
					t.Errorf("notes %q", notes)
				}
			})
		})
	}
}

// Reconcile polls linked issues: a close whose webhook never came heals.
func TestReconcileHealsMissedClose(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.escalate(t, "ACME-1", "gh")
		f.escalate(t, "ACME-2", "gl")
		f.emu.SetState("github", ghRepo, 1, "closed", "4.2.2")
		if _, err := f.svc.ReconcileIssues(ctx); err != nil {
			t.Fatal(err)
		}
		if st := f.status(t, "ACME-1"); st != domain.DefaultIssueClosedStatus {
			t.Errorf("ACME-1 is %s after reconcile", st)
		}
		if st := f.status(t, "ACME-2"); st != "new" {
			t.Errorf("ACME-2, whose issue is open, is %s", st)
		}
		// A tracker that fails is skipped, not fatal, and heals next time.
		f.emu.SetState("gitlab", glRepo, 1, "closed", "")
		f.emu.FailNext(1)
		if _, err := f.svc.ReconcileIssues(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ReconcileIssues(ctx); err != nil {
			t.Fatal(err)
		}
		if st := f.status(t, "ACME-2"); st != domain.DefaultIssueClosedStatus {
			t.Errorf("ACME-2 is %s after the second reconcile", st)
		}
	})
}

// The release resolves the tickets whose closed issue has its milestone
// (GitHub) or its release label (GitLab), and only those.
func TestReleaseResolvesIssueTickets(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.escalate(t, "ACME-1", "gh")
		f.escalate(t, "GLOBEX-1", "gl")
		f.escalate(t, "ACME-2", "gh")
		f.emu.SetState("github", ghRepo, 1, "closed", "v4.2.2")
		f.emu.SetState("github", ghRepo, 2, "closed", "4.3.0")
		keys, err := f.svc.ReleaseIssueTickets(ctx, agent, "4.2.2")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(keys, ",") != "ACME-1" {
			t.Errorf("release 4.2.2 fixes %v", keys)
		}
		rep, err := f.svc.ReleaseFixes(ctx, agent, "4.2.2", keys)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rep.Resolved, ",") != "ACME-1" {
			b, _ := json.Marshal(rep)
			t.Errorf("report %s", b)
		}
	})
}

package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// The SLA scan alerts each threshold once, summarises several that passed
// while it was down, leaves alone what another replica already alerted,
// and moves the ticket's due time on. Gold is 24x7, urgent first response
// 15m (warnings at 75%; 30m cannot apply), resolution 4h.
func TestScanSLAOnFakes(t *testing.T) {
	type alert struct{ target, threshold string }
	fr75, frBreach := alert{domain.TargetFirstResponse, "75%"}, alert{domain.TargetFirstResponse, domain.ThresholdBreach}
	for _, c := range []struct {
		name     string
		now      time.Duration // since the ticket's creation
		due      time.Duration // the ticket's SLA due time
		assignee string
		recorded []alert // alerted by an earlier scan
		racing   []alert // alerted meanwhile by another replica
		want     []string
		alerted  int
		nextDue  *time.Time // nil: unchanged
	}{
		{name: "warning to the assignee", now: 11*time.Minute + 15*time.Second, due: 11*time.Minute + 15*time.Second, assignee: "UAGENT2",
			want:    []string{"sla_warning → thread", "sla_warning → dm UAGENT2"},
			alerted: 1, nextDue: fakeAt(15 * time.Minute)},
		{name: "warning to on-call when unassigned", now: 12 * time.Minute, due: 11*time.Minute + 15*time.Second,
			want:    []string{"sla_warning → thread", "sla_warning → dm UONCALL1", "sla_warning → dm UONCALL2"},
			alerted: 1, nextDue: fakeAt(15 * time.Minute)},
		{name: "breach escalates", now: 15 * time.Minute, due: 15 * time.Minute, assignee: "UAGENT2", recorded: []alert{fr75},
			want:    []string{"sla_breach → thread", "sla_breach → dm UAGENT2", "sla_breach → post CESCALATE"},
			alerted: 1, nextDue: fakeAt(3 * time.Hour)},
		{name: "one summary after downtime", now: time.Hour, due: 11*time.Minute + 15*time.Second, assignee: "UAGENT2",
			want:    []string{"sla_summary → thread", "sla_summary → dm UAGENT2", "sla_summary → post CESCALATE"},
			alerted: 2, nextDue: fakeAt(3 * time.Hour)},
		{name: "another replica was first", now: 15 * time.Minute, due: 15 * time.Minute, recorded: []alert{fr75}, racing: []alert{frBreach},
			nextDue: fakeAt(3 * time.Hour)},
		{name: "not due yet", now: 10 * time.Minute, due: 11*time.Minute + 15*time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := domain.DefaultConfig()
			cfg.SLA.OnCall, cfg.SLA.EscalationChannel = []string{"UONCALL1", "UONCALL2"}, "CESCALATE"
			var rec recorded
			var saved *time.Time
			var added []string
			tx := &domaintest.FakeTx{At: fakeNow.Add(c.now),
				FakeTickets: &domaintest.FakeTickets{TicketFn: func(context.Context, int64) (*domain.Ticket, error) {
					return &domain.Ticket{ID: 1, CustomerID: 1, CustomerKey: "GOLD", Number: 1, Type: "question", Status: "new",
						Priority: "urgent", SLAPolicy: "gold", AssigneeID: c.assignee, SlackChannel: "CGOLD",
						CreatedAt: fakeNow, SLADueAt: fakeAt(c.due)}, nil
				}},
				FakeEvents:   rec.history(fakeNow.Add(c.now)),
				FakeComments: &domaintest.FakeComments{CommentsFn: func(context.Context, int64) ([]*domain.Comment, error) { return nil, nil }},
				FakeOutbox:   rec.outbox(),
				FakeSLA: &domaintest.FakeSLA{
					DueSLATicketsFn: func(context.Context, int) ([]int64, error) { return []int64{1}, nil },
					SLAAlertsFn: func(context.Context, int64) ([]*domain.SLAAlert, error) {
						var out []*domain.SLAAlert
						for _, a := range c.recorded {
							out = append(out, &domain.SLAAlert{TicketID: 1, Target: a.target, Threshold: a.threshold, CycleStart: fakeNow})
						}
						return out, nil
					},
					AddSLAAlertFn: func(_ context.Context, a *domain.SLAAlert) (bool, error) {
						added = append(added, a.Target+":"+a.Threshold)
						for _, r := range c.racing {
							if r.target == a.Target && r.threshold == a.Threshold {
								return false, nil
							}
						}
						return true, nil
					},
					SetTicketSLAFn: func(_ context.Context, _ int64, _ string, due, _ *time.Time) error {
						saved = due
						return nil
					},
				},
			}
			n, err := onFakes(tx, cfg).ScanSLA(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n != c.alerted {
				t.Errorf("alerted %d, want %d (recorded %v)", n, c.alerted, added)
			}
			wantList(t, "posts", rec.posts(t), c.want...)
			if c.nextDue == nil && saved != nil || c.nextDue != nil && (saved == nil || !saved.Equal(*c.nextDue)) {
				t.Errorf("next due %v, want %v", saved, c.nextDue)
			}
		})
	}
}

// A summary names every threshold it covers, in time order, and says
// whether one is a breach.
func TestSLASummaryArgsOnFakes(t *testing.T) {
	cfg := domain.DefaultConfig()
	var rec recorded
	tx := &domaintest.FakeTx{At: fakeNow.Add(time.Hour),
		FakeTickets: &domaintest.FakeTickets{TicketFn: func(context.Context, int64) (*domain.Ticket, error) {
			return &domain.Ticket{ID: 1, CustomerKey: "GOLD", Number: 1, Type: "question", Status: "new", Priority: "urgent",
				SLAPolicy: "gold", CreatedAt: fakeNow, SLADueAt: fakeAt(0)}, nil
		}},
		FakeEvents:   rec.history(fakeNow),
		FakeComments: &domaintest.FakeComments{CommentsFn: func(context.Context, int64) ([]*domain.Comment, error) { return nil, nil }},
		FakeOutbox:   rec.outbox(),
		FakeSLA: &domaintest.FakeSLA{
			DueSLATicketsFn: func(context.Context, int) ([]int64, error) { return []int64{1}, nil },
			SLAAlertsFn:     func(context.Context, int64) ([]*domain.SLAAlert, error) { return nil, nil },
			AddSLAAlertFn:   func(context.Context, *domain.SLAAlert) (bool, error) { return true, nil },
			SetTicketSLAFn:  func(context.Context, int64, string, *time.Time, *time.Time) error { return nil },
		},
	}
	if _, err := onFakes(tx, cfg).ScanSLA(context.Background()); err != nil {
		t.Fatal(err)
	}
	args := rec.postArgs(t)
	if len(args) == 0 {
		t.Fatal("nothing posted")
	}
	got := args[0]
	if got["count"] != "2" || got["breach"] != "true" || got["threshold"] != "breach" ||
		got["alerts"] != strings.Join([]string{"first_response:75%", "first_response:breach"}, ";") {
		t.Errorf("summary args %v", got)
	}
}

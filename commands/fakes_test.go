package commands

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// Tests named …OnFakes run the use cases on domaintest's fakes, not on a
// database: each fakes the store areas its code touches and no more, and
// the lot runs in well under a second (go test -run OnFakes ./commands/).
// The database-backed tests prove the same paths end to end.

// fakeNow is Friday 2026-11-27 14:00 UTC.
var fakeNow = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

var fakeAgent = domain.Actor{UserID: "UAGENT", Name: "Ana", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

// onFakes is a Service whose every transaction runs on tx.
func onFakes(tx domain.Tx, cfg *domain.Config) *Service {
	return New(&domaintest.FakeStore{Tx: tx}, cfg, Options{Logger: slog.New(slog.DiscardHandler)})
}

// recorded keeps what a use case wrote to the history and the outbox.
type recorded struct {
	events []*domain.Event
	queued []*domain.OutboxMessage
}

// history is an EventStore over r.events; events are stamped at now.
func (r *recorded) history(now time.Time) *domaintest.FakeEvents {
	return &domaintest.FakeEvents{
		AddEventFn: func(_ context.Context, e *domain.Event) error {
			e.At = now
			r.events = append(r.events, e)
			return nil
		},
		EventsFn: func(_ context.Context, id int64) ([]*domain.Event, error) {
			return slices.DeleteFunc(slices.Clone(r.events), func(e *domain.Event) bool { return e.TicketID != id }), nil
		},
	}
}

func (r *recorded) outbox() *domaintest.FakeOutbox {
	return &domaintest.FakeOutbox{EnqueueFn: func(_ context.Context, m *domain.OutboxMessage) error {
		r.queued = append(r.queued, m)
		return nil
	}}
}

// changes lists the history written, as "kind field: old → new".
func (r *recorded) changes() []string {
	var out []string
	for _, e := range r.events {
		out = append(out, e.Kind+" "+e.Field+": "+e.OldValue+" → "+e.NewValue)
	}
	return out
}

// posts lists the Slack posts queued, as "notice → where", in order.
func (r *recorded) posts(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range r.queued {
		if m.Kind != domain.OutboxSlackPost {
			continue
		}
		var j PostJob
		if err := json.Unmarshal([]byte(m.Payload), &j); err != nil {
			t.Fatal(err)
		}
		where := "thread"
		switch {
		case j.User != "":
			where = "dm " + j.User
		case j.Channel != "":
			where = "post " + j.Channel
		}
		out = append(out, j.Notice+" → "+where)
	}
	return out
}

// postArgs are the Args of the posts queued, in order.
func (r *recorded) postArgs(t *testing.T) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, m := range r.queued {
		var j PostJob
		if m.Kind == domain.OutboxSlackPost {
			if err := json.Unmarshal([]byte(m.Payload), &j); err != nil {
				t.Fatal(err)
			}
			out = append(out, j.Args)
		}
	}
	return out
}

func wantList(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func fakeAt(d time.Duration) *time.Time {
	v := fakeNow.Add(d)
	return &v
}

package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

type eventRow struct {
	id                     float64
	kind, field, old, new_ string
}

func eventsOf(r response) []eventRow {
	var out []eventRow
	es, _ := r.body["events"].([]any)
	for _, e := range es {
		m := e.(map[string]any)
		id, _ := m["id"].(float64)
		out = append(out, eventRow{id, str(m["kind"]), str(m["field"]), str(m["old_value"]), str(m["new_value"])})
	}
	return out
}

func TestEvents(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		ctx := context.Background()
		for _, p := range []string{"high", "urgent", "low"} {
			if r := f.call(t, "write", "PATCH", "/tickets/ACME-1", map[string]any{"priority": p}); r.status != 200 {
				t.Fatalf("priority: %s", r.raw)
			}
		}
		if _, err := f.svc.LogTime(ctx, admin, commands.LogTimeInput{Key: "ACME-1", Duration: "1h"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.MergeTickets(ctx, admin, "ACME-2", "ACME-1", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.MergeTickets(ctx, admin, "GLOBEX-1", "ACME-1", true); err != nil {
			t.Fatal(err)
		}

		all := f.call(t, "read", "GET", "/tickets/acme-1/events", nil)
		full := eventsOf(all)
		if all.status != 200 || len(full) < 9 || str(all.body["next_cursor"]) != "" {
			t.Fatalf("all events: %s", all.raw)
		}
		if full[0].kind != "merged" || full[0].new_ != "GLOBEX-1" || full[len(full)-1].kind != "created" {
			t.Errorf("not newest first: %+v", full)
		}
		for _, k := range []string{"time_logged", "priority", "comment"} {
			if !slices.ContainsFunc(full, func(e eventRow) bool { return e.kind == k }) {
				t.Errorf("an agent's token misses %s events: %+v", k, full)
			}
		}

		// Pages of two walk the whole history once, newest first.
		var walked []eventRow
		r := f.call(t, "read", "GET", "/tickets/ACME-1/events?limit=2", nil)
		for pages := 0; ; pages++ {
			if r.status != 200 || pages > len(full) {
				t.Fatalf("page %d: %s", pages, r.raw)
			}
			walked = append(walked, eventsOf(r)...)
			next := str(r.body["next_cursor"])
			if next == "" {
				break
			}
			if bad := f.call(t, "read", "GET", "/tickets/ACME-2/events?cursor="+next, nil); bad.status != 400 {
				t.Errorf("another ticket's cursor: %d %s", bad.status, bad.raw)
			}
			r = f.call(t, "read", "GET", "/tickets/ACME-1/events?cursor="+next, nil)
		}
		if !slices.Equal(walked, full) {
			t.Errorf("pages gave %+v, want %+v", walked, full)
		}

		// The customer's face: no time, no internal notes, no other customer's key.
		face := eventsOf(f.call(t, "acmeread", "GET", "/tickets/ACME-1/events", nil))
		for _, e := range face {
			if e.kind == "time_logged" || e.kind == "comment" && e.new_ != "public" || strings.Contains(e.old+e.new_, "GLOBEX") {
				t.Errorf("a customer's token reads %+v", e)
			}
		}
		if !slices.ContainsFunc(face, func(e eventRow) bool { return e.kind == "merged" && e.new_ == "ACME-2" }) ||
			!slices.ContainsFunc(face, func(e eventRow) bool { return e.kind == "priority" }) {
			t.Errorf("a customer's token misses their own changes: %+v", face)
		}

		for _, c := range []struct {
			token, path string
			status      int
		}{
			{"read", "/tickets/ACME-1/events?limit=0", 400},
			{"read", "/tickets/ACME-1/events?limit=201", 400},
			{"read", "/tickets/ACME-1/events?limit=ten", 400},
			{"read", "/tickets/ACME-1/events?cursor=nope", 400},
			{"read", "/tickets/ACME-1/events?cursor=eyJrIjoiQUNNRS0xIiwibiI6MiwiYiI6MH0", 400}, // before 0
			{"read", "/tickets/ACME-99/events", 404},
			{"read", "/tickets/not-a-key!/events", 422},
			{"", "/tickets/ACME-1/events", 401},
			{"acmeread", "/tickets/GLOBEX-1/events", 404},
		} {
			if got := f.call(t, c.token, "GET", c.path, nil); got.status != c.status {
				t.Errorf("%s %s: %d %s, want %d", c.token, c.path, got.status, got.raw, c.status)
			}
		}
		next := str(f.call(t, "read", "GET", "/tickets/ACME-1/events?limit=1", nil).body["next_cursor"])
		if got := f.call(t, "read", "GET", "/tickets/ACME-1/events?limit=1&cursor="+next, nil); got.status != 400 {
			t.Errorf("cursor with limit: %d", got.status)
		}
	})
}

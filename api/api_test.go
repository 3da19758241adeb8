package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A case is one request and what must come back: the status, and the
// problem's detail (a substring) and field for an error.
type apiCase struct {
	name         string
	token        string
	method, path string
	body         any
	status       int
	detail       string
	field        string
	check        func(t *testing.T, r response)
}

func run(t *testing.T, f *fixture, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		r := f.call(t, c.token, c.method, c.path, c.body)
		if r.status != c.status {
			t.Errorf("%s: %s %s: status %d, want %d: %s", c.name, c.method, c.path, r.status, c.status, r.raw)
			continue
		}
		if c.detail != "" && !strings.Contains(str(r.body["detail"]), c.detail) {
			t.Errorf("%s: detail %q, want it to hold %q", c.name, r.body["detail"], c.detail)
		}
		if c.field != "" && str(r.body["field"]) != c.field {
			t.Errorf("%s: field %q, want %q", c.name, r.body["field"], c.field)
		}
		if c.check != nil {
			c.check(t, r)
		}
	}
}

func wantKeys(want ...string) func(t *testing.T, r response) {
	return func(t *testing.T, r response) {
		t.Helper()
		got := keys(r)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("tickets %v, want %v", got, want)
		}
	}
}

func TestTickets(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		run(t, f, []apiCase{
			{name: "list open", token: "read", method: "GET", path: "/tickets", status: 200, check: wantKeys("ACME-1", "ACME-2", "GLOBEX-1")},
			{name: "list with a filter", token: "read", method: "GET", path: "/tickets?q=priority:high", status: 200, check: wantKeys("ACME-2")},
			{name: "list with the old words", token: "read", method: "GET", path: "/tickets?q=%23acme", status: 200, check: wantKeys("ACME-1", "ACME-2")},
			{name: "bad query", token: "read", method: "GET", path: "/tickets?q=priority:whenever", status: 422, field: "query", detail: "whenever"},
			{name: "search, notes too for agents", token: "read", method: "GET", path: "/tickets?q=all+text:note", status: 200, check: wantKeys("ACME-1", "GLOBEX-1")},
			{name: "bad limit", token: "read", method: "GET", path: "/tickets?limit=0", status: 400, field: "limit"},
			{name: "bad cursor", token: "read", method: "GET", path: "/tickets?cursor=xyz", status: 400, field: "cursor"},
			{name: "get", token: "read", method: "GET", path: "/tickets/ACME-2", status: 200, check: func(t *testing.T, r response) {
				if r.body["title"] != "Export is slow" || r.body["priority"] != "high" || r.body["customer"] != "ACME" || r.body["status"] != "new" {
					t.Errorf("ticket: %s", r.raw)
				}
			}},
			{name: "get lower case", token: "read", method: "GET", path: "/tickets/acme-2", status: 200},
			{name: "get unknown", token: "read", method: "GET", path: "/tickets/ACME-99", status: 404},
			{name: "get no key", token: "read", method: "GET", path: "/tickets/nonsense", status: 422},
			{name: "create", token: "write", method: "POST", path: "/tickets", status: 201,
				body: map[string]any{"customer": "ACME", "title": "From the CRM", "priority": "urgent", "requester": map[string]string{"email": "jo@acme.com"}},
				check: func(t *testing.T, r response) {
					if r.body["key"] != "ACME-3" || r.body["source"] != "api" || r.body["created_by"] != "api:write" || r.header.Get("Location") != "/api/v1/tickets/ACME-3" {
						t.Errorf("created: %s %v", r.raw, r.header.Get("Location"))
					}
				}},
			{name: "create again (idempotent)", token: "write", method: "POST", path: "/tickets", status: 201,
				body: map[string]any{"customer": "ACME", "title": "Once", "idempotency_key": "k1"}, check: func(t *testing.T, r response) {
					if r.body["key"] != "ACME-4" {
						t.Errorf("first: %v", r.body["key"])
					}
				}},
			{name: "create again (idempotent, replay)", token: "write", method: "POST", path: "/tickets", status: 200,
				body: map[string]any{"customer": "ACME", "title": "Once", "idempotency_key": "k1"}, check: func(t *testing.T, r response) {
					if r.body["key"] != "ACME-4" {
						t.Errorf("replay made %v, want ACME-4", r.body["key"])
					}
				}},
			{name: "create without title", token: "write", method: "POST", path: "/tickets", body: map[string]any{"customer": "ACME"}, status: 422, field: "title", detail: "A ticket needs a title."},
			{name: "create for no customer", token: "write", method: "POST", path: "/tickets", body: map[string]any{"customer": "ACMEE", "title": "x"}, status: 422, field: "customer", detail: "did you mean"},
			{name: "create with a bad priority", token: "write", method: "POST", path: "/tickets", body: map[string]any{"title": "x", "priority": "asap"}, status: 422, field: "priority"},
			{name: "create with an unknown field", token: "write", method: "POST", path: "/tickets", body: `{"title":"x","colour":"red"}`, status: 400, detail: "colour"},
			{name: "create with a wrong type", token: "write", method: "POST", path: "/tickets", body: `{"title":7}`, status: 400, detail: "title"},
			{name: "create from broken JSON", token: "write", method: "POST", path: "/tickets", body: `{"title":`, status: 400},
			{name: "create with two values", token: "write", method: "POST", path: "/tickets", body: `{"title":"a"} {}`, status: 400},
			{name: "update", token: "write", method: "PATCH", path: "/tickets/ACME-1", status: 200,
				body: map[string]any{"priority": "urgent", "assignee": "U0BOB", "status": "in_progress"},
				check: func(t *testing.T, r response) {
					if r.body["priority"] != "urgent" || r.body["assignee"] != "U0BOB" || r.body["status"] != "in_progress" {
						t.Errorf("updated: %s", r.raw)
					}
				}},
			{name: "update a field", token: "write", method: "PATCH", path: "/tickets/ACME-2", body: map[string]any{"type": "bug", "fields": map[string]string{"version": "4.2.1"}}, status: 200,
				check: func(t *testing.T, r response) {
					if r.body["type"] != "bug" || r.body["version"] != "4.2.1" {
						t.Errorf("fields: %s", r.raw)
					}
				}},
			{name: "update to a status the workflow refuses", token: "write", method: "PATCH", path: "/tickets/ACME-2", body: map[string]any{"status": "resolved"}, status: 422},
			{name: "update with nothing", token: "write", method: "PATCH", path: "/tickets/ACME-1", body: map[string]any{}, status: 422},
			{name: "update a bad priority", token: "write", method: "PATCH", path: "/tickets/ACME-1", body: map[string]any{"priority": "asap"}, status: 422, field: "priority"},
			{name: "update a bad assignee", token: "write", method: "PATCH", path: "/tickets/ACME-1", body: map[string]any{"assignee": "bob"}, status: 422, field: "assignee"},
			{name: "create with a bad assignee", token: "write", method: "POST", path: "/tickets", body: map[string]any{"title": "x", "assignee": "<@U1>"}, status: 422, field: "assignee"},
			{name: "update unknown", token: "write", method: "PATCH", path: "/tickets/ACME-99", body: map[string]any{"priority": "low"}, status: 404},
		})
		// The changes are the use cases' own: events with the token as actor, on channel api.
		_, es, err := f.svc.History(context.Background(), admin, "ACME-1")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, e := range es {
			if e.Actor == "api:write" {
				if e.Channel != domain.ChannelAPI {
					t.Errorf("event %s on channel %q", e.Kind, e.Channel)
				}
				kinds[e.Kind] = true
			}
		}
		for _, k := range []string{domain.EventPriority, domain.EventAssigned, domain.EventStatus} {
			if !kinds[k] {
				t.Errorf("no %s event by api:write: %v", k, kinds)
			}
		}
	})
}

func TestPagination(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		for i := range 4 {
			f.call(t, "write", "POST", "/tickets", map[string]any{"customer": "ACME", "title": fmt.Sprint("more ", i)})
		}
		var seen []string
		r := f.call(t, "read", "GET", "/tickets?q=%23acme+sort:created&limit=2", nil)
		for pages := 1; ; pages++ {
			if r.status != 200 || r.body["total"] != 6.0 {
				t.Fatalf("page %d: %s", pages, r.raw)
			}
			seen = append(seen, keys(r)...)
			next := str(r.body["next_cursor"])
			if next == "" {
				if pages != 3 {
					t.Errorf("%d pages, want 3", pages)
				}
				break
			}
			if pages > 3 {
				t.Fatal("the cursor does not end")
			}
			if bad := f.call(t, "read", "GET", "/tickets?q=all&cursor="+next, nil); bad.status != 400 {
				t.Errorf("cursor with another query: %d", bad.status)
			}
			r = f.call(t, "read", "GET", "/tickets?cursor="+next, nil)
		}
		want := []string{"ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5", "ACME-6"}
		if !slices.Equal(seen, want) {
			t.Errorf("pages gave %v, want %v", seen, want)
		}
	})
}

func TestCommentsTimeCustomersReleases(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		run(t, f, []apiCase{
			{name: "comments", token: "read", method: "GET", path: "/tickets/ACME-1/comments", status: 200, check: func(t *testing.T, r response) {
				if cs := r.body["comments"].([]any); len(cs) != 2 {
					t.Errorf("comments: %s", r.raw)
				}
			}},
			{name: "comments of unknown", token: "read", method: "GET", path: "/tickets/ACME-99/comments", status: 404},
			{name: "public comment", token: "write", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "Fixed in 4.2.2", "public": true}, status: 201,
				check: func(t *testing.T, r response) {
					if r.body["public"] != true || r.body["author"] != "api:write" || r.body["channel"] != "api" || r.body["role"] != "agent" {
						t.Errorf("comment: %s", r.raw)
					}
				}},
			{name: "internal note", token: "write", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "looked at logs", "public": false, "idempotency_key": "n1"}, status: 201},
			{name: "internal note again", token: "write", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "looked at logs", "public": false, "idempotency_key": "n1"}, status: 409},
			{name: "comment without public", token: "write", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "hm"}, status: 422, field: "public"},
			{name: "empty comment", token: "write", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "  ", "public": true}, status: 422, field: "body", detail: "The comment is empty."},
			{name: "comment on unknown", token: "write", method: "POST", path: "/tickets/ACME-99/comments", body: map[string]any{"body": "x", "public": true}, status: 404},
			{name: "log time", token: "write", method: "POST", path: "/tickets/ACME-1/time", body: map[string]any{"duration": "1h30", "note": "call"}, status: 201,
				check: func(t *testing.T, r response) {
					if r.body["seconds"] != 5400.0 || r.body["user"] != "api:write" || r.body["billable"] != true {
						t.Errorf("entry: %s", r.raw)
					}
				}},
			{name: "log time on a day", token: "write", method: "POST", path: "/tickets/ACME-1/time", body: map[string]any{"duration": "45m", "date": "2020-01-02", "billable": false, "idempotency_key": "t1"}, status: 201},
			{name: "log time again", token: "write", method: "POST", path: "/tickets/ACME-1/time", body: map[string]any{"duration": "45m", "date": "2020-01-02", "billable": false, "idempotency_key": "t1"}, status: 409},
			{name: "log a bad duration", token: "write", method: "POST", path: "/tickets/ACME-1/time", body: map[string]any{"duration": "a while"}, status: 422},
			{name: "log a bad date", token: "write", method: "POST", path: "/tickets/ACME-1/time", body: map[string]any{"duration": "1h", "date": "yesterday"}, status: 422, field: "date"},
			{name: "log too much", token: "write", method: "POST", path: "/tickets/ACME-1/time", body: map[string]any{"duration": "30h"}, status: 422, field: "duration"},
			{name: "time", token: "read", method: "GET", path: "/tickets/ACME-1/time", status: 200, check: func(t *testing.T, r response) {
				if es := r.body["time_entries"].([]any); len(es) != 2 {
					t.Errorf("entries: %s", r.raw)
				}
			}},
			{name: "time of unknown", token: "read", method: "GET", path: "/tickets/ACME-99/time", status: 404},
			{name: "customers", token: "read", method: "GET", path: "/customers", status: 200, check: func(t *testing.T, r response) {
				if cs := r.body["customers"].([]any); len(cs) != 2 {
					t.Errorf("customers: %s", r.raw)
				}
			}},
			{name: "customer", token: "read", method: "GET", path: "/customers/acme", status: 200, check: func(t *testing.T, r response) {
				if r.body["key"] != "ACME" || r.body["open_tickets"] != 2.0 {
					t.Errorf("customer: %s", r.raw)
				}
			}},
			{name: "unknown customer", token: "read", method: "GET", path: "/customers/NOPE", status: 404},
			{name: "releases before", token: "read", method: "GET", path: "/releases", status: 200},
			{name: "release", token: "write", method: "POST", path: "/releases", body: map[string]any{"version": "4.2.2", "fixes": []string{"ACME-2", "ACME-99"}}, status: 201,
				check: func(t *testing.T, r response) {
					if r.body["version"] != "4.2.2" || fmt.Sprint(r.body["resolved"]) != "[ACME-2]" || r.body["refused"].(map[string]any)["ACME-99"] == nil {
						t.Errorf("release: %s", r.raw)
					}
				}},
			{name: "release again", token: "write", method: "POST", path: "/releases", body: map[string]any{"version": "4.2.2"}, status: 200},
			{name: "release a non-version", token: "write", method: "POST", path: "/releases", body: map[string]any{"version": "soon"}, status: 422, field: "version"},
			{name: "releases after", token: "read", method: "GET", path: "/releases", status: 200, check: func(t *testing.T, r response) {
				if fmt.Sprint(r.body["releases"]) != "[4.2.2]" {
					t.Errorf("releases: %s", r.raw)
				}
			}},
		})
	})
}

func TestAuth(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		if err := f.svc.RevokeAPIToken(context.Background(), admin, "write"); err != nil {
			t.Fatal(err)
		}
		cut := f.tokens["read"][:len(f.tokens["read"])-1] + "x"
		run(t, f, []apiCase{
			{name: "no token", method: "GET", path: "/tickets", status: 401, check: func(t *testing.T, r response) {
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate: %q", r.header.Get("WWW-Authenticate"))
				}
			}},
			{name: "not a token", token: "hello", method: "GET", path: "/tickets", status: 401},
			{name: "a token's prefix with another secret", token: cut, method: "GET", path: "/tickets", status: 401},
			{name: "revoked", token: "write", method: "GET", path: "/tickets", status: 401, detail: "revoked"},
			{name: "the document needs none", method: "GET", path: "/openapi.json", status: 200},
			{name: "no such endpoint", token: "read", method: "GET", path: "/tikets", status: 404},
			{name: "no such method", token: "read", method: "DELETE", path: "/tickets/ACME-1", status: 405},
		})
	})
}

// TestReadTokenCannotWrite sends every write route a valid body with a
// read token: each is refused with 403 and nothing changes.
func TestReadTokenCannotWrite(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		bodies := map[string]any{
			"POST /tickets":                map[string]any{"customer": "ACME", "title": "x"},
			"PATCH /tickets/{key}":         map[string]any{"priority": "urgent"},
			"POST /tickets/{key}/comments": map[string]any{"body": "x", "public": true},
			"POST /tickets/{key}/time":     map[string]any{"duration": "1h"},
			"POST /releases":               map[string]any{"version": "9.9.9"},
		}
		for _, tok := range []string{"read", "acmeread"} {
			for _, rt := range api.New(api.Options{}).Routes() {
				if rt.Method == "GET" {
					continue
				}
				name := rt.Method + " " + rt.Path
				body, ok := bodies[name]
				if !ok {
					t.Fatalf("no body for %s: add one", name)
				}
				r := f.call(t, tok, rt.Method, strings.ReplaceAll(rt.Path, "{key}", "ACME-1"), body)
				if r.status != 403 || !strings.Contains(str(r.body["detail"]), "may only read") {
					t.Errorf("%s with %s: %d %s", name, tok, r.status, r.raw)
				}
			}
		}
		r := f.call(t, "read", "GET", "/tickets/ACME-1", nil)
		if r.body["priority"] != "normal" {
			t.Errorf("a refused write changed the ticket: %s", r.raw)
		}
		if n := len(keys(f.call(t, "read", "GET", "/tickets?q=all", nil))); n != 3 {
			t.Errorf("%d tickets after refused writes, want 3", n)
		}
		if r := f.call(t, "read", "GET", "/releases", nil); fmt.Sprint(r.body["releases"]) != "[]" {
			t.Errorf("releases: %s", r.raw)
		}
	})
}

// TestCustomerScope: a token scoped to ACME reads and writes as one of
// ACME's people, whatever it asks for.
func TestCustomerScope(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db, api.Options{})
		never := func(t *testing.T, r response) {
			t.Helper()
			// The caller's own words may come back ("no customer GLOBEX"),
			// never what GLOBEX owns, nor an internal note.
			if strings.Contains(r.raw, "Globex") || strings.Contains(r.raw, "internal") {
				t.Errorf("leak: %s", r.raw)
			}
		}
		run(t, f, []apiCase{
			{name: "list", token: "acme", method: "GET", path: "/tickets", status: 200, check: wantKeys("ACME-1", "ACME-2")},
			{name: "list all", token: "acme", method: "GET", path: "/tickets?q=all", status: 200, check: wantKeys("ACME-1", "ACME-2")},
			{name: "list asking for globex", token: "acme", method: "GET", path: "/tickets?q=customer:globex+all", status: 422, field: "query", detail: "one of ACME)"},
			{name: "list by key", token: "acme", method: "GET", path: "/tickets?q=key:GLOBEX-1", status: 200, check: wantKeys()},
			{name: "search never matches a note", token: "acme", method: "GET", path: "/tickets?q=all+text:note", status: 200, check: func(t *testing.T, r response) {
				never(t, r)
				wantKeys()(t, r)
			}},
			{name: "search the conversation", token: "acme", method: "GET", path: "/tickets?q=all+text:on", status: 200, check: func(t *testing.T, r response) {
				never(t, r)
				wantKeys("ACME-1")(t, r)
				if !strings.Contains(r.raw, `"matches":{"ACME-1":{"text":"We are on it.","highlights":[[7,9]]}}`) {
					t.Errorf("the matching line: %s", r.raw)
				}
			}},
			{name: "get another's", token: "acme", method: "GET", path: "/tickets/GLOBEX-1", status: 404, check: never},
			{name: "another's comments", token: "acme", method: "GET", path: "/tickets/GLOBEX-1/comments", status: 404, check: never},
			{name: "own comments, public only", token: "acme", method: "GET", path: "/tickets/ACME-1/comments", status: 200, check: func(t *testing.T, r response) {
				never(t, r)
				if cs := r.body["comments"].([]any); len(cs) != 1 {
					t.Errorf("comments: %s", r.raw)
				}
			}},
			{name: "customers", token: "acme", method: "GET", path: "/customers", status: 200, check: func(t *testing.T, r response) {
				never(t, r)
				if cs := r.body["customers"].([]any); len(cs) != 1 {
					t.Errorf("customers: %s", r.raw)
				}
			}},
			{name: "another customer", token: "acme", method: "GET", path: "/customers/GLOBEX", status: 404, check: never},
			{name: "time is agents'", token: "acme", method: "GET", path: "/tickets/ACME-1/time", status: 403},
			{name: "create for another", token: "acme", method: "POST", path: "/tickets", body: map[string]any{"customer": "GLOBEX", "title": "x"}, status: 403},
			{name: "create", token: "acme", method: "POST", path: "/tickets", body: map[string]any{"title": "From Acme's portal"}, status: 201, check: func(t *testing.T, r response) {
				if r.body["customer"] != "ACME" || r.body["key"] != "ACME-3" {
					t.Errorf("created: %s", r.raw)
				}
			}},
			{name: "internal note", token: "acme", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "x", "public": false}, status: 403},
			{name: "comment on another's", token: "acme", method: "POST", path: "/tickets/GLOBEX-1/comments", body: map[string]any{"body": "x", "public": true}, status: 404},
			{name: "reply", token: "acme", method: "POST", path: "/tickets/ACME-1/comments", body: map[string]any{"body": "Thanks!", "public": true}, status: 201},
			{name: "priority is agents'", token: "acme", method: "PATCH", path: "/tickets/ACME-1", body: map[string]any{"priority": "urgent"}, status: 403},
			{name: "update another's", token: "acme", method: "PATCH", path: "/tickets/GLOBEX-1", body: map[string]any{"status": "closed"}, status: 404},
			{name: "close own", token: "acme", method: "PATCH", path: "/tickets/ACME-2", body: map[string]any{"status": "closed"}, status: 200},
			{name: "release is agents'", token: "acme", method: "POST", path: "/releases", body: map[string]any{"version": "1.0.0"}, status: 403},
		})
	})
}

func TestRateLimit(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		clock := storagetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		f := newFixture(t, db, api.Options{Rate: 0.5, Burst: 2, Now: clock.Now})
		for i := range 2 {
			if r := f.call(t, "read", "GET", "/releases", nil); r.status != 200 {
				t.Fatalf("call %d: %d", i, r.status)
			}
		}
		r := f.call(t, "read", "GET", "/releases", nil)
		if r.status != 429 || r.header.Get("Retry-After") != "2" {
			t.Fatalf("third call: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
		// Another token has its own budget.
		if r := f.call(t, "write", "GET", "/releases", nil); r.status != 200 {
			t.Errorf("other token: %d", r.status)
		}
		clock.Advance(2 * time.Second)
		if r := f.call(t, "read", "GET", "/releases", nil); r.status != 200 {
			t.Errorf("after Retry-After: %d", r.status)
		}
	})
}

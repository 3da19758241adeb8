package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

var admin = domain.Actor{UserID: "U0ADMIN", Name: "Ada", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// fixture is the API over a fresh database: customers ACME (two open
// tickets, one high) and GLOBEX (one ticket with an internal note), and
// a token of each kind.
type fixture struct {
	db     *storage.DB
	svc    *commands.Service
	srv    *httptest.Server
	tokens map[string]string // name → secret: write, read, acme (ACME's, write), acmeread
}

func newFixture(t *testing.T, db *storage.DB, opts api.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet()})
	svc.UseStandardHooks()
	for _, p := range []commands.CustomerInput{{Key: "ACME", Name: "Acme", EmailDomains: "acme.com"}, {Key: "GLOBEX", Name: "Globex"}} {
		if _, err := svc.CreateCustomer(ctx, admin, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []commands.TicketInput{
		{CustomerKey: "ACME", Title: "Login fails", Source: domain.SourceSlash},
		{CustomerKey: "ACME", Title: "Export is slow", Priority: "high", Source: domain.SourceSlash},
		{CustomerKey: "GLOBEX", Title: "Globex secret", Source: domain.SourceSlash},
	} {
		if _, err := svc.CreateTicket(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Comment(ctx, admin, "GLOBEX-1", commands.CommentInput{Body: "internal globex note", Public: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Comment(ctx, admin, "ACME-1", commands.CommentInput{Body: "internal acme note", Public: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Comment(ctx, admin, "ACME-1", commands.CommentInput{Body: "We are on it.", Public: true}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: svc, tokens: map[string]string{}}
	for _, tk := range []struct{ name, access, customer string }{
		{"write", "write", ""}, {"read", "read", ""}, {"acme", "write", "acme"}, {"acmeread", "", "ACME"},
	} {
		secret, _, err := svc.CreateAPIToken(ctx, admin, tk.name, tk.access, tk.customer)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[tk.name] = secret
	}
	opts.Service, opts.Logger = svc, quiet()
	f.srv = httptest.NewServer(api.New(opts).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// response is what a call returned.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends a request with the named token ("" for none) and decodes the answer.
func (f *fixture) call(t *testing.T, token, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, f.srv.URL+api.Prefix+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		secret := f.tokens[token]
		if secret == "" {
			secret = token
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	checkContract(t, req, r)
	_ = json.Unmarshal(raw, &r.body)
	ct := res.Header.Get("Content-Type")
	if res.StatusCode >= 400 && ct != "application/problem+json" {
		t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", method, path, res.StatusCode, ct)
	} else if res.StatusCode < 400 && ct != "application/json" {
		t.Errorf("%s %s: %d with Content-Type %q, want application/json", method, path, res.StatusCode, ct)
	}
	return r
}

// keys lists the keys of a ticket page.
func keys(r response) []string {
	var out []string
	ts, _ := r.body["tickets"].([]any)
	for _, t := range ts {
		out = append(out, t.(map[string]any)["key"].(string))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

var contract = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		return nil, err
	}
	// The document's server is relative; the test server's address takes its place.
	doc.Servers = openapi3.Servers{{URL: "http://127.0.0.1" + api.Prefix}}
	return legacy.NewRouter(doc)
})

// checkContract holds every answer of the tests against openapi.json:
// its status is documented for the operation, its body fits the schema.
func checkContract(t *testing.T, req *http.Request, r response) {
	t.Helper()
	router, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	u := *req.URL
	u.Host = "127.0.0.1"
	creq := req.Clone(context.Background())
	creq.URL, creq.Host = &u, "127.0.0.1"
	creq.Body = http.NoBody
	route, params, err := router.FindRoute(creq)
	if err != nil {
		return // not an operation: a 404 or 405 the tests check themselves
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: creq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: r.status, Header: r.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes([]byte(r.raw))
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: the answer breaks openapi.json: %v\n%s", req.Method, req.URL.Path, err, r.raw)
	}
}

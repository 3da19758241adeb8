// Package api is deskbot's REST API (/api/v1, JSON), a transport like
// bot/, email/ and portal/: each request becomes one call on the use
// cases (commands), with the same validation, events and audit as the
// same action from Slack. The caller is an API token that an admin made
// in Slack (/desk api token create); it acts as "api:NAME", an agent, or
// as one customer's person when the token is scoped to that customer, so
// storage's scope (domain.Scope) keeps everything else out of its reads.
//
// Errors are RFC 9457 problem documents carrying the same user-facing
// message a domain error shows in Slack; nothing internal leaks. The
// contract is openapi.json, written by hand and served at
// /api/v1/openapi.json; a test keeps it and the routes equal.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the API's contract (OpenAPI 3), as served.
func OpenAPI() []byte { return openAPI }

// Service is what the API needs of the use cases (commands.Service).
type Service interface {
	Authenticate(ctx context.Context, secret string) (*domain.APIToken, error)
	QueryTicketsPage(ctx context.Context, a domain.Actor, q string, page, size int) (*commands.ViewResult, error)
	Ticket(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, error)
	CreateTicket(ctx context.Context, a domain.Actor, in commands.TicketInput) (*domain.Ticket, error)
	ChangeStatus(ctx context.Context, a domain.Actor, key, status string) (*domain.Ticket, error)
	SetPriority(ctx context.Context, a domain.Actor, key, priority string) (*domain.Ticket, error)
	Assign(ctx context.Context, a domain.Actor, key, assignee string) (*domain.Ticket, error)
	SetFields(ctx context.Context, a domain.Actor, key string, in commands.EditInput) (*domain.Ticket, error)
	History(ctx context.Context, a domain.Actor, key string) ([]*domain.Comment, []*domain.Event, error)
	TicketEvents(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, []*domain.Event, error)
	Comment(ctx context.Context, a domain.Actor, key string, in commands.CommentInput) (*domain.Comment, error)
	TimeEntries(ctx context.Context, a domain.Actor, f domain.TimeFilter) ([]*domain.TimeEntry, error)
	LogTime(ctx context.Context, a domain.Actor, in commands.LogTimeInput) (*domain.TimeEntry, error)
	Customers(ctx context.Context, a domain.Actor) ([]*domain.Customer, error)
	Customer(ctx context.Context, a domain.Actor, key string) (*commands.CustomerView, error)
	Released(ctx context.Context) ([]string, error)
	ReleaseFixes(ctx context.Context, a domain.Actor, version string, keys []string) (*commands.ReleaseReport, error)
}

var _ Service = (*commands.Service)(nil)

// Options configure the API.
type Options struct {
	Service Service
	Logger  *slog.Logger
	// Rate and Burst are each token's request budget: Rate a second on
	// average, Burst at once. Zero takes 10 and 40.
	Rate  float64
	Burst int
	// Now is the rate limit's clock (tests set it).
	Now func() time.Time
}

// Server serves the API; mount Handler at Prefix+"/".
type Server struct {
	svc     Service
	log     *slog.Logger
	limits  *buckets
	handler http.Handler
}

// New builds the API's handler.
func New(opts Options) *Server {
	s := &Server{svc: opts.Service, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	rate, burst := opts.Rate, opts.Burst
	if rate <= 0 {
		rate = 10
	}
	if burst <= 0 {
		burst = 40
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s.limits = newBuckets(rate, burst, now)
	mux := http.NewServeMux()
	paths := map[string]bool{}
	for _, r := range s.Routes() {
		h := r.handler
		if !r.public {
			h = s.authed(r.write, h)
		}
		mux.HandleFunc(r.Method+" "+Prefix+r.Path, h)
		if !paths[r.Path] {
			// The method-less pattern catches the methods a path lacks,
			// so a 405 is a problem document too.
			paths[r.Path] = true
			mux.HandleFunc(Prefix+r.Path, func(w http.ResponseWriter, r *http.Request) {
				problem(w, http.StatusMethodNotAllowed, r.Method+" is not served here: see "+Prefix+"/openapi.json.", "")
			})
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusNotFound, "No such endpoint: see "+Prefix+"/openapi.json.", "")
	})
	s.handler = mux
	return s
}

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Route is one operation of the API.
type Route struct {
	Method, Path string // Path after Prefix, with {parameters}
	write        bool   // needs a write token
	public       bool   // needs no token (the document)
	handler      http.HandlerFunc
}

// Routes lists every operation the API serves: what New registers, and
// what the contract test holds against openapi.json.
func (s *Server) Routes() []Route {
	rt := func(method, path string, write bool, h http.HandlerFunc) Route {
		return Route{Method: method, Path: path, write: write, handler: h}
	}
	return []Route{
		{Method: "GET", Path: "/openapi.json", public: true, handler: s.document},
		rt("GET", "/tickets", false, s.listTickets),
		rt("POST", "/tickets", true, s.createTicket),
		rt("GET", "/tickets/{key}", false, s.getTicket),
		rt("PATCH", "/tickets/{key}", true, s.updateTicket),
		rt("GET", "/tickets/{key}/comments", false, s.listComments),
		rt("GET", "/tickets/{key}/events", false, s.listEvents),
		rt("POST", "/tickets/{key}/comments", true, s.addComment),
		rt("GET", "/tickets/{key}/time", false, s.listTime),
		rt("POST", "/tickets/{key}/time", true, s.logTime),
		rt("GET", "/customers", false, s.listCustomers),
		rt("GET", "/customers/{key}", false, s.getCustomer),
		rt("GET", "/releases", false, s.listReleases),
		rt("POST", "/releases", true, s.addRelease),
	}
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}

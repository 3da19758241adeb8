// Package portal serves the customers' ticket page: one page per ticket,
// reached by the signed link deskbot mails to the requester
// (PUBLIC_URL/t/<token>). It is a transport like bot/ and email/: it turns
// a visit or a form into a call on commands (Portal, PortalReply,
// PortalSolve, PortalRate, PortalAttachment) and renders what comes back
// with html/template. No JavaScript is needed; a small script only tells
// the server the visitor's time zone.
//
// Safety is in the handler, not left to a proxy: a strict
// Content-Security-Policy and the other security headers on every
// response, a double-submit CSRF cookie on every form, rate limits per
// link and per address, uploads checked for size and type, files always
// downloaded (never shown inline), and its own listener with timeouts.
package portal

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Service is what the page needs of the use cases (commands.Service).
type Service interface {
	Portal(ctx context.Context, token string) (*commands.PortalView, error)
	PortalReply(ctx context.Context, token, nonce, body string, files []commands.PortalFileIn) (*commands.IngestResult, error)
	PortalSolve(ctx context.Context, token string) (*domain.Ticket, error)
	PortalRate(ctx context.Context, token string, rating int) error
	PortalAttachment(ctx context.Context, token string, id int64) (*domain.Attachment, error)
	PortalAddress(ctx context.Context, token string) (string, error)
	Config() *domain.Config
}

// Options configure the page's server.
type Options struct {
	Service Service
	Logger  *slog.Logger
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto; from
	// anyone else those headers are ignored.
	TrustedProxies []netip.Prefix
	// Limits per link and per address; zero values take the defaults.
	Limits Limits
	// Now is the clock of the rate limits (tests set it).
	Now func() time.Time
	// Mount serves more handlers on this listener, each under its path
	// prefix ("/api/v1/": the REST API), behind the same security headers,
	// access log and timeouts.
	Mount map[string]http.Handler
}

// Server is the page's HTTP side.
type Server struct {
	svc     Service
	log     *slog.Logger
	proxies []netip.Prefix
	tmpl    *template.Template
	static  http.Handler
	limits  *limiter
	mount   map[string]http.Handler
	handler http.Handler

	srv *http.Server
	ln  net.Listener
}

// New builds the server; Handler serves it, Start listens.
func New(opts Options) (*Server, error) {
	if opts.Service == nil {
		return nil, errors.New("portal: no service")
	}
	s := &Server{svc: opts.Service, log: opts.Logger, proxies: opts.TrustedProxies, mount: opts.Mount}
	if s.log == nil {
		s.log = slog.Default()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s.limits = newLimiter(opts.Limits.orDefault(), now)
	t, err := template.New("portal").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	s.tmpl = t
	sub, _ := fs.Sub(staticFS, "static")
	s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	s.handler = s.routes()
	return s, nil
}

// Handler is the page's handler with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr (":0" picks a port; Addr tells) and serves in the
// background until Shutdown.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler: s.handler,
		// Slow clients hold a connection for a bounded time only; uploads
		// get a minute.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("portal: serving stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address Start listens on.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting and waits for the requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

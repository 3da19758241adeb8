package portal

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// csp lets the page load its own style sheet and script and nothing else:
// no inline script or style, no frames, forms post only here.
const csp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secure sets the security headers on every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		// The token is in the URL: no Referer may carry it elsewhere.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// accessLog logs each request in slog, the link's token cut short: a log
// must not hold keys to customers' tickets.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.Info("portal: request", "method", r.Method, "path", redactPath(r.URL.Path), "status", sw.status,
			"bytes", sw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000, "client", s.clientIP(r))
	})
}

// redactPath keeps the first characters of a token.
func redactPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/t/")
	if !ok {
		return p
	}
	tok, tail, _ := strings.Cut(rest, "/")
	if len(tok) > 6 {
		tok = tok[:6] + "…"
	}
	if tail != "" {
		tail = "/" + tail
	}
	return "/t/" + tok + tail
}

// trusted tells whether the connection comes from a configured proxy.
func (s *Server) trusted(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return a, true
		}
	}
	return a, false
}

// clientIP is the visitor's address: the connection's, or behind a
// trusted proxy the rightmost X-Forwarded-For entry no trusted proxy added.
func (s *Server) clientIP(r *http.Request) string {
	a, ok := s.trusted(r)
	if !ok {
		if a.IsValid() {
			return a.String()
		}
		return r.RemoteAddr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		h = h.Unmap()
		inner := false
		for _, p := range s.proxies {
			if p.Contains(h) {
				inner = true
			}
		}
		if !inner {
			return h.String()
		}
	}
	return a.String()
}

// https tells whether the visitor's connection is TLS: its own, or as a
// trusted proxy says.
func (s *Server) https(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	_, ok := s.trusted(r)
	return ok && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// host is the host the visitor asked for, for the Origin check.
func (s *Server) host(r *http.Request) string {
	if _, ok := s.trusted(r); ok {
		if h := strings.TrimSpace(r.Header.Get("X-Forwarded-Host")); h != "" {
			return h
		}
	}
	return r.Host
}

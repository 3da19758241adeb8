package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

type tokenKey struct{}

// authed checks the bearer token, the token's rate budget and, for a
// write, the token's access, before h runs with the token's actor.
func (s *Server) authed(write bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="deskbot"`)
			problem(w, http.StatusUnauthorized, "Send an API token as `Authorization: Bearer …`; an admin makes one with `/desk api token create`.", "")
			return
		}
		t, err := s.svc.Authenticate(r.Context(), secret)
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				s.fail(w, r, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="deskbot", error="invalid_token"`)
			problem(w, http.StatusUnauthorized, domain.ErrorMessage(err), "")
			return
		}
		if ok, wait := s.limits.take(t.Prefix); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			problem(w, http.StatusTooManyRequests, "Too many requests for this token; wait as Retry-After says.", "")
			return
		}
		if write && !t.CanWrite() {
			problem(w, http.StatusForbidden, fmt.Sprintf("The token %s may only read; an admin makes a write token with `/desk api token create NAME write`.", t.Name), "")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)))
	}
}

// bearer is the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// actor is who the request acts as: its token's identity.
func actor(r *http.Request) domain.Actor {
	return r.Context().Value(tokenKey{}).(*domain.APIToken).Actor()
}

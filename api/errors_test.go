package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/domain"
)

// failing is a service whose database fails with a message that must
// never reach a caller. Only what these tests reach is written; the
// embedded nil Service panics on anything else.
type failing struct{ api.Service }

var _ api.Service = failing{}

const secretDetail = "pq: password authentication failed for user deskbot at 10.1.2.3"

func (failing) Authenticate(ctx context.Context, secret string) (*domain.APIToken, error) {
	if secret == "dsk_good" {
		return &domain.APIToken{Name: "ci", Prefix: "dsk_good", Access: domain.AccessWrite}, nil
	}
	return nil, errors.New(secretDetail)
}

func (failing) Ticket(ctx context.Context, a domain.Actor, key string) (*domain.Ticket, error) {
	return nil, errors.New(secretDetail)
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	h := api.New(api.Options{Service: failing{}, Logger: quiet()}).Handler()
	for _, token := range []string{"dsk_bad", "dsk_good"} {
		req := httptest.NewRequest("GET", api.Prefix+"/tickets/ACME-1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var p api.Problem
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusInternalServerError || p.Detail != "Internal error." || p.Status != 500 ||
			w.Header().Get("Content-Type") != "application/problem+json" || strings.Contains(w.Body.String(), "pq:") {
			t.Errorf("%s: %d %s", token, w.Code, w.Body)
		}
	}
}

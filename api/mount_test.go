package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/deskbot/deskbot/api"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// TestServedOnThePublicListener: serve mounts the API on the ticket
// page's listener, behind its security headers; without the mount (no
// PUBLIC_URL, no page) nothing answers under /api/v1.
func TestServedOnThePublicListener(t *testing.T) {
	f := newFixture(t, storagetest.Open(t, storage.SQLite), api.Options{})
	mounted, err := portal.New(portal.Options{Service: f.svc, Logger: quiet(),
		Mount: map[string]http.Handler{api.Prefix + "/": api.New(api.Options{Service: f.svc, Logger: quiet()}).Handler()}})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := portal.New(portal.Options{Service: f.svc, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["read"])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	w := get(mounted.Handler(), api.Prefix+"/tickets/ACME-1")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("mounted: %d %v", w.Code, w.Header())
	}
	if w := get(mounted.Handler(), "/t/nonsense"); w.Code == 200 {
		t.Errorf("the page's own routes changed: %d", w.Code)
	}
	if w := get(plain.Handler(), api.Prefix+"/tickets/ACME-1"); w.Code != 404 || w.Header().Get("Content-Type") == "application/json" {
		t.Errorf("not mounted: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

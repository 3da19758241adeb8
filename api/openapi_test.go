package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/deskbot/deskbot/api"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOpenAPIValidates(t *testing.T) {
	if err := loadDoc(t).Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestOpenAPIMatchesRoutes walks the router's routes and the document's
// operations: each must have the other. It also asks the handler for
// each documented operation, which must not fall through to "no such
// endpoint" nor "method not allowed".
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadDoc(t)
	var documented, served []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	for _, r := range api.New(api.Options{}).Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("the document and the routes differ:\ndocumented %v\nserved     %v", documented, served)
	}
	h := api.New(api.Options{Service: failing{}}).Handler()
	for _, op := range served {
		method, path, _ := strings.Cut(op, " ")
		req := httptest.NewRequest(method, api.Prefix+strings.ReplaceAll(path, "{key}", "ACME-1"), strings.NewReader("{}"))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == http.StatusNotFound || w.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s: %d %s", op, w.Code, w.Body)
		}
	}
}

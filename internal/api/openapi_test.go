package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/api"
)

// TestOpenAPIMatchesRoutes fails when the router and the OpenAPI document
// disagree on any (method, path): a route without documentation or a
// documented operation that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}
	var documented []string
	for path, item := range doc.Paths {
		for k := range item {
			if slices.Contains(methods, k) {
				documented = append(documented, strings.ToUpper(k)+" "+path)
			}
		}
	}
	var registered []string
	for _, r := range api.New(api.Config{Store: nil}).Routes() {
		registered = append(registered, r.Method+" "+r.Pattern)
	}
	slices.Sort(documented)
	slices.Sort(registered)
	if diff := cmp.Diff(registered, documented); diff != "" {
		t.Errorf("routes (-registered +documented):\n%s", diff)
	}
}

// TestOpenAPIServed checks that the document is served without a token.
func TestOpenAPIServed(t *testing.T) {
	w := newWorld(t, openSQLite(t))
	status, body := call(t, w.srv, "", "GET", "/v1/openapi.yaml", nil)
	if status != http.StatusOK || !contains(body, "openapi: 3.1.0") {
		t.Errorf("status %d, body %.80s", status, body)
	}
}

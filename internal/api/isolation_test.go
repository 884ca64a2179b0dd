package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/api"
)

// probe is a concrete request for one route, aimed at account B's objects.
type probe struct {
	route api.Route
	path  string
	body  any
	// targeted is true when the request names an object or the account
	// of B (path id, accountId, resourceId): anyone outside B's scope must
	// get 401, 403 or 404. Untargeted requests (collection reads) may
	// succeed but must show nothing of B.
	targeted bool
}

// probes builds one request per registered route.
func probes(t *testing.T, w *world, routes []api.Route) []probe {
	t.Helper()
	b := string(w.accB.ID)
	ids := map[string]string{
		"/v1/accounts/":          b,
		"/v1/tokens/":            string(w.tokBID),
		"/v1/resources/":         string(w.resB.ID),
		"/v1/findings/":          string(w.findingB),
		"/v1/suppression-rules/": string(w.ruleB),
	}
	for prefix, id := range agentIDs(t, w) {
		ids[prefix] = id
	}
	for prefix, id := range deliveryIDs(t, w) {
		ids[prefix] = id
	}
	rule := map[string]any{"name": "r", "accountId": b, "filterCriteria": map[string]any{
		"severity": []map[string]string{{"comparison": "EQUALS", "value": "HIGH"}}}}
	bodies := map[string]any{
		"POST /v1/accounts":                 map[string]any{"name": "x"},
		"POST /v1/tokens":                   map[string]any{"name": "x", "role": "admin", "accountId": b},
		"POST /v1/resources/images":         map[string]any{"reference": "registry.example/app:1", "accountId": b},
		"POST /v1/resources/hosts":          map[string]any{"name": "h", "accountId": b, "inventory": map[string]any{"packages": []any{}}},
		"POST /v1/resources/sboms":          []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`),
		"POST /v1/resources/functions":      []byte("PK\x05\x06" + strings.Repeat("\x00", 18)),
		"PUT /v1/resources/{id}/tags":       map[string]any{"tags": map[string]string{"k": "v"}},
		"POST /v1/scans":                    map[string]any{"resourceId": string(w.resB.ID)},
		"POST /v1/suppression-rules":        rule,
		"PUT /v1/suppression-rules/{id}":    rule,
		"GET /v1/findings":                  nil,
		"GET /v1/findings/aggregations":     nil,
		"GET /v1/findings/export":           nil,
		"DELETE /v1/suppression-rules/{id}": nil,
		"PUT /v1/scan-configuration":        map[string]any{"mode": "ON_DEMAND"},
	}
	for k, v := range deliveryBodies(w) {
		bodies[k] = v
	}
	for k, v := range agentBodies(w) {
		bodies[k] = v
	}
	queries := map[string]string{
		"POST /v1/resources/sboms":      "?name=s&accountId=" + b,
		"POST /v1/resources/functions":  "?name=f&accountId=" + b,
		"GET /v1/findings":              "?resourceId=" + string(w.resB.ID),
		"GET /v1/findings/export":       "?format=json",
		"GET /v1/findings/aggregations": "?by=RESOURCE",
		"GET /v1/scan-configuration":    "?accountId=" + b,
		"PUT /v1/scan-configuration":    "?accountId=" + b,
	}
	queries["POST /v1/events/ingest"] = "?accountId=" + b
	var out []probe
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		p := probe{route: rt, path: rt.Pattern + queries[key], body: bodies[key]}
		if strings.Contains(rt.Pattern, "{id}") {
			for prefix, id := range ids {
				if strings.HasPrefix(rt.Pattern, prefix) {
					p.path = strings.Replace(p.path, "{id}", id, 1)
				}
			}
			if strings.Contains(p.path, "{") {
				t.Fatalf("no id for route %s", key)
			}
			p.targeted = true
		}
		if (rt.Method == "POST" || rt.Method == "PUT") && key != "POST /v1/accounts" {
			p.targeted = true
			if _, ok := bodies[key]; !ok {
				t.Fatalf("no body for route %s: add one to the probes", key)
			}
		}
		out = append(out, p)
	}
	return out
}

// TestIsolation walks every registered route with tokens of other accounts
// (a sibling member account, another organisation's delegated admin) and
// with no token: every request aimed at B's objects gets 401, 403 or 404,
// and no answer ever shows B's data.
func TestIsolation(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			s := api.New(api.Config{Store: w.st, Logger: quiet})
			ps := probes(t, w, s.Routes())
			if len(ps) < 30 {
				t.Fatalf("only %d routes", len(ps))
			}
			callers := []struct{ name, token string }{
				{"no token", ""}, {"bad token", "not-a-token"}, {"sibling account D", w.tokD}, {"other organisation C", w.tokC},
			}
			for _, c := range callers {
				for _, p := range ps {
					name := fmt.Sprintf("%s %s as %s", p.route.Method, p.path, c.name)
					status, body := call(t, w.srv, c.token, p.route.Method, p.path, p.body)
					if p.route.Access == api.Public {
						if status != http.StatusOK && status != http.StatusServiceUnavailable {
							t.Errorf("%s: status %d", name, status)
						}
					} else if c.token == "" || c.token == "not-a-token" {
						if status != http.StatusUnauthorized || errorCode(t, body) != api.CodeUnauthenticated {
							t.Errorf("%s: status %d %s, want 401", name, status, body)
						}
					} else if p.targeted && status != http.StatusUnauthorized && status != http.StatusForbidden && status != http.StatusNotFound {
						t.Errorf("%s: status %d %s, want 401, 403 or 404", name, status, body)
					}
					sent := p.path + fmt.Sprint(p.body)
					for _, sec := range w.secrets {
						if !strings.Contains(sent, sec) && contains(body, sec) {
							t.Errorf("%s: the answer shows %q of account B:\n%s", name, sec, body)
						}
					}
				}
			}
			// The same reads as B succeed: the requests were well formed and
			// the refusals came from the scope.
			for _, p := range ps {
				if p.route.Method != "GET" || !p.targeted {
					continue
				}
				if status, body := call(t, w.srv, w.tokB, "GET", p.path, nil); status != http.StatusOK {
					t.Errorf("GET %s as B: status %d %s", p.path, status, body)
				}
			}
		})
	}
}

// TestReadOnlyCannotWrite sends every writing route with B's read-only
// token: 403 every time, and nothing changes.
func TestReadOnlyCannotWrite(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			s := api.New(api.Config{Store: w.st, Logger: quiet})
			n := 0
			for _, p := range probes(t, w, s.Routes()) {
				if p.route.Access < api.Write {
					continue
				}
				n++
				status, body := call(t, w.srv, w.tokBRead, p.route.Method, p.path, p.body)
				if status != http.StatusForbidden || errorCode(t, body) != api.CodeForbidden {
					t.Errorf("%s %s read-only: status %d %s, want 403", p.route.Method, p.path, status, body)
				}
			}
			if n < 10 {
				t.Errorf("only %d writing routes", n)
			}
			// Reads work with the same token.
			if status, body := call(t, w.srv, w.tokBRead, "GET", "/v1/resources/"+string(w.resB.ID), nil); status != http.StatusOK {
				t.Errorf("read-only read: %d %s", status, body)
			}
		})
	}
}

package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/console"
)

// TestHandler checks what the console serves itself, what it passes to the
// API, and its security headers.
func TestHandler(t *testing.T) {
	apiHit := ""
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiHit = r.URL.Path
		w.WriteHeader(http.StatusTeapot)
	})
	h, err := console.New(api)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Status   int
		Type     string
		API      string
		Contains bool
	}
	tests := []struct {
		method, path, contains string
		want                   result
	}{
		{"GET", "/", `<script type="module" src="/console/app.js">`, result{200, "text/html; charset=utf-8", "", true}},
		{"GET", "/console/", "<title>vigil console</title>", result{200, "text/html; charset=utf-8", "", true}},
		{"GET", "/console/app.js", "import", result{200, "text/javascript; charset=utf-8", "", true}},
		{"GET", "/console/pages/findings.js", "suppression", result{200, "text/javascript; charset=utf-8", "", true}},
		{"GET", "/console/app.css", "prefers-color-scheme", result{200, "text/css; charset=utf-8", "", true}},
		{"HEAD", "/console/app.css", "", result{200, "text/css; charset=utf-8", "", true}},
		{"GET", "/console/nope.js", "", result{404, "text/plain; charset=utf-8", "", true}},
		{"GET", "/console/../console.go", "", result{404, "text/plain; charset=utf-8", "", true}},
		{"GET", "/console/pages/../app.js", "", result{404, "text/plain; charset=utf-8", "", true}},
		{"POST", "/console/app.js", "", result{405, "text/plain; charset=utf-8", "", true}},
		{"GET", "/v1/findings", "", result{418, "", "/v1/findings", true}},
		{"GET", "/healthz", "", result{418, "", "/healthz", true}},
		{"GET", "/unknown", "", result{418, "", "/unknown", true}},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			apiHit = ""
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(tc.method, "http://x"+tc.path, nil)
			req.URL.Path = tc.path // keep dot segments
			h.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Body)
			got := result{rec.Code, rec.Header().Get("Content-Type"), apiHit, strings.Contains(string(body), tc.contains)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tc.want.API == "" {
				hd := rec.Header()
				csp := hd.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP %q lacks %q", csp, want)
					}
				}
				if strings.Contains(csp, "unsafe") {
					t.Errorf("CSP allows unsafe sources: %q", csp)
				}
				if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Frame-Options") != "DENY" {
					t.Errorf("headers %v", hd)
				}
			}
		})
	}
}

// TestETag checks that an unchanged file answers 304.
func TestETag(t *testing.T) {
	h, err := console.New(http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/console/app.js", nil))
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest("GET", "/console/app.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if etag == "" || rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("etag %q: status %d, %d bytes", etag, rec.Code, rec.Body.Len())
	}
}

// TestNoInlineCode checks that no embedded file relies on what the CSP
// forbids (inline scripts, style attributes, inline handlers) or on
// innerHTML.
func TestNoInlineCode(t *testing.T) {
	h, err := console.New(http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/console/app.js", "/console/dom.js", "/console/api.js", "/console/filters.js",
		"/console/pages/dashboard.js", "/console/pages/findings.js", "/console/pages/finding.js", "/console/pages/resources.js",
		"/console/pages/resource.js", "/console/pages/rules.js", "/console/pages/accounts.js", "/console/pages/usage.js", "/console/pages/automation.js"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != 200 {
			t.Errorf("%s: %d", p, rec.Code)
			continue
		}
		body := rec.Body.String()
		for _, bad := range []string{"innerHTML", "outerHTML =", "insertAdjacentHTML", "document.write", "eval(", "style=\"", " onclick=\"", "<script>"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s uses %q", p, bad)
			}
		}
	}
}

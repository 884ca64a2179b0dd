package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// BenchmarkPageFirstView times, for each console page, the API calls its
// first view makes (one after the other, though the browser sends them
// together), served by the real API over SQLite and over PostgreSQL
// ($VIGIL_TEST_POSTGRES) holding 100,000 findings: the server time of a
// page's first view.
func BenchmarkPageFirstView(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchPages(b, "") })
	b.Run("postgres", func(b *testing.B) {
		u := benchPostgres(b)
		if u == "" {
			b.Skip("VIGIL_TEST_POSTGRES is not set")
		}
		benchPages(b, u)
	})
}

func benchPages(b *testing.B, dbURL string) {
	bs := seedBench(b, dbURL, 100000)
	srv := api.New(api.Config{Store: bs.st, Logger: quiet})
	var image, host model.ResourceID
	for _, r := range bs.res {
		switch {
		case r.Type == model.ResourceImage && image == "":
			image = r.ID
		case r.Type == model.ResourceHost && host == "":
			host = r.ID
		}
	}
	resource := func(id model.ResourceID) []string {
		q := url.QueryEscape(string(id))
		return []string{"/v1/resources/" + q,
			"/v1/findings/aggregations?by=SEVERITY&findingStatus=ACTIVE&resourceId=" + q,
			"/v1/findings?findingStatus=ACTIVE&limit=20&resourceId=" + q,
			"/v1/findings/aggregations?by=IMAGE_LAYER&findingStatus=ACTIVE&limit=200&resourceId=" + q}
	}
	pages := []struct {
		name  string
		calls []string
	}{
		{"Dashboard", []string{"/v1/whoami", "/v1/dashboard", "/v1/dashboard/trend?days=14"}},
		{"Findings", []string{"/v1/findings?findingStatus=ACTIVE&limit=50"}},
		{"FindingsCritical", []string{"/v1/findings?severity=CRITICAL&limit=50"}},
		// A vulnerability's findings in every status, and the closed ones:
		// lists whose filter is not a prefix of one index.
		{"FindingsByVulnerability", []string{"/v1/findings?vulnerabilityId=CVE-2024-00001&limit=50"}},
		{"FindingsClosed", []string{"/v1/findings?findingStatus=CLOSED&limit=50"}},
		{"FindingsByPackageSortedByEPSS", []string{"/v1/findings?vulnerablePackageName.prefix=lod&findingStatus=ACTIVE&sort=EPSS&order=DESC&limit=50"}},
		{"Finding", []string{"/v1/findings/" + string(bs.sample)}},
		{"Resources", []string{"/v1/resources?limit=100"}},
		{"ResourceImage", resource(image)},
		{"ResourceHost", resource(host)},
		{"SuppressionRules", []string{"/v1/suppression-rules?limit=1000"}},
		{"Accounts", []string{"/v1/accounts", "/v1/tokens"}},
		{"Usage", []string{"/v1/usage?days=30"}},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			// The machine is shared: CPU time (user+sys of the process)
			// per page is reported beside the wall time.
			cpu0 := cpuTime(b)
			for b.Loop() {
				for _, c := range pg.calls {
					req := httptest.NewRequest("GET", c, nil)
					req.Header.Set("Authorization", "Bearer "+bs.token)
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", c, rec.Code, rec.Body)
					}
				}
			}
			b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime returns the process's user+sys CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package advisory

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/osv"
)

// nvdServer answers NVD CVE API 2.0 requests (?cveId=) from the shared
// API files, with an empty result for CVEs it has no file for.
type nvdServer struct {
	mu    sync.Mutex
	asked []string
	key   string
}

func (n *nvdServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("apiKey") != n.key {
		http.Error(w, "bad key", http.StatusForbidden)
		return
	}
	id := r.URL.Query().Get("cveId")
	n.mu.Lock()
	n.asked = append(n.asked, id)
	n.mu.Unlock()
	data, err := os.ReadFile(filepath.Join(testdata, "nvd", "api-2.0", filepath.Base(id)+".json"))
	if err != nil {
		data = []byte(`{"resultsPerPage":0,"startIndex":0,"totalResults":0,"format":"NVD_CVE","version":"2.0","timestamp":"2026-01-01T00:00:00.000","vulnerabilities":[]}`)
	}
	w.Write(data)
}

// noSeverityCVEs lists, straight from a zip, the CVE ids of records that
// carry no severity at all.
func noSeverityCVEs(t *testing.T, path string) []string {
	var out []string
	for _, e := range readZip(t, path) {
		r, err := osv.Parse(e.name, e.data)
		if err != nil {
			t.Fatal(err)
		}
		sev := len(r.Severity) > 0
		for _, a := range r.Affected {
			sev = sev || len(a.Severity) > 0
		}
		if sev || r.IsWithdrawn() {
			continue
		}
		for _, id := range append([]string{r.ID}, r.Aliases...) {
			if len(id) > 4 && id[:4] == "CVE-" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestUpdateEnrichmentAndNVD(t *testing.T) {
	ctx := context.Background()
	dir := mirrorOf(t, "crates.io")
	copyFile(t, filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json"), filepath.Join(dir, "kev.json"))
	copyFile(t, filepath.Join(testdata, "epss", "epss_scores-2025-02-20.first5rows.csv"), filepath.Join(dir, "epss.csv"))
	b, srv := newBucket(t, dir)
	nv := &nvdServer{key: "secret"}
	nsrv := httptest.NewServer(nv)
	defer nsrv.Close()
	db := openTemp(t)
	opts := UpdateOptions{
		Mirror: srv.URL, Ecosystems: []string{"crates.io"}, Retry: fastRetry,
		KEVURL: srv.URL + "/kev.json", EPSSURL: srv.URL + "/epss.csv",
		NVD: true, NVDURL: nsrv.URL, NVDAPIKey: "secret", NVDGap: time.Millisecond,
	}
	res, err := db.Update(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := noSeverityCVEs(t, filepath.Join(osvDir, "crates.io", "all.zip"))
	asked := slices.Sorted(slices.Values(nv.asked))
	if !slices.Equal(asked, want) {
		t.Errorf("NVD asked for %d CVEs, want the %d CVEs of records without severity", len(asked), len(want))
	}
	s := current(t, db)
	if c := s.NVDCVSS("CVE-2023-4863"); len(c) == 0 {
		t.Error("no NVD CVSS for CVE-2023-4863")
	}
	if _, ok := s.KEV("CVE-2023-4863"); !ok {
		t.Error("CVE-2023-4863 is in KEV but not found")
	}
	if _, ok := s.EPSS("CVE-1999-0002"); !ok {
		t.Error("EPSS row not found")
	}
	feeds := map[string]string{}
	for _, f := range res.Feeds {
		feeds[f.Name] = f.Status
	}
	for _, n := range []string{"osv/crates.io", "kev", "epss", "nvd"} {
		if feeds[n] != FeedUpdated {
			t.Errorf("feed %s: %q", n, feeds[n])
		}
	}

	// Second run: archives and enrichment files come back 304, and CVEs
	// NVD already answered are not asked again.
	nv.asked = nil
	before := b.fullCount()
	res2, err := db.Update(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.fullCount() - before; n != 0 {
		t.Errorf("second update downloaded %d files", n)
	}
	if slices.Contains(nv.asked, "CVE-2023-4863") {
		t.Error("CVE-2023-4863 asked again")
	}
	if !res2.Unchanged {
		t.Errorf("second update not unchanged: %+v", res2.Feeds)
	}
}

package advisory

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/advisory/alpine"
	"github.com/vigilsec/vigil/internal/model"
)

// TestImportBundle imports the whole shared testdata directory and checks
// every feed kind against the source files.
func TestImportBundle(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	res, err := db.Import(ctx, testdata, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]FeedResult{}
	for _, f := range res.Feeds {
		status[f.Name] = f
		if f.Status != FeedUpdated {
			t.Errorf("feed %s: %s %s", f.Name, f.Status, f.Error)
		}
	}
	for _, name := range []string{"osv/Go", "kev", "epss", "nvd", "debian/DSA", "debian/DLA", "alpine-secdb/v3.10/main", "alpine/secdb"} {
		if _, ok := status[name]; !ok {
			t.Errorf("feed %s missing from the bundle import", name)
		}
	}
	// KEV: count and one entry, read from the catalog with encoding/json.
	var cat struct {
		Vulnerabilities []struct {
			CVEID, DateAdded, DueDate, RequiredAction, KnownRansomwareCampaignUse string
		} `json:"vulnerabilities"`
	}
	data, err := os.ReadFile(filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	if status["kev"].Records != len(cat.Vulnerabilities) {
		t.Errorf("kev records %d, catalog has %d", status["kev"].Records, len(cat.Vulnerabilities))
	}
	s := current(t, db)
	v := cat.Vulnerabilities[0]
	got, ok := s.KEV(v.CVEID)
	want := model.KEV{CVE: v.CVEID, DateAdded: v.DateAdded, DueDate: v.DueDate, RequiredAction: v.RequiredAction, KnownRansomware: v.KnownRansomwareCampaignUse}
	if !ok {
		t.Fatalf("KEV(%s) not found", v.CVEID)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("KEV(%s) (-catalog +db):\n%s", v.CVEID, d)
	}
	if _, ok := s.KEV("CVE-1900-0001"); ok {
		t.Error("KEV found a CVE that is not in the catalog")
	}
	// EPSS: the sample file's rows.
	e, ok := s.EPSS("CVE-1999-0005")
	if !ok || e.Score != 0.91963 || e.Percentile != 0.99214 || e.Date != "2025-02-20" {
		t.Errorf("EPSS(CVE-1999-0005) = %+v, %v", e, ok)
	}
	if status["epss"].Records != 5 {
		t.Errorf("epss records %d, want 5", status["epss"].Records)
	}
	// NVD: 74 distinct CVEs in the API files, merged into one feed.
	if status["nvd"].Records != 74 {
		t.Errorf("nvd records %d, want 74 distinct CVEs", status["nvd"].Records)
	}
	if c := s.NVDCVSS("CVE-2024-3094"); len(c) == 0 || c[0].BaseScore != 10 {
		t.Errorf("NVDCVSS(CVE-2024-3094) = %+v", c)
	}
	// Alpine: one merged record per id, with the affected entries of every
	// branch that lists it.
	if status["alpine/secdb"].Records != countAlpineIDs(t) {
		t.Errorf("alpine records %d, want %d distinct ids", status["alpine/secdb"].Records, countAlpineIDs(t))
	}
	r, err := s.Record(ctx, "ALPINE-CVE-2019-14697")
	if err != nil {
		t.Fatal(err)
	}
	ecos := map[string]bool{}
	for _, a := range r.Affected {
		ecos[a.Package.Ecosystem] = true
	}
	if !ecos["Alpine:v3.10"] || !ecos["Alpine:v3.11"] || r.Modified.IsZero() {
		t.Errorf("merged ALPINE-CVE-2019-14697: ecosystems %v, modified %v", ecos, r.Modified)
	}
	if len(s.EnrichmentErrors()) != 0 {
		t.Errorf("enrichment errors: %v", s.EnrichmentErrors())
	}
}

func TestImportEPSSGzip(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join(testdata, "epss", "epss_scores-2025-02-20.first5rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(src)
	zw.Close()
	p := filepath.Join(t.TempDir(), "epss_scores-current.csv.gz")
	writeFile(t, p, buf.Bytes())
	db := openTemp(t)
	res, err := db.Import(ctx, p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Feeds[0].Name != "epss" || res.Feeds[0].Records != 5 {
		t.Errorf("feed %+v", res.Feeds[0])
	}
	s := current(t, db)
	if e, ok := s.EPSS("CVE-1999-0001"); !ok || e.Score != 0.00383 {
		t.Errorf("EPSS(CVE-1999-0001) = %+v %v", e, ok)
	}
}

// countAlpineIDs counts distinct ALPINE-<id> records across the shared
// secdb JSON files, read with encoding/json.
func countAlpineIDs(t *testing.T) int {
	files, _ := filepath.Glob(filepath.Join(testdata, "alpine-secdb", "*", "*.json"))
	ids := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := alpine.ParseSecDB(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			ids[r.ID] = true
		}
	}
	return len(ids)
}

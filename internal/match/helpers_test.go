package match

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/osv"
)

const testdata = "../../../shared/testdata"

// allZips lists every OSV zip of the shared test data.
func allZips(t testing.TB) []string {
	t.Helper()
	zips, err := filepath.Glob(filepath.Join(testdata, "osv", "*", "all.zip"))
	if err != nil || len(zips) == 0 {
		t.Fatalf("no OSV zips under %s: %v", testdata, err)
	}
	sort.Strings(zips)
	return zips
}

func zipPath(eco string) string { return filepath.Join(testdata, "osv", eco, "all.zip") }

// zipSnapshot is a snapshot read straight from OSV zips, with the KEV
// catalog and EPSS sample of the shared test data. It satisfies Snapshot.
type zipSnapshot struct {
	id    string
	dir   string
	zips  []*zip.ReadCloser
	files map[string]*zip.File
	kev   map[string]model.KEV
	epss  map[string]model.EPSS
	nvd   map[string][]model.CVSS
	mu    sync.Mutex
	loads int // Record calls
	reads int // Records calls
}

func openZipSnapshot(t testing.TB, id, dir string, zips ...string) *zipSnapshot {
	t.Helper()
	s := &zipSnapshot{id: id, dir: dir, files: map[string]*zip.File{}, kev: map[string]model.KEV{}, epss: map[string]model.EPSS{}}
	for _, p := range zips {
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { zr.Close() })
		s.zips = append(s.zips, zr)
		for _, f := range zr.File {
			s.files[strings.TrimSuffix(f.Name, ".json")] = f
		}
	}
	s.readKEV(t)
	s.readEPSS(t)
	s.readNVD(t)
	return s
}

// readNVD reads the CVSS vectors of the NVD API 2.0 responses in the
// shared test data.
func (s *zipSnapshot) readNVD(t testing.TB) {
	s.nvd = map[string][]model.CVSS{}
	files, err := filepath.Glob(filepath.Join(testdata, "nvd", "api-2.0", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no NVD test data: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Vulnerabilities []struct {
				CVE struct {
					ID      string `json:"id"`
					Metrics map[string][]struct {
						Data struct {
							Version   string  `json:"version"`
							Vector    string  `json:"vectorString"`
							BaseScore float64 `json:"baseScore"`
						} `json:"cvssData"`
					} `json:"metrics"`
				} `json:"cve"`
			} `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, v := range page.Vulnerabilities {
			for _, ms := range v.CVE.Metrics {
				for _, m := range ms {
					if m.Data.Vector != "" {
						s.nvd[v.CVE.ID] = append(s.nvd[v.CVE.ID], model.CVSS{Version: m.Data.Version, Vector: m.Data.Vector, BaseScore: m.Data.BaseScore, Source: "nvd"})
					}
				}
			}
		}
	}
}

func (s *zipSnapshot) readKEV(t testing.TB) {
	data, err := os.ReadFile(filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat struct {
		Vulnerabilities []struct {
			CVE       string `json:"cveID"`
			DateAdded string `json:"dateAdded"`
			DueDate   string `json:"dueDate"`
			Action    string `json:"requiredAction"`
			Ransom    string `json:"knownRansomwareCampaignUse"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	for _, v := range cat.Vulnerabilities {
		s.kev[v.CVE] = model.KEV{CVE: v.CVE, DateAdded: v.DateAdded, DueDate: v.DueDate, RequiredAction: v.Action, KnownRansomware: v.Ransom}
	}
}

func (s *zipSnapshot) readEPSS(t testing.TB) {
	f, err := os.Open(filepath.Join(testdata, "epss", "epss_scores-2025-02-20.first5rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if len(row) != 3 || !strings.HasPrefix(row[0], "CVE-") {
			continue
		}
		sc, _ := strconv.ParseFloat(row[1], 64)
		pc, _ := strconv.ParseFloat(row[2], 64)
		s.epss[row[0]] = model.EPSS{CVE: row[0], Score: sc, Percentile: pc, Date: "2025-02-20"}
	}
}

func (s *zipSnapshot) ID() string  { return s.id }
func (s *zipSnapshot) Dir() string { return s.dir }

func (s *zipSnapshot) KEV(cve string) (model.KEV, bool)   { k, ok := s.kev[cve]; return k, ok }
func (s *zipSnapshot) EPSS(cve string) (model.EPSS, bool) { e, ok := s.epss[cve]; return e, ok }
func (s *zipSnapshot) NVDCVSS(cve string) []model.CVSS    { return s.nvd[cve] }
func (s *zipSnapshot) FeedOf(id string) string            { return "osv-testdata" }

func (s *zipSnapshot) Record(_ context.Context, id string) (*osv.Record, error) {
	s.mu.Lock()
	s.loads++
	s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return nil, os.ErrNotExist
	}
	return readZipFile(f)
}

func (s *zipSnapshot) Records(context.Context) iter.Seq2[*osv.Record, error] {
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	return func(yield func(*osv.Record, error) bool) {
		for _, zr := range s.zips {
			for _, f := range zr.File {
				r, err := readZipFile(f)
				if !yield(r, err) || err != nil {
					return
				}
			}
		}
	}
}

func readZipFile(f *zip.File) (*osv.Record, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return osv.Parse(f.Name, data)
}

// buildZips builds an index over zips with a zipSnapshot as enricher.
func buildZips(t testing.TB, zips ...string) (*Index, *zipSnapshot) {
	t.Helper()
	s := openZipSnapshot(t, "test-snapshot", t.TempDir(), zips...)
	ix, err := Build(context.Background(), s.id, s.Records(context.Background()), s)
	if err != nil {
		t.Fatal(err)
	}
	return ix, s
}

// buildJSON builds an index from hand-written records.
func buildJSON(t testing.TB, records ...string) *Index {
	t.Helper()
	seq := func(yield func(*osv.Record, error) bool) {
		for i, r := range records {
			rec, err := osv.Parse("record-"+strconv.Itoa(i), []byte(r))
			if !yield(rec, err) {
				return
			}
		}
	}
	ix, err := Build(context.Background(), "hand", seq, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// ids returns the preferred ids of vulns.
func ids(vulns []model.Vulnerability) []string {
	out := []string{}
	for _, v := range vulns {
		out = append(out, v.ID)
	}
	return out
}

type osvRecord = osv.Record

func parseOne(s string) (*osv.Record, error) { return osv.Parse("inline", []byte(s)) }

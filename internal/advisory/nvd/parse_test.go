package nvd

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/vigilsec/vigil/internal/model"
)

const testdata = "../../../../shared/testdata/nvd/api-2.0"

func files(t testing.TB) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(testdata, "*.json"))
	if err != nil || len(fs) != 25 {
		t.Fatalf("want 25 files, got %d (%v)", len(fs), err)
	}
	return fs
}

func parseFile(t testing.TB, path string) []CVE {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cves, err := Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cves
}

// rawCounts reads, without Parse, each CVE's number of CVSS metrics.
func rawCounts(t *testing.T, path string) (ids []string, metrics map[string]int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vulnerabilities []struct {
			CVE struct {
				ID      string                       `json:"id"`
				Metrics map[string][]json.RawMessage `json:"metrics"`
			} `json:"cve"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	metrics = map[string]int{}
	for _, v := range doc.Vulnerabilities {
		ids = append(ids, v.CVE.ID)
		for key, ms := range v.CVE.Metrics {
			if strings.HasPrefix(key, "cvssMetricV") {
				metrics[v.CVE.ID] += len(ms)
			}
		}
	}
	return ids, metrics
}

// computeScore computes a vector's base score with go-cvss.
func computeScore(c model.CVSS) (float64, error) {
	switch c.Version {
	case "2.0":
		v, err := gocvss20.ParseVector(c.Vector)
		if err != nil {
			return 0, err
		}
		return v.BaseScore(), nil
	case "3.0":
		v, err := gocvss30.ParseVector(c.Vector)
		if err != nil {
			return 0, err
		}
		return v.BaseScore(), nil
	case "3.1":
		v, err := gocvss31.ParseVector(c.Vector)
		if err != nil {
			return 0, err
		}
		return v.BaseScore(), nil
	case "4.0":
		v, err := gocvss40.ParseVector(c.Vector)
		if err != nil {
			return 0, err
		}
		return v.Score(), nil
	}
	return 0, errors.New("unknown version " + c.Version)
}

func TestRealFiles(t *testing.T) {
	distinct := map[string]bool{}
	vectors := 0
	for _, path := range files(t) {
		cves := parseFile(t, path)
		ids, metrics := rawCounts(t, path)
		if len(cves) != len(ids) {
			t.Errorf("%s: %d CVEs, file has %d", path, len(cves), len(ids))
			continue
		}
		for i, c := range cves {
			if c.ID != ids[i] {
				t.Errorf("%s: CVE %d is %s, file has %s", path, i, c.ID, ids[i])
			}
			distinct[c.ID] = true
			if len(c.CVSS) != metrics[c.ID] {
				t.Errorf("%s: %d CVSS metrics, file has %d", c.ID, len(c.CVSS), metrics[c.ID])
			}
			if c.Published.IsZero() || c.LastModified.Before(c.Published) {
				t.Errorf("%s: published %v last modified %v", c.ID, c.Published, c.LastModified)
			}
			for _, v := range c.CVSS {
				score, err := computeScore(v)
				if err != nil {
					t.Errorf("%s: %s vector %q: %v", c.ID, v.Version, v.Vector, err)
					continue
				}
				vectors++
				if math.Abs(score-v.BaseScore) > 1e-9 {
					t.Errorf("%s: %s %q NVD score %v, go-cvss computes %v", c.ID, v.Source, v.Vector, v.BaseScore, score)
				}
			}
		}
	}
	if len(distinct) != 74 {
		t.Errorf("%d distinct CVEs, the testdata README says 74", len(distinct))
	}
	if vectors == 0 {
		t.Error("no vectors checked")
	}
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestSpotChecks compares whole CVEs with values read by hand from the files.
func TestSpotChecks(t *testing.T) {
	want := map[string]CVE{
		"CVE-2024-3094": {
			ID: "CVE-2024-3094",
			CVSS: []model.CVSS{
				{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BaseScore: 10, Source: "nvd@nist.gov (Primary)"},
				{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BaseScore: 10, Source: "secalert@redhat.com (Secondary)"},
			},
			CWEs:         []string{"CWE-506"},
			Published:    at("2024-03-29T17:15:21.150"),
			LastModified: at("2026-06-17T07:43:17.830"),
		},
		"CVE-2016-1585": {
			ID: "CVE-2016-1585",
			CVSS: []model.CVSS{
				{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "nvd@nist.gov (Primary)"},
				{Version: "3.0", Vector: "CVSS:3.0/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:L/A:L", BaseScore: 3.9, Source: "security@ubuntu.com (Secondary)"},
				{Version: "2.0", Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", BaseScore: 7.5, Source: "nvd@nist.gov (Primary)"},
			},
			// NVD-CWE-noinfo only.
			Published:    at("2019-04-22T16:29:01.303"),
			LastModified: at("2025-05-02T14:12:14.837"),
		},
		"CVE-2025-4565": {
			ID: "CVE-2025-4565",
			CVSS: []model.CVSS{
				{Version: "4.0", Vector: "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X", BaseScore: 8.2, Source: "cve-coordination@google.com (Secondary)"},
				{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", BaseScore: 5.3, Source: "nvd@nist.gov (Primary)"},
			},
			CWEs:         []string{"CWE-674"},
			Published:    at("2025-06-16T15:15:24.990"),
			LastModified: at("2025-08-14T17:05:37.770"),
		},
		"CVE-2018-14618": {
			ID: "CVE-2018-14618",
			CVSS: []model.CVSS{
				{Version: "3.0", Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "nvd@nist.gov (Primary)"},
				{Version: "3.0", Vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", BaseScore: 7.5, Source: "secalert@redhat.com (Secondary)"},
				{Version: "2.0", Vector: "AV:N/AC:L/Au:N/C:C/I:C/A:C", BaseScore: 10, Source: "nvd@nist.gov (Primary)"},
			},
			CWEs:         []string{"CWE-122", "CWE-131", "CWE-190"},
			Published:    at("2018-09-05T19:29:00.420"),
			LastModified: at("2024-11-21T03:49:26.003"),
		},
	}
	got := map[string]CVE{}
	for _, path := range files(t) {
		for _, c := range parseFile(t, path) {
			if _, ok := want[c.ID]; ok {
				got[c.ID] = c
			}
		}
	}
	for id, w := range want {
		if diff := cmp.Diff(w, got[id]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", id, diff)
		}
	}
}

func TestRefused(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "CVE-2017-6507.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, old, new string }{
		{"bad id", `"id": "CVE-2017-6507"`, `"id": "CVE-17-6507"`},
		{"bad time", `"published": "2017-03-24T07:59:00.233"`, `"published": "yesterday"`},
		{"version mismatch", `"version": "3.0"`, `"version": "3.1"`},
		{"no score", `"baseScore": 5.9`, `"baseScore": null`},
		{"score above 10", `"baseScore": 5.9`, `"baseScore": 59`},
		{"empty vector", `"vectorString": "AV:N\/AC:M\/Au:N\/C:N\/I:P\/A:N"`, `"vectorString": ""`},
		{"not NVD", `"format": "NVD_CVE"`, `"format": "CVE_RECORD"`},
		{"no list", `"vulnerabilities"`, `"vulns"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := bytes.Replace(data, []byte(tt.old), []byte(tt.new), 1)
			if bytes.Equal(in, data) {
				t.Fatalf("%q not found in the file", tt.old)
			}
			_, err := Parse(bytes.NewReader(in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
		})
	}
}

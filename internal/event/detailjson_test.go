package event

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/jsonx/jsonxtest"
)

// TestFindingJSONAsMarshal fills every field of many event details at
// random and checks that AppendJSON writes what Marshal writes. A field
// added to Finding (or to a type it holds) and not to the encoder fails
// here.
func TestFindingJSONAsMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 5000 {
		var d Finding
		jsonxtest.Fill(r, &d)
		want, err := json.Marshal(&d)
		if err != nil {
			t.Fatalf("detail %d: Marshal: %v", i, err)
		}
		got, err := d.AppendJSON([]byte("prefix"))
		if err != nil {
			t.Fatalf("detail %d: AppendJSON: %v", i, err)
		}
		if diff := cmp.Diff(string(want), string(got[len("prefix"):])); diff != "" {
			t.Fatalf("detail %d: AppendJSON and Marshal differ (-Marshal +AppendJSON):\n%s", i, diff)
		}
	}
}

func TestFindingJSONErrors(t *testing.T) {
	nan, year := math.NaN(), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		d    Finding
	}{
		{"NaN score", Finding{Score: &nan}},
		{"infinite EPSS", Finding{EPSS: &EPSS{Score: math.Inf(-1)}}},
		{"year 10000", Finding{PackageVulnerabilityDetails: &PackageVulnerabilityDetails{VendorCreatedAt: &year}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.d.AppendJSON([]byte("kept"))
			if err == nil {
				t.Fatalf("AppendJSON succeeded: %s", got)
			}
			if string(got) != "kept" {
				t.Errorf("AppendJSON returned %q, want the buffer as it was", got)
			}
		})
	}
}

// FuzzFindingJSON puts the fuzzer's strings and numbers into a detail and
// compares AppendJSON with Marshal.
func FuzzFindingJSON(f *testing.F) {
	f.Add("fnd-1", "<b>&\"x\"</b>", 9.8, int64(0))
	f.Add("\xed\xa0\x80", "\u2028\x7f\x00", 1e-9, int64(-62135596800))
	f.Fuzz(func(t *testing.T, a, b string, x float64, sec int64) {
		at := time.Unix(sec%(1<<35), 0).UTC()
		d := Finding{FindingID: a, Title: b, Description: a + b, Score: &x, FirstObservedAt: at,
			EPSS:      &EPSS{Score: x, Percentile: x / 2},
			Resources: []Resource{{ID: a, Tags: map[string]string{a: b, b: a}, Details: &ResourceDetails{Host: &HostDetails{Hostname: b}}}},
			PackageVulnerabilityDetails: &PackageVulnerabilityDetails{VulnerabilityID: a, VendorCreatedAt: &at,
				CVSS: []CVSS{{BaseScore: x, ScoringVector: b}}, ReferenceURLs: []string{a, b},
				VulnerablePackages: []VulnerablePackage{{Name: a, Version: b, Epoch: int(sec % 7)}}},
			Changed: []string{a}}
		want, werr := json.Marshal(&d)
		got, err := d.AppendJSON(nil)
		if (err != nil) != (werr != nil) {
			t.Fatalf("AppendJSON error %v, Marshal error %v", err, werr)
		}
		if diff := cmp.Diff(string(want), string(got)); werr == nil && diff != "" {
			t.Fatalf("AppendJSON and Marshal differ (-Marshal +AppendJSON):\n%s", diff)
		}
	})
}

func BenchmarkFindingJSON(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	ds := make([]Finding, 64)
	for i := range ds {
		jsonxtest.Fill(r, &ds[i])
		ds[i].NetworkReachabilityDetails, ds[i].CodeVulnerabilityDetails = nil, nil
	}
	b.Run("AppendJSON", func(b *testing.B) {
		var buf []byte
		for i := 0; b.Loop(); i++ {
			buf, _ = ds[i%len(ds)].AppendJSON(buf[:0])
		}
	})
	b.Run("Marshal", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, _ = json.Marshal(&ds[i%len(ds)])
		}
	})
}

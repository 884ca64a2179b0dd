package model

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/jsonx/jsonxtest"
)

// marshalOrNil is json.Marshal's output, nil when it fails.
func marshalOrNil(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// TestFindingJSONAsMarshal fills every field of many findings at random
// and checks that the hand-written encoder writes what Marshal writes,
// for the whole finding and for its content. A field added to Finding
// (or to a type it holds) and not to the encoder fails here.
func TestFindingJSONAsMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		var f Finding
		jsonxtest.Fill(r, &f)
		got, ok := appendFindingJSON([]byte("prefix"), &f, false)
		want := marshalOrNil(&f)
		if !ok {
			got = nil
		} else {
			got = got[len("prefix"):]
		}
		if string(got) != string(want) {
			t.Fatalf("finding %d: encoder and Marshal differ:\n%s", i, cmp.Diff(string(want), string(got)))
		}
		if got, want := f.ContentJSON(), contentJSONMarshal(&f); string(got) != string(want) {
			t.Fatalf("finding %d: content differs:\n%s", i, cmp.Diff(string(want), string(got)))
		}
	}
}

func TestFindingJSONFailsAsMarshal(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		f    Finding
	}{
		{"NaN score", Finding{Score: &nan}},
		{"infinite CVSS", Finding{Package: &PackageVulnerabilityDetails{CVSS: []CVSS{{BaseScore: math.Inf(1)}}}}},
		{"year 10000", Finding{Package: &PackageVulnerabilityDetails{Published: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		{"zone of 24 hours", Finding{FirstObservedAt: time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("z", 24*3600))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := appendFindingJSON(nil, &tt.f, false); ok {
				t.Error("encoder succeeded")
			}
			if _, err := json.Marshal(&tt.f); err == nil {
				t.Error("Marshal succeeded")
			}
		})
	}
}

// FuzzFindingJSON puts the fuzzer's strings and numbers into a finding's
// fields and compares the encoder with Marshal.
func FuzzFindingJSON(f *testing.F) {
	f.Add("CVE-2024-1234", "<a href=\"x\">&</a>", 7.5, int64(0))
	f.Add("\xff\xfe", "\u2028\u2029\x00", 1e-7, int64(-1))
	f.Add("", "日本", 1e21, int64(1<<40))
	f.Fuzz(func(t *testing.T, a, b string, x float64, sec int64) {
		at := time.Unix(sec%(1<<35), 0).UTC()
		fd := Finding{ID: FindingID(a), Title: b, Description: a + b, Score: &x, CheckID: b,
			FirstObservedAt: at, Resource: FindingResource{Name: a, Tags: map[string]string{a: b, b: a}},
			ScoreDetails: &ScoreDetails{Base: x, Vector: a, Adjustments: []ScoreAdjustment{{Metric: b, Delta: -x}}},
			Package: &PackageVulnerabilityDetails{VulnerabilityID: a, ReferenceURLs: []string{a, b}, Published: at,
				CVSS:               []CVSS{{BaseScore: x, Vector: b}},
				VulnerablePackages: []VulnerablePackage{{Name: a, Version: b, FilePath: a}},
				Evidence:           []Evidence{{Advisory: a, Range: b, Snapshot: a}}}}
		got, ok := appendFindingJSON(nil, &fd, false)
		want := marshalOrNil(&fd)
		if !ok {
			got = nil
		}
		if string(got) != string(want) {
			t.Fatalf("encoder and Marshal differ:\n%s", cmp.Diff(string(want), string(got)))
		}
		if got, want := fd.ContentJSON(), contentJSONMarshal(&fd); string(got) != string(want) {
			t.Fatalf("content differs:\n%s", cmp.Diff(string(want), string(got)))
		}
	})
}

func BenchmarkContentJSON(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	fs := make([]Finding, 64)
	for i := range fs {
		jsonxtest.Fill(r, &fs[i])
		fs[i].Network, fs[i].Code = nil, nil
	}
	b.Run("encoder", func(b *testing.B) {
		var buf []byte
		for i := 0; b.Loop(); i++ {
			buf = fs[i%len(fs)].AppendContentJSON(buf[:0])
		}
	})
	b.Run("marshal", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			contentJSONMarshal(&fs[i%len(fs)])
		}
	})
}

// TestStoredContentsReencode re-encodes real stored contents: 19
// findings (Go, Maven, PyPI, crates.io, npm) the push benchmark stored
// from ../shared/testdata's advisories when ContentJSON was still
// encoding/json's (cb55811). A finding's fingerprint hashes these bytes,
// so an encoder that wrote them differently would rewrite every stored
// finding at its next scan.
func TestStoredContentsReencode(t *testing.T) {
	data, err := os.ReadFile("testdata/stored-contents.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	if len(lines) < 19 {
		t.Fatalf("%d stored contents, want 19", len(lines))
	}
	for i, line := range lines {
		var f Finding
		if err := json.Unmarshal(line, &f); err != nil {
			t.Fatalf("content %d: %v", i, err)
		}
		if diff := cmp.Diff(string(line), string(f.ContentJSON())); diff != "" {
			t.Errorf("content %d (%s) re-encoded differently (-stored +now):\n%s", i, f.CheckID, diff)
		}
	}
}

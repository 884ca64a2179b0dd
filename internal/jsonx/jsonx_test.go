package jsonx_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/jsonx"
	"github.com/vigilsec/vigil/internal/model"
)

// sample is an inventory with every kind of field set.
func sample() *model.Inventory {
	return &model.Inventory{
		Target: model.Target{Kind: model.TargetHost, Name: "web-1"},
		OS:     &model.OS{ID: "debian", VersionID: "12", Codename: "bookworm"},
		Packages: []model.Package{
			{Ecosystem: "Debian", Name: "openssl", Version: "3.0.11-1~deb12u2", SourceName: "openssl", Arch: "amd64",
				PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64", Manager: model.ManagerOS, Path: "/var/lib/dpkg/status", Licenses: []string{"Apache-2.0"}},
			{Ecosystem: "npm", Name: "@babel/core", Version: "7.0.0", PURL: "pkg:npm/%40babel/core@7.0.0", Path: "/srv/app/package-lock.json", Dev: true, Layer: "sha256:ab"},
		},
		Partial:   true,
		Issues:    []model.Issue{{Plugin: "dpkg", Path: "/x", Reason: "too big"}},
		IndexedAt: time.Date(2026, 11, 27, 12, 0, 0, 123000, time.UTC),
	}
}

// TestAsEncodingJSON checks that jsonx decodes what encoding/json
// decodes, the same way, and refuses what it refuses.
func TestAsEncodingJSON(t *testing.T) {
	enc, err := json.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"encoded inventory", string(enc), true},
		{"names in another case", `{"TARGET":{"kind":"host","NAME":"a"},"packages":[{"NAME":"x"}]}`, true},
		{"duplicate names, the last wins", `{"target":{"name":"a","name":"b"}}`, true},
		{"invalid UTF-8 replaced", "{\"target\":{\"name\":\"a\xffb\"}}", true},
		{"null for a slice and a pointer", `{"packages":null,"os":null}`, true},
		{"unknown member ignored", `{"target":{"name":"a"},"extra":[1,{"b":2}]}`, true},
		{"trailing data", `{"target":{}} {}`, false},
		{"wrong type", `{"packages":{"name":"x"}}`, false},
		{"truncated", `{"target":{"name":"a"`, false},
		{"bad time", `{"indexedAt":"yesterday"}`, false},
		{"number too large for a bool", `{"partial":1}`, false},
		{"empty", ``, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want, got model.Inventory
			werr := json.Unmarshal([]byte(tc.in), &want)
			gerr := jsonx.Unmarshal([]byte(tc.in), &got)
			if (werr == nil) != tc.ok || (gerr == nil) != tc.ok {
				t.Fatalf("encoding/json: %v; jsonx: %v; want ok=%v", werr, gerr, tc.ok)
			}
			if tc.ok {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("decoded (-encoding/json +jsonx):\n%s", diff)
				}
			}
		})
	}
}

func TestUnmarshalStrict(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"known members", `{"target":{"name":"a"},"packages":[]}`, true},
		{"names in another case", `{"Target":{"Name":"a"}}`, true},
		{"unknown member", `{"target":{"name":"a"},"extra":1}`, false},
		{"unknown nested member", `{"packages":[{"name":"x","colour":"red"}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v model.Inventory
			err := jsonx.UnmarshalStrict([]byte(tc.in), &v)
			if (err == nil) != tc.ok {
				t.Fatalf("UnmarshalStrict: %v; want ok=%v", err, tc.ok)
			}
			// encoding/json's Decoder with DisallowUnknownFields agrees.
			var w model.Inventory
			dec := json.NewDecoder(stringsReader(tc.in))
			dec.DisallowUnknownFields()
			if werr := dec.Decode(&w); (werr == nil) != tc.ok {
				t.Errorf("encoding/json strict: %v; want ok=%v", werr, tc.ok)
			}
		})
	}
}

// FuzzAsEncodingJSON is the differential test: on any input, jsonx and
// encoding/json both succeed with equal values or both fail.
func FuzzAsEncodingJSON(f *testing.F) {
	enc, err := json.Marshal(sample())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte(`{"target":{"name":"a","name":"b"},"packages":[{"NAME":"x","dev":true,"licenses":["MIT",null]}]}`))
	f.Add([]byte(`{"os":{"id":"alpine"},"layers":[{"digest":"sha256:1"}],"indexedAt":"2026-01-02T03:04:05.999999999+02:00"}`))
	f.Add([]byte("{\"target\":{\"name\":\"\\ud800\xff\"}}"))
	score := 7.5
	fnd, err := json.Marshal(&model.Finding{ID: "fnd-1", Title: "t", Score: &score, ScoreDetails: &model.ScoreDetails{}, EPSS: &model.EPSS{}, KEV: &model.KEV{},
		Package: &model.PackageVulnerabilityDetails{VulnerablePackages: []model.VulnerablePackage{{}}}, Network: &model.NetworkDetail{}, Code: &model.CodeDetail{},
		FirstObservedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fnd)
	f.Fuzz(func(t *testing.T, data []byte) {
		// The types the store decodes with jsonx: stored inventories (and
		// pushed ones, inside the request) and findings.
		same(t, data, &model.Inventory{}, &model.Inventory{})
		same(t, data, &model.Finding{}, &model.Finding{})
	})
}

// same decodes data into want with encoding/json and into got with jsonx
// and fails unless both fail or both give the same value.
func same[T any](t *testing.T, data []byte, want, got *T) {
	t.Helper()
	werr := json.Unmarshal(data, want)
	gerr := jsonx.Unmarshal(data, got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%T: encoding/json: %v; jsonx: %v", want, werr, gerr)
	}
	if werr == nil {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%T decoded (-encoding/json +jsonx):\n%s", want, diff)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	inv := sample()
	for range 250 {
		inv.Packages = append(inv.Packages, inv.Packages[0])
	}
	data, err := json.Marshal(inv)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v model.Inventory
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonx", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v model.Inventory
			if err := jsonx.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

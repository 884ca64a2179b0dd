package suppress

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func loadSet(t *testing.T) *Set {
	t.Helper()
	ig, err := LoadIgnoreFile("testdata/vigilignore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vx, err := LoadVEX("testdata/lodash.openvex.json")
	if err != nil {
		t.Fatal(err)
	}
	return NewSet(now, []*IgnoreFile{ig}, []*VEXDoc{vx})
}

func TestCheck(t *testing.T) {
	s := loadSet(t)
	lodash := &model.Package{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15",
		PURL: "pkg:npm/lodash@4.17.15", Path: "/app/web/package-lock.json"}
	axios := &model.Package{Ecosystem: model.EcosystemNPM, Name: "axios", Version: "0.21.0",
		PURL: "pkg:npm/axios@0.21.0", Path: "/app/web/package-lock.json"}
	axiosElsewhere := *axios
	axiosElsewhere.Path = "/srv/package-lock.json"
	fr := &model.Package{Ecosystem: model.EcosystemNPM, Name: "follow-redirects", Version: "1.13.0",
		PURL: "pkg:npm/follow-redirects@1.13.0", Path: "/app/web/package-lock.json"}
	image := &model.Target{Kind: model.TargetImage, Name: "registry.example.com/app@sha256:0123"}

	tests := []struct {
		name   string
		vuln   model.Vulnerability
		pkg    *model.Package
		target *model.Target
		want   *Decision
	}{
		{"ignore by alias and purl", model.Vulnerability{ID: "CVE-2020-28500", Aliases: []string{"GHSA-p6mc-m468-83gw"}}, lodash, nil,
			&Decision{Kind: KindIgnoreFile, Source: "testdata/vigilignore.yaml", Rule: "GHSA-p6mc-m468-83gw", Reason: "zipObjectDeep is not used", Expires: "2027-03-31"}},
		{"purl narrows: other package not ignored", model.Vulnerability{ID: "GHSA-p6mc-m468-83gw"}, axios, nil, nil},
		{"path glob matches", model.Vulnerability{ID: "CVE-2021-3749"}, axios, nil,
			&Decision{Kind: KindIgnoreFile, Source: "testdata/vigilignore.yaml", Rule: "CVE-2021-3749", Reason: "axios only talks to our own API", Expires: "2026-12-31"}},
		{"path glob does not match", model.Vulnerability{ID: "CVE-2021-3749"}, &axiosElsewhere, nil, nil},
		{"expired entry no longer suppresses", model.Vulnerability{ID: "CVE-2020-28168"}, axios, nil, nil},
		{"VEX not_affected by CVE", model.Vulnerability{ID: "CVE-2021-23337", Aliases: []string{"GHSA-35jh-r3h4-6jhm"}}, lodash, nil,
			&Decision{Kind: KindVEX, Source: "testdata/lodash.openvex.json", Rule: "CVE-2021-23337", Reason: "template() is never called", Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path"}},
		{"VEX matches through an alias", model.Vulnerability{ID: "GHSA-35jh-r3h4-6jhm"}, lodash, nil,
			&Decision{Kind: KindVEX, Source: "testdata/lodash.openvex.json", Rule: "CVE-2021-23337", Reason: "template() is never called", Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path"}},
		{"VEX not_affected for another version does not apply", model.Vulnerability{ID: "CVE-2021-23337"},
			&model.Package{Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20"}, nil, nil},
		{"VEX affected does not suppress", model.Vulnerability{ID: "CVE-2020-8203"}, lodash, nil, nil},
		{"VEX latest statement (fixed) wins for image subcomponent", model.Vulnerability{ID: "CVE-2022-0155"}, fr, image,
			&Decision{Kind: KindVEX, Source: "testdata/lodash.openvex.json", Rule: "CVE-2022-0155", Reason: "patched in our fork", Status: "fixed"}},
		{"VEX image statement needs the image", model.Vulnerability{ID: "CVE-2022-0155"}, fr, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Check(&tc.vuln, tc.pkg, tc.target)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Check() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWarningsListExpiredEntries(t *testing.T) {
	s := loadSet(t)
	want := []Warning{{Source: "testdata/vigilignore.yaml",
		Message: "ignore entry for CVE-2020-28168 expired on 2026-11-01 and no longer suppresses it (reason was: accepted until the next release)"}}
	if diff := cmp.Diff(want, s.Warnings()); diff != "" {
		t.Errorf("Warnings() mismatch (-want +got):\n%s", diff)
	}
	// On its last day an entry still applies.
	last := NewSet(time.Date(2026, 11, 1, 23, 59, 0, 0, time.UTC), s.ignores, nil)
	if w := last.Warnings(); len(w) != 0 {
		t.Errorf("entry warned on its expiry day: %v", w)
	}
	if d := last.Check(&model.Vulnerability{ID: "CVE-2020-28168"}, &model.Package{PURL: "pkg:npm/axios@0.21.0"}, nil); d == nil {
		t.Error("entry did not suppress on its expiry day")
	}
}

func TestParseIgnoreFileErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		entry      int
	}{
		{"missing expires", "ignore:\n  - id: CVE-1\n    reason: r\n", 1},
		{"missing reason", "ignore:\n  - id: CVE-1\n    expires: 2027-01-01\n", 1},
		{"missing id", "ignore:\n  - id: CVE-1\n    reason: r\n    expires: 2027-01-01\n  - reason: r\n    expires: 2027-01-01\n", 2},
		{"bad date", "ignore:\n  - id: CVE-1\n    reason: r\n    expires: next week\n", 0},
		{"unknown field", "ignore:\n  - id: CVE-1\n    reason: r\n    expires: 2027-01-01\n    until: 2028-01-01\n", 0},
		{"bad purl", "ignore:\n  - id: CVE-1\n    purl: npm/lodash\n    reason: r\n    expires: 2027-01-01\n", 1},
		{"bad glob", "ignore:\n  - id: CVE-1\n    path: \"[\"\n    reason: r\n    expires: 2027-01-01\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIgnoreFile("x.yaml", []byte(tc.yaml))
			var ie *IgnoreFileError
			if !errors.As(err, &ie) {
				t.Fatalf("want *IgnoreFileError, got %v", err)
			}
			if ie.Entry != tc.entry {
				t.Errorf("entry = %d, want %d (%v)", ie.Entry, tc.entry, err)
			}
		})
	}
}

func TestEmptyIgnoreFile(t *testing.T) {
	f, err := ParseIgnoreFile("empty", nil)
	if err != nil || len(f.Entries) != 0 {
		t.Fatalf("empty file: %v, %v", f, err)
	}
}

func TestLoadVEXRejectsInvalidStatement(t *testing.T) {
	p := t.TempDir() + "/bad.json"
	doc := `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","timestamp":"2026-01-01T00:00:00Z","version":1,
	"statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:npm/a"}],"status":"not_affected"}]}`
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadVEX(p); err == nil {
		t.Fatal("not_affected without justification was accepted")
	}
}

func FuzzParseIgnoreFile(f *testing.F) {
	seed, err := os.ReadFile("testdata/vigilignore.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("ignore: []\n"))
	f.Add([]byte("ignore:\n  - {id: X, reason: y, expires: 2020-01-01}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ig, err := ParseIgnoreFile("fuzz", data)
		if err != nil {
			return
		}
		for _, e := range ig.Entries {
			if e.ID == "" || e.Expires.IsZero() || e.Reason == "" {
				t.Fatalf("accepted an incomplete entry: %+v", e)
			}
		}
	})
}

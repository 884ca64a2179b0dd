package match

import (
	"archive/zip"
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// shared is the index of every OSV zip of the test data, built once.
var shared = sync.OnceValues(func() (*Index, error) {
	s := &zipSnapshot{id: "testdata-all", files: map[string]*zip.File{}, kev: map[string]model.KEV{}, epss: map[string]model.EPSS{}}
	tb := &onceTB{}
	for _, p := range allZips(tb) {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, err
		}
		s.zips = append(s.zips, zr)
		for _, f := range zr.File {
			s.files[f.Name[:len(f.Name)-len(".json")]] = f
		}
	}
	s.readKEV(tb)
	s.readEPSS(tb)
	s.readNVD(tb)
	if tb.failed != "" {
		return nil, &RecordsError{Err: errString(tb.failed)}
	}
	return Build(context.Background(), s.id, s.Records(context.Background()), s)
})

func sharedIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// advisories lists the record ids of every evidence, sorted.
func advisories(vulns []model.Vulnerability) []string {
	var out []string
	for _, v := range vulns {
		for _, e := range v.Evidence {
			out = append(out, e.Advisory)
		}
	}
	slices.Sort(out)
	return out
}

func TestRealRecords(t *testing.T) {
	ix := sharedIndex(t)
	ubuntu2204 := &model.OS{ID: "ubuntu", VersionID: "22.04", Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"}
	ubuntu2404 := &model.OS{ID: "ubuntu", VersionID: "24.04", Ecosystem: model.EcosystemUbuntu, Release: "24.04:LTS"}
	alma8 := &model.OS{ID: "almalinux", VersionID: "8.4", Ecosystem: model.EcosystemAlmaLinux, Release: "8"}
	alma9 := &model.OS{ID: "almalinux", VersionID: "9.3", Ecosystem: model.EcosystemAlmaLinux, Release: "9"}
	tests := []struct {
		name    string
		pkg     model.Package
		os      *model.OS
		wantIn  []string // record ids that must be among the evidence
		wantOut []string // record ids that must not
	}{
		{"Go stdlib 1.12.15", model.Package{Ecosystem: "Go", Name: "stdlib", Version: "1.12.15"}, nil, []string{"GO-2022-0229", "GO-2022-0535"}, nil},
		{"Go stdlib 1.12.16", model.Package{Ecosystem: "Go", Name: "stdlib", Version: "1.12.16"}, nil, nil, []string{"GO-2022-0229", "GO-2022-0535"}},
		{"Go stdlib 1.13.6", model.Package{Ecosystem: "Go", Name: "stdlib", Version: "1.13.6"}, nil, []string{"GO-2022-0229"}, nil},
		{"Go stdlib 1.13.7", model.Package{Ecosystem: "Go", Name: "stdlib", Version: "1.13.7"}, nil, nil, []string{"GO-2022-0229"}},
		{"Go stdlib toolchain spelling go1.13.6", model.Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.13.6"}, nil, []string{"GO-2022-0229"}, nil},
		{"Go module x/crypto pseudo-version", model.Package{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "0.0.0-20200124225645-000000000000"}, nil, []string{"GO-2022-0229"}, nil},
		{"Go module x/crypto at fix", model.Package{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "0.0.0-20200124225646-8b5121be2f68"}, nil, nil, []string{"GO-2022-0229"}},
		{"PyPI protobuf, PEP 503 name", model.Package{Ecosystem: "PyPI", Name: "Protobuf", Version: "3.14.0"}, nil, []string{"GHSA-77rm-9x9h-xj3g", "PYSEC-2022-48"}, nil},
		{"PyPI protobuf fixed", model.Package{Ecosystem: "PyPI", Name: "protobuf", Version: "3.15.0"}, nil, nil, []string{"GHSA-77rm-9x9h-xj3g", "PYSEC-2022-48"}},
		{"PyPI salt two pairs", model.Package{Ecosystem: "PyPI", Name: "salt", Version: "3000.1"}, nil, []string{"PYSEC-2020-102", "PYSEC-2020-103"}, nil},
		{"PyPI salt between pairs", model.Package{Ecosystem: "PyPI", Name: "salt", Version: "2019.2.5"}, nil, nil, []string{"PYSEC-2020-102", "PYSEC-2020-103"}},
		{"crates.io smallvec", model.Package{Ecosystem: "crates.io", Name: "smallvec", Version: "0.6.9"}, nil, []string{"RUSTSEC-2019-0009"}, nil},
		{"crates.io smallvec fixed", model.Package{Ecosystem: "crates.io", Name: "smallvec", Version: "0.6.10"}, nil, nil, []string{"RUSTSEC-2019-0009"}},
		{"npm lodash 4.17.15", model.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"}, nil,
			[]string{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"},
			[]string{"GHSA-4xc9-xhrj-v574", "GHSA-fvqr-27wr-82fm", "GHSA-jf85-cpcp-j695"}},
		{"npm jsonwebtoken, withdrawn GHSA ignored", model.Package{Ecosystem: "npm", Name: "jsonwebtoken", Version: "8.5.1"}, nil,
			[]string{"GHSA-8cf7-32gw-wr33", "GHSA-hjrf-2m68-5959", "GHSA-qwph-4952-7xr6"}, []string{"GHSA-27h2-hvpr-p74q"}},
		{"Maven tomcat-embed-core", model.Package{Ecosystem: "Maven", Name: "org.apache.tomcat.embed:tomcat-embed-core", Version: "9.0.30"}, nil, []string{"GHSA-c9hw-wf7x-jp9j"}, nil},
		{"Maven tomcat-embed-core fixed", model.Package{Ecosystem: "Maven", Name: "org.apache.tomcat.embed:tomcat-embed-core", Version: "9.0.31"}, nil, nil, []string{"GHSA-c9hw-wf7x-jp9j"}},
		{"AlmaLinux 8 openjdk", model.Package{Ecosystem: "AlmaLinux", Name: "java-1.8.0-openjdk", Version: "1:1.8.0.392.b08-4.el8"}, alma8, []string{"ALSA-2024:0265"}, nil},
		{"AlmaLinux 8 openjdk fixed", model.Package{Ecosystem: "AlmaLinux", Name: "java-1.8.0-openjdk", Version: "1:1.8.0.402.b06-2.el8"}, alma8, nil, []string{"ALSA-2024:0265"}},
		{"AlmaLinux 8 expat", model.Package{Ecosystem: "AlmaLinux", Name: "expat", Version: "2.2.5-10.el8_7"}, alma8, []string{"ALSA-2023:0103"}, nil},
		{"AlmaLinux 9 does not see el8-only records", model.Package{Ecosystem: "AlmaLinux", Name: "expat", Version: "2.2.5-10.el8_7"}, alma9, nil, []string{"ALSA-2023:0103"}},
		{"Ubuntu 22.04 openssh by source", model.Package{Ecosystem: "Ubuntu", Name: "openssh-client", Version: "1:8.9p1-3ubuntu0.6", SourceName: "openssh"}, ubuntu2204,
			[]string{"UBUNTU-CVE-2024-6387", "USN-6859-1"}, nil},
		{"Ubuntu 22.04 openssh fixed", model.Package{Ecosystem: "Ubuntu", Name: "openssh-client", Version: "1:8.9p1-3ubuntu0.10", SourceName: "openssh"}, ubuntu2204,
			nil, []string{"UBUNTU-CVE-2024-6387", "USN-6859-1"}},
		{"Ubuntu binary name alone finds nothing", model.Package{Ecosystem: "Ubuntu", Name: "openssh-client", Version: "1:8.9p1-3ubuntu0.6"}, ubuntu2204,
			nil, []string{"UBUNTU-CVE-2024-6387", "USN-6859-1"}},
		{"Ubuntu 24.04 rsync by its own release", model.Package{Ecosystem: "Ubuntu", Name: "rsync", Version: "3.2.7-1ubuntu1"}, ubuntu2404, []string{"UBUNTU-CVE-2024-12084"}, nil},
		{"Ubuntu 22.04 rsync fixed there", model.Package{Ecosystem: "Ubuntu", Name: "rsync", Version: "3.2.7-0ubuntu0.22.04.3"}, ubuntu2204, nil, []string{"UBUNTU-CVE-2024-12084"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vulns, err := ix.MatchPackage(context.Background(), &tc.pkg, tc.os, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := advisories(vulns)
			for _, id := range tc.wantIn {
				if !slices.Contains(got, id) {
					t.Errorf("%s missing; got %v", id, got)
				}
			}
			for _, id := range tc.wantOut {
				if slices.Contains(got, id) {
					t.Errorf("%s matched; got %v", id, got)
				}
			}
		})
	}
}

func TestAliasMergingAndEnrichment(t *testing.T) {
	ix := sharedIndex(t)
	ctx := context.Background()

	p := model.Package{Ecosystem: "PyPI", Name: "protobuf", Version: "3.14.0"}
	vulns, err := ix.MatchPackage(ctx, &p, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := find(t, vulns, "CVE-2021-22570")
	fixed := "3.15.0"
	want := model.Vulnerability{
		ID:       "CVE-2021-22570",
		Aliases:  []string{"GHSA-77rm-9x9h-xj3g", "PYSEC-2022-48"},
		FixedIn:  &fixed,
		FixState: model.FixStateFixed,
		Evidence: []model.Evidence{
			{Advisory: "GHSA-77rm-9x9h-xj3g", Ecosystem: "PyPI", Package: "protobuf", MatchedBy: "name", Version: "3.14.0", Range: "[introduced 0, fixed 3.15.0)", Feed: "osv-testdata", Snapshot: "testdata-all"},
			{Advisory: "PYSEC-2022-48", Ecosystem: "PyPI", Package: "protobuf", MatchedBy: "name", Version: "3.14.0", Range: "[introduced 0, fixed 3.15.0)", Feed: "osv-testdata", Snapshot: "testdata-all"},
		},
	}
	got := model.Vulnerability{ID: v.ID, Aliases: v.Aliases, FixedIn: v.FixedIn, FixState: v.FixState, Evidence: v.Evidence}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged vulnerability (-want +got):\n%s", diff)
	}
	if v.Details == "" || len(v.References) == 0 {
		t.Errorf("details/references not loaded from the record: %q, %d refs", v.Details, len(v.References))
	}
	if v.Severity == model.SeverityUntriaged || v.SeveritySource != SourceOSVCVSS || len(v.CVSS) == 0 {
		t.Errorf("severity %s from %s with %d CVSS, want a CVSS band from the GHSA vector", v.Severity, v.SeveritySource, len(v.CVSS))
	}

	// KEV by CVE: GO-2022-0535 is CVE-2020-0601, in the KEV catalog.
	std := model.Package{Ecosystem: "Go", Name: "stdlib", Version: "1.12.15"}
	vulns, err = ix.MatchPackage(ctx, &std, nil, Options{SkipDetails: true})
	if err != nil {
		t.Fatal(err)
	}
	k := find(t, vulns, "CVE-2020-0601")
	if k.KEV == nil || k.KEV.CVE != "CVE-2020-0601" || k.KEV.DateAdded == "" {
		t.Errorf("KEV = %+v, want the catalog entry of CVE-2020-0601", k.KEV)
	}
	if k.Details != "" {
		t.Errorf("SkipDetails still loaded details")
	}
	if k.Severity != model.SeverityUntriaged || k.SeveritySource != SourceNone {
		t.Errorf("Go record without vectors rated %s/%s, want UNTRIAGED/none", k.Severity, k.SeveritySource)
	}
	for _, v := range vulns {
		if len(v.Evidence) == 0 || v.Evidence[0].Snapshot != "testdata-all" {
			t.Errorf("%s: evidence does not name the snapshot: %+v", v.ID, v.Evidence)
		}
	}
}

func TestDistroSeverity(t *testing.T) {
	ix := sharedIndex(t)
	ctx := context.Background()
	type sev struct {
		ID, Severity, Source, Vendor, FixedIn string
		FixState                              model.FixState
	}
	tests := []struct {
		name string
		pkg  model.Package
		os   *model.OS
		want sev
	}{
		{"AlmaLinux summary word", model.Package{Ecosystem: "AlmaLinux", Name: "java-1.8.0-openjdk", Version: "1:1.8.0.392.b08-4.el8"},
			&model.OS{Ecosystem: model.EcosystemAlmaLinux, Release: "8"},
			sev{"ALSA-2024:0265", "HIGH", "vendor:AlmaLinux", "Important", "1:1.8.0.402.b06-2.el8", model.FixStateFixed}},
		{"Ubuntu priority in ecosystem_specific", model.Package{Ecosystem: "Ubuntu", Name: "rsync", Version: "3.2.7-0ubuntu0.22.04.2"},
			&model.OS{Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"},
			sev{"UBUNTU-CVE-2024-12084", "HIGH", "vendor:Ubuntu", "high", "3.2.7-0ubuntu0.22.04.3", model.FixStateFixed}},
		{"Ubuntu severity type", model.Package{Ecosystem: "Ubuntu", Name: "libcurl4", SourceName: "curl", Version: "7.81.0-1ubuntu1.20"},
			&model.OS{Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"},
			sev{"CVE-2025-0167", "LOW", "vendor:Ubuntu", "low", "7.81.0-1ubuntu1.23", model.FixStateFixed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vulns, err := ix.MatchPackage(ctx, &tc.pkg, tc.os, Options{SkipDetails: true})
			if err != nil {
				t.Fatal(err)
			}
			v := find(t, vulns, tc.want.ID)
			got := sev{v.ID, string(v.Severity), v.SeveritySource, v.VendorSeverity, "", v.FixState}
			if v.FixedIn != nil {
				got.FixedIn = *v.FixedIn
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func find(t *testing.T, vulns []model.Vulnerability, id string) model.Vulnerability {
	t.Helper()
	for _, v := range vulns {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("%s not among %v", id, ids(vulns))
	return model.Vulnerability{}
}

// onceTB lets the shared builder reuse the test helpers outside a test.
type onceTB struct {
	testing.TB
	failed string
}

func (o *onceTB) Helper()               {}
func (o *onceTB) Fatal(args ...any)     { o.failed = "helper failed" }
func (o *onceTB) Fatalf(string, ...any) { o.failed = "helper failed" }
func (o *onceTB) Cleanup(func())        {}
func (o *onceTB) Logf(string, ...any)   {}

type errString string

func (e errString) Error() string { return string(e) }

func TestRealDataIssues(t *testing.T) {
	ix := sharedIndex(t)
	var got []string
	for _, is := range ix.Issues() {
		got = append(got, is.Record+" "+is.Package)
	}
	// Two PyPI records carry event versions PEP 440 rejects ("2019-09-12",
	// "0.2.0-n653"): their ranges are skipped and reported, nothing panics.
	if diff := cmp.Diff([]string{"PYSEC-2019-125 steam", "PYSEC-2021-371 binderhub"}, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

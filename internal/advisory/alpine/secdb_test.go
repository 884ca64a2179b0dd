package alpine

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/osv"
)

const testdata = "../../../../shared/testdata/alpine-secdb"

func secdbFiles(t testing.TB, ext string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testdata, "v*", "*."+ext))
	if err != nil || len(files) != 18 {
		t.Fatalf("want 18 %s files, got %d (%v)", ext, len(files), err)
	}
	return files
}

func parseFile(t testing.TB, path string) []*osv.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parse := ParseSecDB
	if strings.HasSuffix(path, ".yaml") {
		parse = ParseSecDBYAML
	}
	recs, err := parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// plainCVE matches an entry that is exactly one well-formed CVE id.
var plainCVE = regexp.MustCompile(`^CVE-\d{4}-\d{4,}$`)

type tuple struct{ id, eco, pkg, fixed string }

func tuples(recs []*osv.Record) map[tuple]bool {
	out := map[tuple]bool{}
	for _, r := range recs {
		for _, a := range r.Affected {
			out[tuple{r.ID, a.Package.Ecosystem, a.Package.Name, fixedOf(a)}] = true
		}
	}
	return out
}

// TestRealFiles checks every JSON file against its raw content: each
// plain-CVE secfix under a real version yields an affected entry, each
// affected entry comes from a secfix naming its id, ids are unique.
func TestRealFiles(t *testing.T) {
	for _, path := range secdbFiles(t, "json") {
		t.Run(path[len(testdata)+1:], func(t *testing.T) {
			recs := parseFile(t, path)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var db secDB
			if err := json.Unmarshal(data, &db); err != nil {
				t.Fatal(err)
			}
			eco := "Alpine:" + db.DistroVersion
			got := tuples(recs)
			raw := map[tuple]bool{} // (first word, eco, pkg, version) of every entry
			want := map[tuple]bool{}
			for _, p := range db.Packages {
				for v, entries := range p.Pkg.Secfixes {
					for _, e := range entries {
						first, _, _ := strings.Cut(e, " ")
						raw[tuple{"ALPINE-" + first, eco, p.Pkg.Name, v}] = true
						if v != "0" && plainCVE.MatchString(e) {
							tp := tuple{"ALPINE-" + e, eco, p.Pkg.Name, v}
							want[tp] = true
							if !got[tp] {
								t.Errorf("missing %v", tp)
							}
						}
					}
				}
			}
			seen := map[string]bool{}
			for _, r := range recs {
				if seen[r.ID] || len(r.Affected) == 0 || osv.Validate(r) != nil {
					t.Errorf("bad record %+v", r)
				}
				seen[r.ID] = true
			}
			for tp := range got {
				if tp.fixed == "0" {
					t.Errorf("record from a \"0\" key: %v", tp)
				}
				if !raw[tp] && !strings.HasPrefix(tp.id, "ALPINE-CVE-") {
					t.Errorf("%v does not come from a secfix", tp)
				}
			}
			if len(got) < len(want) {
				t.Errorf("%d affected entries, input has %d distinct plain CVE fixes", len(got), len(want))
			}
		})
	}
}

func TestJSONAndYAMLAgree(t *testing.T) {
	for _, path := range secdbFiles(t, "json") {
		j := parseFile(t, path)
		y := parseFile(t, strings.TrimSuffix(path, ".json")+".yaml")
		if reflect.DeepEqual(j, y) {
			continue
		}
		if diff := cmp.Diff(j, y); diff != "" {
			t.Errorf("%s: JSON and YAML differ (-json +yaml):\n%s", path, diff)
		}
	}
}

func affected(eco, pkg, fixed string) osv.Affected {
	return osv.Affected{
		Package: osv.Package{Ecosystem: eco, Name: pkg, PURL: "pkg:apk/alpine/" + pkg + "?arch=source"},
		Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: fixed}}}},
	}
}

func find(recs []*osv.Record, id string) *osv.Record {
	for _, r := range recs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// TestSpotChecks compares records with entries read by hand from
// v3.10/main.json, v3.3/main.json and v3.8/main.json.
func TestSpotChecks(t *testing.T) {
	v310 := parseFile(t, filepath.Join(testdata, "v3.10", "main.json"))
	v33 := parseFile(t, filepath.Join(testdata, "v3.3", "main.json"))
	v38 := parseFile(t, filepath.Join(testdata, "v3.8", "main.json"))
	tests := []struct {
		name string
		got  *osv.Record
		want *osv.Record
	}{
		{"CVE in two packages", find(v310, "ALPINE-CVE-2019-9517"), &osv.Record{
			ID: "ALPINE-CVE-2019-9517", Upstream: []string{"CVE-2019-9517"},
			Affected: []osv.Affected{
				affected("Alpine:v3.10", "apache2", "2.4.41-r0"),
				affected("Alpine:v3.10", "nodejs", "10.16.3-r0"),
			},
			References: []osv.Reference{{Type: "ADVISORY", URL: "https://security.alpinelinux.org/vuln/CVE-2019-9517"}},
		}},
		{"CVE with XSA", find(v310, "ALPINE-CVE-2016-9932"), &osv.Record{
			ID: "ALPINE-CVE-2016-9932", Upstream: []string{"CVE-2016-9932", "XSA-200"},
			Affected:   []osv.Affected{affected("Alpine:v3.10", "xen", "4.7.1-r3")},
			References: []osv.Reference{{Type: "ADVISORY", URL: "https://security.alpinelinux.org/vuln/CVE-2016-9932"}},
		}},
		{"XSA only", find(v310, "ALPINE-XSA-207"), &osv.Record{
			ID: "ALPINE-XSA-207", Upstream: []string{"XSA-207"},
			Affected: []osv.Affected{affected("Alpine:v3.10", "xen", "4.7.1-r5")},
		}},
		{"patch suffix", find(v33, "ALPINE-CVE-2017-8073"), &osv.Record{
			ID: "ALPINE-CVE-2017-8073", Upstream: []string{"CVE-2017-8073"},
			Affected:   []osv.Affected{affected("Alpine:v3.3", "weechat", "1.3-r4")},
			References: []osv.Reference{{Type: "ADVISORY", URL: "https://security.alpinelinux.org/vuln/CVE-2017-8073"}},
		}},
		// db lists CVE-2016-0682 under "0": not affected on v3.8.
		{"zero key", find(v38, "ALPINE-CVE-2016-0682"), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestMergeSecDB(t *testing.T) {
	var all [][]*osv.Record
	union := map[tuple]bool{}
	for _, path := range secdbFiles(t, "json") {
		recs := parseFile(t, path)
		all = append(all, recs)
		for tp := range tuples(recs) {
			union[tp] = true
		}
	}
	merged := MergeSecDB(all...)
	if got := tuples(merged); !maps.Equal(union, got) {
		t.Errorf("merged entries differ from the union of the inputs (-want +got):\n%s", cmp.Diff(union, got))
	}
	n := 0
	for i, r := range merged {
		n += len(r.Affected)
		if i > 0 && merged[i-1].ID >= r.ID {
			t.Errorf("ids not sorted and unique at %s", r.ID)
		}
	}
	t.Logf("%d files merged into %d records with %d affected entries", len(all), len(merged), n)
	if n != len(union) {
		t.Errorf("%d affected entries, want %d", n, len(union))
	}
	// XSA-207 is fixed in xen on every branch v3.3–v3.11 (read from the files).
	want := &osv.Record{ID: "ALPINE-XSA-207", Upstream: []string{"XSA-207"}, Affected: []osv.Affected{
		affected("Alpine:v3.3", "xen", "4.6.3-r8"),
		affected("Alpine:v3.4", "xen", "4.6.3-r10"),
		affected("Alpine:v3.5", "xen", "4.7.1-r5"),
		affected("Alpine:v3.6", "xen", "4.7.1-r5"),
		affected("Alpine:v3.7", "xen", "4.7.1-r5"),
		affected("Alpine:v3.8", "xen", "4.7.1-r5"),
		affected("Alpine:v3.9", "xen", "4.7.1-r5"),
		affected("Alpine:v3.10", "xen", "4.7.1-r5"),
		affected("Alpine:v3.11", "xen", "4.7.1-r5"),
	}}
	if diff := cmp.Diff(want, find(merged, "ALPINE-XSA-207")); diff != "" {
		t.Errorf("merged XSA-207 (-want +got):\n%s", diff)
	}
	// Merging is deterministic and leaves its inputs alone.
	again := MergeSecDB(all...)
	if !reflect.DeepEqual(merged, again) {
		t.Errorf("second merge differs:\n%s", cmp.Diff(merged, again))
	}
}

func TestIssueIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"CVE-2019-9517", []string{"CVE-2019-9517"}},
		{"CVE-2016-9932 XSA-200", []string{"CVE-2016-9932", "XSA-200"}},
		{"CVE-2017-17434-1", []string{"CVE-2017-17434"}},
		{"CVE_2019-2426", []string{"CVE-2019-2426"}},
		{"CVE-2017-8073.patch", []string{"CVE-2017-8073"}},
		{"TALOS-2017-0488", []string{"TALOS-2017-0488"}},
		{"wnpa-sec-2017-18", []string{"wnpa-sec-2017-18"}},
		{"CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)", []string{"CVE-2018-10103"}},
		{"CVE-????-?????", nil},
		{"CVE 2018-16859", nil},
		{"", nil},
		{"-", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, issueIDs(tt.in)); diff != "" {
			t.Errorf("issueIDs(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not json", "{"},
		{"no branch", `{"packages":[]}`},
		{"bad branch", `{"distroversion":"3.10","packages":[]}`},
		{"bad name", `{"distroversion":"v3.10","packages":[{"pkg":{"name":"a b","secfixes":{}}}]}`},
		{"wrong type", `{"distroversion":"v3.10","packages":[{"pkg":{"name":"a","secfixes":{"1-r0":"CVE-2020-1234"}}}]}`},
	}
	for _, tt := range tests {
		_, err := ParseSecDB(strings.NewReader(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want *ParseError", tt.name, err)
		}
	}
}

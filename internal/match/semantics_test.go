package match

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// rec writes a one-package OSV record; ranges and versions are JSON.
func rec(id, eco, name, ranges, versions string) string {
	return fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":%q,"name":%q},"ranges":%s,"versions":%s}]}`,
		id, eco, name, ranges, versions)
}

func semverRange(events ...string) string {
	return `[{"type":"SEMVER","events":[` + strings.Join(events, ",") + `]}]`
}

// outcome summarises a package's match for table comparison.
type outcome struct {
	IDs      []string
	Ranges   []string
	FixedIn  string
	FixState model.FixState
}

func outcomeOf(vulns []model.Vulnerability) outcome {
	o := outcome{IDs: ids(vulns)}
	for _, v := range vulns {
		for _, e := range v.Evidence {
			o.Ranges = append(o.Ranges, e.Range)
		}
		if v.FixedIn != nil {
			o.FixedIn = *v.FixedIn
		}
		o.FixState = v.FixState
	}
	return o
}

func TestOSVSemantics(t *testing.T) {
	const (
		in0   = `{"introduced":"0"}`
		in1   = `{"introduced":"1.0.0"}`
		in3   = `{"introduced":"3.0.0"}`
		fx102 = `{"fixed":"1.0.2"}`
		fx325 = `{"fixed":"3.2.5"}`
	)
	twoPairsUnsorted := rec("X-2", "npm", "pkg", semverRange(fx325, in3, fx102, in1), "[]")
	tests := []struct {
		name    string
		records []string
		version string
		want    outcome
	}{
		{"introduced 0 fixed: inside", []string{rec("X-1", "npm", "pkg", semverRange(in0, fx102), "[]")}, "1.0.1",
			outcome{IDs: []string{"X-1"}, Ranges: []string{"[introduced 0, fixed 1.0.2)"}, FixedIn: "1.0.2", FixState: model.FixStateFixed}},
		{"introduced 0 fixed: at fix", []string{rec("X-1", "npm", "pkg", semverRange(in0, fx102), "[]")}, "1.0.2",
			outcome{IDs: []string{}}},
		{"introduced 0 fixed: prerelease of fix is below it", []string{rec("X-1", "npm", "pkg", semverRange(in0, fx102), "[]")}, "1.0.2-rc.1",
			outcome{IDs: []string{"X-1"}, Ranges: []string{"[introduced 0, fixed 1.0.2)"}, FixedIn: "1.0.2", FixState: model.FixStateFixed}},
		{"two pairs unsorted: below first", []string{twoPairsUnsorted}, "0.9.0", outcome{IDs: []string{}}},
		{"two pairs unsorted: at first introduced", []string{twoPairsUnsorted}, "1.0.0",
			outcome{IDs: []string{"X-2"}, Ranges: []string{"[introduced 1.0.0, fixed 1.0.2)"}, FixedIn: "1.0.2", FixState: model.FixStateFixed}},
		{"two pairs unsorted: between pairs", []string{twoPairsUnsorted}, "2.0.0", outcome{IDs: []string{}}},
		{"two pairs unsorted: second pair", []string{twoPairsUnsorted}, "3.2.4",
			outcome{IDs: []string{"X-2"}, Ranges: []string{"[introduced 3.0.0, fixed 3.2.5)"}, FixedIn: "3.2.5", FixState: model.FixStateFixed}},
		{"two pairs unsorted: above all", []string{twoPairsUnsorted}, "3.2.5", outcome{IDs: []string{}}},
		{"last_affected: at it", []string{rec("X-3", "npm", "pkg", semverRange(in0, `{"last_affected":"2.1.214"}`), "[]")}, "2.1.214",
			outcome{IDs: []string{"X-3"}, Ranges: []string{"[introduced 0, last_affected 2.1.214]"}, FixState: model.FixStateUnknown}},
		{"last_affected: above it", []string{rec("X-3", "npm", "pkg", semverRange(in0, `{"last_affected":"2.1.214"}`), "[]")}, "2.1.215",
			outcome{IDs: []string{}}},
		{"fixed: same version is not affected", []string{rec("X-4", "npm", "pkg", semverRange(in0, `{"fixed":"2.1.214"}`), "[]")}, "2.1.214",
			outcome{IDs: []string{}}},
		{"no fix: everything from introduced", []string{rec("X-5", "npm", "pkg", semverRange(in1), "[]")}, "9.9.9",
			outcome{IDs: []string{"X-5"}, Ranges: []string{"[introduced 1.0.0, no fix)"}, FixState: model.FixStateNotFixed}},
		{"no fix: below introduced", []string{rec("X-5", "npm", "pkg", semverRange(in1), "[]")}, "0.1.0", outcome{IDs: []string{}}},
		{"limit: below limit", []string{rec("X-6", "npm", "pkg", semverRange(in1, `{"limit":"2.0.0"}`), "[]")}, "1.5.0",
			outcome{IDs: []string{"X-6"}, Ranges: []string{"[introduced 1.0.0, no fix) limit 2.0.0"}, FixState: model.FixStateNotFixed}},
		{"limit: at limit", []string{rec("X-6", "npm", "pkg", semverRange(in1, `{"limit":"2.0.0"}`), "[]")}, "2.0.0", outcome{IDs: []string{}}},
		{"limit: either of two limits", []string{rec("X-6", "npm", "pkg", semverRange(`{"limit":"1.2.0"}`, in0, `{"limit":"5.0.0"}`), "[]")}, "4.0.0",
			outcome{IDs: []string{"X-6"}, Ranges: []string{"[introduced 0, no fix) limit 1.2.0 5.0.0"}, FixState: model.FixStateNotFixed}},
		{"versions list: listed", []string{rec("X-7", "npm", "pkg", "[]", `["1.2.5","1.2.3"]`)}, "1.2.3",
			outcome{IDs: []string{"X-7"}, Ranges: []string{"listed in versions"}, FixState: model.FixStateUnknown}},
		{"versions list: not listed", []string{rec("X-7", "npm", "pkg", "[]", `["1.2.5","1.2.3"]`)}, "1.2.4", outcome{IDs: []string{}}},
		{"GIT range skipped, next range used", []string{rec("X-8", "npm", "pkg",
			`[{"type":"GIT","repo":"https://example.com/r","events":[{"introduced":"abc"},{"fixed":"def"}]},{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]`, "[]")}, "1.0.0",
			outcome{IDs: []string{"X-8"}, Ranges: []string{"[introduced 0, fixed 2.0.0)"}, FixedIn: "2.0.0", FixState: model.FixStateFixed}},
		{"GIT range only with versions list", []string{rec("X-9", "npm", "pkg",
			`[{"type":"GIT","repo":"https://example.com/r","events":[{"introduced":"abc"}]}]`, `["1.0.0"]`)}, "1.0.0",
			outcome{IDs: []string{"X-9"}, Ranges: []string{"listed in versions"}, FixState: model.FixStateUnknown}},
		{"invalid event version skips only its range", []string{rec("X-10", "npm", "pkg",
			`[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"not a version"}]},{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.1.0"}]}]`, "[]")}, "1.0.5",
			outcome{IDs: []string{"X-10"}, Ranges: []string{"[introduced 1.0.0, fixed 1.1.0)"}, FixedIn: "1.1.0", FixState: model.FixStateFixed}},
		{"several ranges: second matches", []string{rec("X-11", "npm", "pkg",
			`[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]},{"type":"SEMVER","events":[{"introduced":"2.0.0"},{"fixed":"2.0.1"}]}]`, "[]")}, "2.0.0",
			outcome{IDs: []string{"X-11"}, Ranges: []string{"[introduced 2.0.0, fixed 2.0.1)"}, FixedIn: "2.0.1", FixState: model.FixStateFixed}},
		{"several affected entries for one package", []string{`{"id":"X-12","modified":"2024-01-01T00:00:00Z","affected":[
			{"package":{"ecosystem":"npm","name":"pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]},
			{"package":{"ecosystem":"npm","name":"other"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]},
			{"package":{"ecosystem":"npm","name":"pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"5.0.0"},{"fixed":"5.1.0"}]}]}]}`}, "5.0.3",
			outcome{IDs: []string{"X-12"}, Ranges: []string{"[introduced 5.0.0, fixed 5.1.0)"}, FixedIn: "5.1.0", FixState: model.FixStateFixed}},
		{"withdrawn record ignored", []string{`{"id":"X-13","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z","affected":[
			{"package":{"ecosystem":"npm","name":"pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`}, "1.0.0", outcome{IDs: []string{}}},
		{"other ecosystem same name ignored", []string{rec("X-14", "PyPI", "pkg", `[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]`, "[]")}, "1.0.0",
			outcome{IDs: []string{}}},
		{"introduced and fixed at the same version: empty", []string{rec("X-15", "npm", "pkg", semverRange(`{"fixed":"1.0.0"}`, `{"introduced":"1.0.0"}`), "[]")}, "1.0.0",
			outcome{IDs: []string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := buildJSON(t, tc.records...)
			p := model.Package{Ecosystem: model.EcosystemNPM, Name: "pkg", Version: tc.version}
			vulns, err := ix.MatchPackage(context.Background(), &p, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := outcomeOf(vulns)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidEventVersionIsAnIssue(t *testing.T) {
	ix := buildJSON(t, rec("X-10", "npm", "pkg", semverRange(`{"introduced":"0"}`, `{"fixed":"not a version"}`), "[]"))
	issues := ix.Issues()
	if len(issues) != 1 || issues[0].Record != "X-10" || issues[0].Package != "pkg" {
		t.Fatalf("issues = %+v, want one for X-10/pkg", issues)
	}
}

func TestUnparsableInstalledVersion(t *testing.T) {
	ix := buildJSON(t,
		rec("X-1", "npm", "pkg", semverRange(`{"introduced":"0"}`), "[]"),
		rec("X-2", "npm", "pkg", "[]", `["weird~version"]`))
	p := model.Package{Ecosystem: model.EcosystemNPM, Name: "pkg", Version: "weird~version"}
	vulns, err := ix.MatchPackage(context.Background(), &p, nil, Options{})
	var verr *VersionError
	if !errors.As(err, &verr) || verr.Package != "pkg" {
		t.Fatalf("err = %v, want *VersionError", err)
	}
	if diff := cmp.Diff([]string{"X-2"}, ids(vulns)); diff != "" {
		t.Errorf("versions list must still match (-want +got):\n%s", diff)
	}
	inv := &model.Inventory{Packages: []model.Package{p}}
	ms, err := ix.Match(context.Background(), inv, Options{})
	var perr *PartialError
	if !errors.As(err, &perr) || len(perr.Issues) != 1 || len(ms) != 1 {
		t.Fatalf("Match = %d results, %v; want 1 result and a *PartialError", len(ms), err)
	}
}

func TestRecordNotMutated(t *testing.T) {
	const r = `{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"pkg"},
		"ranges":[{"type":"SEMVER","events":[{"fixed":"2.0.0"},{"introduced":"1.0.0"}]}],"versions":["1.5.0","1.0.0"]}]}`
	rec, err := parseOne(r)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := parseOne(r)
	seq := func(yield func(*osvRecord, error) bool) { yield(rec, nil) }
	if _, err := Build(context.Background(), "s", seq, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, rec); diff != "" {
		t.Errorf("Build modified the record (-before +after):\n%s", diff)
	}
}

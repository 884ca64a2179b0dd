package finding_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
)

func ptr[T any](v T) *T { return &v }

func TestScore(t *testing.T) {
	net31 := model.CVSS{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "nvd"}
	local31 := model.CVSS{Version: "3.1", Vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", BaseScore: 7.8, Source: "osv"}
	v4 := model.CVSS{Version: "4.0", Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", BaseScore: 10, Source: "osv"}
	v2 := model.CVSS{Version: "2.0", Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", BaseScore: 7.5, Source: "nvd"}
	kev := &model.KEV{CVE: "CVE-1", DateAdded: "2024-05-01"}
	kevAdj := model.ScoreAdjustment{Metric: "exploitability", Reason: "listed in CISA KEV since 2024-05-01", Delta: finding.KEVBoost}
	epssAdj := model.ScoreAdjustment{Metric: "epss", Reason: "EPSS 0.92 ≥ 0.5: exploitation likely", Delta: finding.EPSSBoost}
	netAdj := model.ScoreAdjustment{Metric: "attackVector", Reason: "attack vector NETWORK but no open network path to the resource", Delta: -finding.UnexposedPenalty}
	tests := []struct {
		name string
		v    model.Vulnerability
		sc   finding.ScoreContext
		want *model.ScoreDetails
	}{
		{"no CVSS", model.Vulnerability{KEV: kev}, finding.ScoreContext{}, nil},
		{"highest v3", model.Vulnerability{CVSS: []model.CVSS{local31, net31}}, finding.ScoreContext{},
			&model.ScoreDetails{Base: 9.8, Version: "3.1", Vector: net31.Vector, Source: "nvd", Score: 9.8}},
		{"v3 preferred over a higher v4", model.Vulnerability{CVSS: []model.CVSS{v4, local31}}, finding.ScoreContext{},
			&model.ScoreDetails{Base: 7.8, Version: "3.1", Vector: local31.Vector, Source: "osv", Score: 7.8}},
		{"v2 alone", model.Vulnerability{CVSS: []model.CVSS{v2}}, finding.ScoreContext{},
			&model.ScoreDetails{Base: 7.5, Version: "2.0", Vector: v2.Vector, Source: "nvd", Score: 7.5}},
		{"KEV and EPSS raise", model.Vulnerability{CVSS: []model.CVSS{local31}, KEV: kev, EPSS: &model.EPSS{Score: 0.92}}, finding.ScoreContext{},
			&model.ScoreDetails{Base: 7.8, Version: "3.1", Vector: local31.Vector, Source: "osv", Score: 9.3, Adjustments: []model.ScoreAdjustment{kevAdj, epssAdj}}},
		{"EPSS below the threshold", model.Vulnerability{CVSS: []model.CVSS{local31}, EPSS: &model.EPSS{Score: 0.49}}, finding.ScoreContext{},
			&model.ScoreDetails{Base: 7.8, Version: "3.1", Vector: local31.Vector, Source: "osv", Score: 7.8}},
		{"capped at 10", model.Vulnerability{CVSS: []model.CVSS{net31}, KEV: kev}, finding.ScoreContext{},
			&model.ScoreDetails{Base: 9.8, Version: "3.1", Vector: net31.Vector, Source: "nvd", Score: 10, Adjustments: []model.ScoreAdjustment{kevAdj}}},
		{"network vector, not exposed", model.Vulnerability{CVSS: []model.CVSS{net31}}, finding.ScoreContext{NetworkExposed: ptr(false)},
			&model.ScoreDetails{Base: 9.8, Version: "3.1", Vector: net31.Vector, Source: "nvd", Score: 8.8, Adjustments: []model.ScoreAdjustment{netAdj}}},
		{"network vector, exposed", model.Vulnerability{CVSS: []model.CVSS{net31}}, finding.ScoreContext{NetworkExposed: ptr(true)},
			&model.ScoreDetails{Base: 9.8, Version: "3.1", Vector: net31.Vector, Source: "nvd", Score: 9.8}},
		{"local vector, not exposed", model.Vulnerability{CVSS: []model.CVSS{local31}}, finding.ScoreContext{NetworkExposed: ptr(false)},
			&model.ScoreDetails{Base: 7.8, Version: "3.1", Vector: local31.Vector, Source: "osv", Score: 7.8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, finding.Score(&tc.v, tc.sc)); diff != "" {
				t.Errorf("Score (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKey(t *testing.T) {
	pkg := func(mod func(o *model.Observation)) model.Observation {
		o := model.Observation{Type: model.FindingPackageVulnerability, CheckID: "CVE-2021-23337",
			Package: &model.PackageDetail{Package: model.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.20", Path: "/app/package-lock.json"}}}
		if mod != nil {
			mod(&o)
		}
		return o
	}
	base := pkg(nil)
	baseID := finding.ID("acct-1", "res-1", &base)
	if !strings.HasPrefix(string(baseID), "fnd-") || len(baseID.Hex()) != 32 {
		t.Fatalf("ID = %q, want fnd- and 32 hex digits", baseID)
	}
	// Golden: ids are stored, so the derivation must never change (it
	// changed once before the first release, to group a vulnerability's
	// findings: docs/ARCHITECTURE.md).
	if want := model.FindingID("fnd-1cb9e5a19889836c73fb8bdb161b1a46"); baseID != want {
		t.Errorf("ID = %s, want %s: the derivation changed, and every stored finding would be closed and created anew", baseID, want)
	}
	tests := []struct {
		name string
		acct model.AccountID
		res  model.ResourceID
		obs  model.Observation
		same bool
	}{
		{"identical", "acct-1", "res-1", pkg(nil), true},
		{"title and severity are not identity", "acct-1", "res-1", pkg(func(o *model.Observation) { o.Title, o.Severity = "x", model.SeverityLow }), true},
		{"another account", "acct-2", "res-1", pkg(nil), false},
		{"another resource", "acct-1", "res-2", pkg(nil), false},
		{"another advisory", "acct-1", "res-1", pkg(func(o *model.Observation) { o.CheckID = "CVE-2020-8203" }), false},
		{"another ecosystem", "acct-1", "res-1", pkg(func(o *model.Observation) { o.Package.Package.Ecosystem = "PyPI" }), false},
		{"another name", "acct-1", "res-1", pkg(func(o *model.Observation) { o.Package.Package.Name = "lodash-es" }), false},
		{"another version", "acct-1", "res-1", pkg(func(o *model.Observation) { o.Package.Package.Version = "4.17.19" }), false},
		{"another path", "acct-1", "res-1", pkg(func(o *model.Observation) { o.Package.Package.Path = "/b/package-lock.json" }), false},
		{"another type", "acct-1", "res-1", pkg(func(o *model.Observation) { o.Type = model.FindingCodeVulnerability }), false},
		{"separators cannot be forged", "acct-1", "res-1", pkg(func(o *model.Observation) {
			o.Package.Package.Name, o.Package.Package.Version = "lodash\x004.17.20", ""
		}), false},
		{"length prefixes cannot be forged", "acct-1", "res-1", pkg(func(o *model.Observation) {
			o.Package.Package.Name, o.Package.Package.Version = "lodash7:4.17.20", ""
		}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := finding.ID(tc.acct, tc.res, &tc.obs)
			if (id == baseID) != tc.same {
				t.Errorf("ID %s vs base %s: same = %v, want %v", id, baseID, id == baseID, tc.same)
			}
			// The first 8 digits group the findings of one vulnerability.
			sameCheck := tc.obs.Type == base.Type && tc.obs.CheckID == base.CheckID
			if got := id.Hex()[:8] == baseID.Hex()[:8]; got != sameCheck {
				t.Errorf("ID %s vs base %s: same prefix = %v, want %v", id, baseID, got, sameCheck)
			}
		})
	}
	n1 := model.Observation{Type: model.FindingNetworkReachability, CheckID: "port", Network: &model.NetworkDetail{Protocol: "TCP", Ports: model.PortRange{Begin: 22, End: 22}}}
	n2 := n1
	n2.Network = &model.NetworkDetail{Protocol: "TCP", Ports: model.PortRange{Begin: 22, End: 23}}
	c1 := model.Observation{Type: model.FindingCodeVulnerability, CheckID: "CWE-798", Code: &model.CodeDetail{RuleID: "r", FilePath: "/a.js", StartLine: 3}}
	c2 := c1
	c2.Code = &model.CodeDetail{RuleID: "r", FilePath: "/a.js", StartLine: 4}
	if finding.Key("a", "r", &n1) == finding.Key("a", "r", &n2) || finding.Key("a", "r", &c1) == finding.Key("a", "r", &c2) {
		t.Error("network or code targets do not separate keys")
	}
}

func TestSplitImageRef(t *testing.T) {
	tests := []struct{ ref, repo, tag string }{
		{"registry.example.com/app:1.0", "registry.example.com/app", "1.0"},
		{"registry.example.com:5000/team/app:1.0@sha256:abc", "registry.example.com:5000/team/app", "1.0"},
		{"registry.example.com:5000/app", "registry.example.com:5000/app", ""},
		{"alpine@sha256:abc", "alpine", ""},
		{"alpine", "alpine", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		repo, tag := finding.SplitImageRef(tc.ref)
		if diff := cmp.Diff([2]string{tc.repo, tc.tag}, [2]string{repo, tag}); diff != "" {
			t.Errorf("SplitImageRef(%q) (-want +got):\n%s", tc.ref, diff)
		}
	}
}

func TestResourceRef(t *testing.T) {
	r := model.Resource{ID: "res-1", AccountID: "a", Type: model.ResourceImage, Name: "reg.example/app:2.1", Digest: "sha256:d", Tags: map[string]string{"Env": "Prod"}}
	want := model.FindingResource{ID: "res-1", Type: model.ResourceImage, Name: "reg.example/app:2.1", Digest: "sha256:d",
		Tags: map[string]string{"Env": "Prod"}, ImageRepository: "reg.example/app", ImageTag: "2.1"}
	got := finding.ResourceRef(&r)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ResourceRef (-want +got):\n%s", diff)
	}
	r.Tags["Env"] = "Dev"
	if got.Tags["Env"] != "Prod" {
		t.Error("ResourceRef shares the tag map with the resource")
	}
}

func TestFilterMatches(t *testing.T) {
	f := model.Finding{ID: "fnd-1", Severity: model.SeverityHigh, Status: model.StatusActive, Title: "CVE-1 - lodash",
		Score: ptr(7.5), ScoreDetails: &model.ScoreDetails{Base: 7.5, Score: 7.5},
		Resource: model.FindingResource{Tags: map[string]string{"Env": "Prod"}},
		Package:  &model.PackageVulnerabilityDetails{VulnerablePackages: []model.VulnerablePackage{{Name: "lodash", Version: "4.17.20"}}}}
	eq := func(v string) model.StringFilter {
		return model.StringFilter{Comparison: model.CompareEquals, Value: v}
	}
	ne := func(v string) model.StringFilter {
		return model.StringFilter{Comparison: model.CompareNotEquals, Value: v}
	}
	pre := func(v string) model.StringFilter {
		return model.StringFilter{Comparison: model.ComparePrefix, Value: v}
	}
	tests := []struct {
		name string
		fl   model.FindingFilter
		want bool
	}{
		{"empty", model.FindingFilter{}, true},
		{"equals", model.FindingFilter{Severity: []model.StringFilter{eq("HIGH")}}, true},
		{"equals ored", model.FindingFilter{Severity: []model.StringFilter{eq("LOW"), eq("HIGH")}}, true},
		{"equals miss", model.FindingFilter{Severity: []model.StringFilter{eq("LOW")}}, false},
		{"not equals anded", model.FindingFilter{Severity: []model.StringFilter{ne("LOW"), ne("HIGH")}}, false},
		{"prefix and not equals", model.FindingFilter{PackageName: []model.StringFilter{pre("lod"), ne("lodash-es")}}, true},
		{"criteria anded", model.FindingFilter{Severity: []model.StringFilter{eq("HIGH")}, Status: []model.StringFilter{eq("CLOSED")}}, false},
		{"score range", model.FindingFilter{Score: []model.NumberFilter{{Min: ptr(7.5), Max: ptr(7.5)}}}, true},
		{"no EPSS never in range", model.FindingFilter{EPSS: []model.NumberFilter{{Max: ptr(1.0)}}}, false},
		{"tag", model.FindingFilter{ResourceTags: []model.MapFilter{{Comparison: model.CompareEquals, Key: "Env", Value: "Prod"}}}, true},
		{"tag miss", model.FindingFilter{ResourceTags: []model.MapFilter{{Comparison: model.CompareEquals, Key: "Env", Value: "Dev"}}}, false},
	}
	for _, tc := range tests {
		if got := tc.fl.Matches(&f); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

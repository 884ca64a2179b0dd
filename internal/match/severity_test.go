package match

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func TestScoreVector(t *testing.T) {
	// Scores published with the CVSS specifications' examples and NVD.
	tests := []struct {
		typ, vec string
		want     model.CVSS
		ok       bool
	}{
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", model.CVSS{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "osv"}, true},
		{"CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", model.CVSS{Version: "3.0", Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "osv"}, true},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:N/A:N", model.CVSS{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:N/A:N", BaseScore: 3.4, Source: "osv"}, true},
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", model.CVSS{Version: "2.0", Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", BaseScore: 7.5, Source: "osv"}, true},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", model.CVSS{Version: "4.0", Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", BaseScore: 9.3, Source: "osv"}, true},
		{"CVSS_V3", "CVSS:3.1/AV:X", model.CVSS{Vector: "CVSS:3.1/AV:X", Source: "osv"}, false},
		{"CVSS_V3", "garbage", model.CVSS{Vector: "garbage", Source: "osv"}, false},
	}
	for _, tc := range tests {
		got, ok := scoreVector(tc.typ, tc.vec)
		if ok != tc.ok {
			t.Errorf("scoreVector(%q) ok = %v, want %v", tc.vec, ok, tc.ok)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("scoreVector(%q) (-want +got):\n%s", tc.vec, diff)
		}
	}
}

func TestBestVectorPrefersHigherVersion(t *testing.T) {
	cs := []model.CVSS{{Version: "2.0", BaseScore: 10}, {Version: "3.1", BaseScore: 5.3}, {Version: "3.0", BaseScore: 9.8}}
	b, ok := best(cs)
	if !ok || b.Version != "3.1" || b.BaseScore != 5.3 {
		t.Errorf("best = %+v, want the 3.1 vector", b)
	}
}

func TestVendorSeverityWords(t *testing.T) {
	tests := map[string]model.Severity{
		"critical": model.SeverityCritical, "Important": model.SeverityHigh, "high": model.SeverityHigh,
		"Moderate": model.SeverityMedium, "medium": model.SeverityMedium, "low": model.SeverityLow,
		"negligible": model.SeverityLow, "unimportant": model.SeverityLow, "low**": model.SeverityLow,
		"not yet assigned": "", "untriaged": "", "": "",
	}
	for in, want := range tests {
		if got := vendorSeverity(in); got != want {
			t.Errorf("vendorSeverity(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNVDFallbackAndEPSS(t *testing.T) {
	ix := sharedIndex(t)
	ctx := context.Background()
	// PYSEC-2022-257 (CVE-2022-34668) carries no vector; NVD rates it 9.8.
	p := model.Package{Ecosystem: "PyPI", Name: "nvflare", Version: "2.1.3"}
	vulns, err := ix.MatchPackage(ctx, &p, nil, Options{SkipDetails: true})
	if err != nil {
		t.Fatal(err)
	}
	v := find(t, vulns, "CVE-2022-34668")
	want := []model.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "nvd"}}
	if diff := cmp.Diff(want, v.CVSS); diff != "" {
		t.Errorf("CVSS (-want +got):\n%s", diff)
	}
	if v.Severity != model.SeverityCritical || v.SeveritySource != SourceNVDCVSS {
		t.Errorf("severity %s from %s, want CRITICAL from %s", v.Severity, v.SeveritySource, SourceNVDCVSS)
	}
	// The record's own vector wins over NVD's: PYSEC-2023-212 (urllib3).
	u := model.Package{Ecosystem: "PyPI", Name: "urllib3", Version: "2.0.6"}
	vulns, err = ix.MatchPackage(ctx, &u, nil, Options{SkipDetails: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := find(t, vulns, "CVE-2023-45803"); v.SeveritySource != SourceOSVCVSS || len(v.CVSS) == 0 || v.CVSS[0].Source != "osv" {
		t.Errorf("CVE-2023-45803 rated from %s with %d vectors, want the record's own vector (NVD gives the same one)", v.SeveritySource, len(v.CVSS))
	}
}

func TestUbuntuPro(t *testing.T) {
	ix := buildJSON(t, `{"id":"UBUNTU-CVE-2024-9","modified":"2024-01-01T00:00:00Z","affected":[
	  {"package":{"ecosystem":"Ubuntu:Pro:18.04:LTS","name":"zlib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:1.2.11.dfsg-0ubuntu2.2+esm1"}]}]}]}`)
	os := &model.OS{Ecosystem: model.EcosystemUbuntu, Release: "18.04:LTS"}
	p := model.Package{Ecosystem: "Ubuntu", Name: "zlib1g", SourceName: "zlib", Version: "1:1.2.11.dfsg-0ubuntu2"}
	for _, pro := range []bool{false, true} {
		vulns, err := ix.MatchPackage(context.Background(), &p, os, Options{UbuntuPro: pro})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(vulns) == 1; got != pro {
			t.Errorf("UbuntuPro=%v: %d vulnerabilities", pro, len(vulns))
		}
	}
}

package match

import (
	"context"
	"slices"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
)

// TestOwnedByOSNotMatched: idna 3.3 as Debian's python3-idna installs it
// (/usr/lib/python3/dist-packages/idna-3.3.egg-info/PKG-INFO, Debian 12) is
// affected by the real PyPI record of CVE-2024-3651 until the index stage
// marks it as owned by the dpkg package; then neither Match nor
// MatchPackage match it against PyPI.
func TestOwnedByOSNotMatched(t *testing.T) {
	ix := sharedIndex(t)
	os := &model.OS{ID: "debian", VersionID: "12", Ecosystem: model.EcosystemDebian, Release: "12"}
	p := model.Package{Ecosystem: model.EcosystemPyPI, Name: "idna", Version: "3.3", PURL: "pkg:pypi/idna@3.3",
		Manager: model.ManagerPython, Path: "/usr/lib/python3/dist-packages/idna-3.3.egg-info/PKG-INFO"}
	vulns, err := ix.MatchPackage(context.Background(), &p, os, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(vulns, func(v model.Vulnerability) bool {
		return v.ID == "CVE-2024-3651" || slices.Contains(v.Aliases, "CVE-2024-3651")
	}) {
		t.Fatalf("unowned idna 3.3 not affected by CVE-2024-3651: %v", ids(vulns))
	}
	owned := p
	owned.OwnedBy = "python3-idna"
	if vulns, err := ix.MatchPackage(context.Background(), &owned, os, Options{}); err != nil || len(vulns) != 0 {
		t.Errorf("owned idna matched: %v %v", ids(vulns), err)
	}
	inv := &model.Inventory{Target: model.Target{Kind: model.TargetFS}, OS: os, Packages: []model.Package{owned, p}}
	ms, err := ix.Match(context.Background(), inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Package.OwnedBy != "" {
		t.Errorf("Match: %d matches, want only the unowned package: %+v", len(ms), ms)
	}
}

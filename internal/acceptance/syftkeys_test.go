package acceptance

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// TestSyftDifferencesFileIsWellFormed reads the differences file without
// the corpus or syft: every entry is complete and names known targets.
func TestSyftDifferencesFileIsWellFormed(t *testing.T) {
	if n := len(readSyftDifferences(t)); n == 0 {
		t.Fatalf("%s lists nothing", syftDifferencesFile)
	}
}

// TestSyftComparisonKeys checks the comparison itself on a small made-up
// pair of results, so that a difference cannot hide behind a key that is
// too loose or show up through one that is too strict.
func TestSyftComparisonKeys(t *testing.T) {
	art := func(typ, name, version, purl string) syftArtifact {
		return syftArtifact{Type: typ, Name: name, Version: version, PURL: purl}
	}
	doc := &syftDoc{Artifacts: []syftArtifact{
		art("deb", "libc6", "2.36-9+deb12u13", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u13?arch=amd64&distro=debian-12"),
		art("deb", "zlib1g", "1:1.2.13.dfsg-1", "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12"),
		art("go-module", "stdlib", "go1.26.8", "pkg:golang/stdlib@1.26.8"),
		art("go-module", "example.com/goapp", "UNKNOWN", "pkg:golang/example.com/goapp"),
		art("python", "PyYAML", "6.0", "pkg:pypi/PyYAML@6.0"),
		art("npm", "@babel/core", "7.0.0", "pkg:npm/%40babel/core@7.0.0"),
		art("java-archive", "bson", "3.6.3", "pkg:maven/org.mongodb.bson/bson@3.6.3"),
		art("java-archive", "gson", "2.10", "pkg:maven/com.google.code.gson/gson@2.10"),
		art("java-archive", "gson", "2.10", "pkg:maven/com.google.code.gson/gson@2.10"), // a second location
	}}
	pkg := func(eco model.Ecosystem, m model.PackageManager, name, version, purl string) model.Package {
		return model.Package{Ecosystem: eco, Manager: m, Name: name, Version: version, PURL: purl}
	}
	inv := &model.Inventory{Packages: []model.Package{
		pkg(model.EcosystemDebian, model.ManagerOS, "libc6", "2.36-9+deb12u13", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u13?arch=amd64"),
		pkg(model.EcosystemGo, model.ManagerGoBinary, "stdlib", "1.26.8", "pkg:golang/stdlib@1.26.8"),
		pkg(model.EcosystemPyPI, model.ManagerPython, "pyyaml", "6.0", "pkg:pypi/pyyaml@6.0"),
		pkg(model.EcosystemNPM, model.ManagerNodePkg, "@babel/core", "7.0.0", "pkg:npm/%40babel/core@7.0.0"),
		pkg(model.EcosystemMaven, model.ManagerJar, "org.mongodb:bson", "3.6.3", "pkg:maven/org.mongodb/bson@3.6.3"),
		pkg(model.EcosystemMaven, model.ManagerJar, "com.google.code.gson:gson", "2.10", "pkg:maven/com.google.code.gson/gson@2.10"),
		pkg(model.EcosystemMaven, model.ManagerJar, "com.google.code.gson:gson", "2.10", "pkg:maven/com.google.code.gson/gson@2.10"),
	}}
	got := compareWithSyft(t, "x", doc, inv)
	want := []diffKey{
		{"x", "Debian", "zlib1g 1:1.2.13.dfsg-1", "syft"},
		{"x", "Go", "example.com/goapp", "syft"},
		{"x", "Maven", "org.mongodb.bson/bson@3.6.3", "syft"},
		{"x", "Maven", "org.mongodb/bson@3.6.3", "vigil"},
	}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(diffKey{})); d != "" {
		t.Errorf("differences (-want +got):\n%s", d)
	}
}

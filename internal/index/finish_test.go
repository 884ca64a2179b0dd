package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func TestDedupe(t *testing.T) {
	lock := func(name, version, path string, dev bool) model.Package {
		return model.Package{Ecosystem: model.EcosystemNPM, Name: name, Version: version, Path: path,
			Manager: model.ManagerNPM, Extractor: "javascript/packagelock", Dev: dev}
	}
	inst := func(name, version, path string) model.Package {
		return model.Package{Ecosystem: model.EcosystemNPM, Name: name, Version: version, Path: path,
			Manager: model.ManagerNodePkg, Extractor: "javascript/nodepackage"}
	}
	deb := func(name, layer, license string) model.Package {
		p := model.Package{Ecosystem: "Debian", Name: name, Version: "1", Path: "/var/lib/dpkg/status",
			Manager: "dpkg", Extractor: "os/dpkg", Layer: layer}
		if license != "" {
			p.Licenses = []string{license}
		}
		return p
	}
	installedDev := inst("a", "1.0.0", "/app/node_modules/a/package.json")
	installedDev.Dev = true
	tests := []struct {
		name string
		in   []model.Package
		want []model.Package
	}{
		{"sorted by path, name, version",
			[]model.Package{lock("b", "1.0.0", "/z/package-lock.json", false), lock("b", "0.9.0", "/app/package-lock.json", false), lock("a", "2.0.0", "/app/package-lock.json", false)},
			[]model.Package{lock("a", "2.0.0", "/app/package-lock.json", false), lock("b", "0.9.0", "/app/package-lock.json", false), lock("b", "1.0.0", "/z/package-lock.json", false)}},
		{"lockfile entry of an installed package dropped, its dev flag kept",
			[]model.Package{lock("a", "1.0.0", "/app/package-lock.json", true), inst("a", "1.0.0", "/app/node_modules/a/package.json"), lock("b", "1.0.0", "/app/package-lock.json", false)},
			[]model.Package{installedDev, lock("b", "1.0.0", "/app/package-lock.json", false)}},
		{"another project's lockfile keeps its entry",
			[]model.Package{lock("a", "1.0.0", "/other/package-lock.json", false), inst("a", "1.0.0", "/app/node_modules/a/package.json")},
			[]model.Package{inst("a", "1.0.0", "/app/node_modules/a/package.json"), lock("a", "1.0.0", "/other/package-lock.json", false)}},
		{"exact duplicates: the first kept; other layers are not duplicates",
			[]model.Package{deb("x", "sha256:1", "MIT"), deb("y", "sha256:1", ""), deb("x", "sha256:2", ""), deb("x", "sha256:1", "GPL"), deb("y", "sha256:1", "")},
			[]model.Package{deb("x", "sha256:1", "MIT"), deb("x", "sha256:2", ""), deb("y", "sha256:1", "")}},
		{"empty", []model.Package{}, []model.Package{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dedupe(append([]model.Package{}, tt.in...))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

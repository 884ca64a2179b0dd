package index

import (
	"cmp"
	"slices"

	"github.com/vigilsec/vigil/internal/extract/apk"
	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/extract/npm"
	"github.com/vigilsec/vigil/internal/extract/osinfo"
	"github.com/vigilsec/vigil/internal/extract/rpm"
	"github.com/vigilsec/vigil/internal/model"
)

// detectOS runs osinfo.Detect over the squashed release files; nil when
// there are none.
func detectOS(files map[string][]byte) *model.OS {
	if len(files) == 0 {
		return nil
	}
	return osinfo.Detect(files)
}

// qualify completes distribution packages with the detected OS.
func qualify(pkgs []model.Package, os *model.OS) {
	if os == nil {
		return
	}
	for i := range pkgs {
		switch pkgs[i].Extractor {
		case dpkg.Name:
			dpkg.Qualify(&pkgs[i], os)
		case apk.Name:
			apk.Qualify(&pkgs[i], os)
		case rpm.Name:
			rpm.Qualify(&pkgs[i], os)
		}
	}
}

// lockManagers are the package managers of npm-style lockfiles.
var lockManagers = map[model.PackageManager]bool{
	model.ManagerNPM: true, model.ManagerYarn: true, model.ManagerPNPM: true,
}

// dedupe removes exact duplicates and the lockfile entries of packages
// also found installed under the same project's node_modules (the
// installed entry is kept and takes the lockfile's dev flag).
func dedupe(pkgs []model.Package) []model.Package {
	type key struct{ dir, name, version string }
	installed := map[key]int{}
	for i := range pkgs {
		p := &pkgs[i]
		if p.Ecosystem == model.EcosystemNPM && p.Manager == model.ManagerNodePkg {
			installed[key{npm.ProjectDir(p.Path), p.Name, p.Version}] = i
		}
	}
	seen := map[string]bool{}
	out := pkgs[:0:0]
	drop := make([]bool, len(pkgs))
	for i := range pkgs {
		p := &pkgs[i]
		if p.Ecosystem == model.EcosystemNPM && lockManagers[p.Manager] {
			if j, ok := installed[key{npm.ProjectDir(p.Path), p.Name, p.Version}]; ok {
				if p.Dev {
					pkgs[j].Dev = true
				}
				if len(pkgs[j].Licenses) == 0 {
					pkgs[j].Licenses = p.Licenses
				}
				drop[i] = true
			}
		}
	}
	for i := range pkgs {
		if drop[i] {
			continue
		}
		k := pkgs[i].Key() + "\x00" + pkgs[i].Layer + "\x00" + pkgs[i].Extractor + "\x00" + pkgs[i].Arch
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, pkgs[i])
	}
	return out
}

// sortPackages orders packages by path, ecosystem, name, version.
func sortPackages(pkgs []model.Package) {
	slices.SortStableFunc(pkgs, func(a, b model.Package) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Ecosystem, b.Ecosystem),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version),
			cmp.Compare(a.Arch, b.Arch),
		)
	})
}

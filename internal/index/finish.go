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

// dedupe drops the lockfile entries of packages also found installed
// under the same project's node_modules (the installed entry is kept and
// takes the lockfile's dev flag) and exact duplicates, and sorts the rest
// by path, ecosystem, name, version and arch (stable: of exact duplicates
// the first is kept). It works in place: no copies of the packages, no
// map of keys.
func dedupe(pkgs []model.Package) []model.Package {
	type key struct{ dir, name, version string }
	var installed map[key]int
	for i := range pkgs {
		p := &pkgs[i]
		if p.Ecosystem == model.EcosystemNPM && p.Manager == model.ManagerNodePkg {
			if installed == nil {
				installed = map[key]int{}
			}
			installed[key{npm.ProjectDir(p.Path), p.Name, p.Version}] = i
		}
	}
	var drop []bool
	for i := range pkgs {
		p := &pkgs[i]
		if installed != nil && p.Ecosystem == model.EcosystemNPM && lockManagers[p.Manager] {
			if j, ok := installed[key{npm.ProjectDir(p.Path), p.Name, p.Version}]; ok {
				if p.Dev {
					pkgs[j].Dev = true
				}
				if len(pkgs[j].Licenses) == 0 {
					pkgs[j].Licenses = p.Licenses
				}
				if drop == nil {
					drop = make([]bool, len(pkgs))
				}
				drop[i] = true
			}
		}
	}
	if drop != nil {
		out := pkgs[:0]
		for i := range pkgs {
			if !drop[i] {
				out = append(out, pkgs[i])
			}
		}
		clear(pkgs[len(out):])
		pkgs = out
	}
	sortPackages(pkgs)
	// Exact duplicates now sit in one run of equal sort keys.
	out := pkgs[:0]
	run := 0 // start of the current run in out
	for i := range pkgs {
		p := &pkgs[i]
		if n := len(out); n > 0 && !sameSortKey(&out[n-1], p) {
			run = n
		}
		if slices.ContainsFunc(out[run:], func(q model.Package) bool { return q.Layer == p.Layer && q.Extractor == p.Extractor }) {
			continue
		}
		out = append(out, *p)
	}
	clear(pkgs[len(out):])
	return out
}

// sameSortKey reports whether a and b are equal in sortPackages' order.
func sameSortKey(a, b *model.Package) bool {
	return a.Path == b.Path && a.Ecosystem == b.Ecosystem && a.Name == b.Name && a.Version == b.Version && a.Arch == b.Arch
}

// sortPackages orders packages by path, ecosystem, name, version, arch.
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

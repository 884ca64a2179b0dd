package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
)

// testdataDir is the shared test corpus.
const testdataDir = "../../../shared/testdata"

// mixBases are the operating systems of the host mixes: real package
// databases with their own os-release files. A source starting with "./"
// is relative to this package.
var mixBases = []map[string]string{
	{"etc/os-release": "pkgdb/os-release/ubuntu-18.04.os-release", "var/lib/dpkg/status": "pkgdb/dpkg/status/ubuntu-18.04-base.status"},
	{"etc/os-release": "pkgdb/os-release/ubuntu-18.04.os-release", "var/lib/dpkg/status": "pkgdb/dpkg/status/ubuntu-18.04-texlive.status"},
	{"etc/os-release": "pkgdb/os-release/debian-10.os-release", "var/lib/dpkg/status": "pkgdb/dpkg/status/debian-10-postgresql.status"},
	{"etc/os-release": "pkgdb/os-release/alpine-3.11.6.os-release", "lib/apk/db/installed": "pkgdb/apk/installed.syft-multiple-1"},
}

// mixApps are the applications hosts run: real lockfiles and manifests.
// Every host runs the first (the node application), so every host holds
// lodash.
var mixApps = []map[string]string{
	{"package-lock.json": "./../cli/testdata/node-app/package-lock.json"},
	{"package-lock.json": "pkgdb/npm/package-lock.v1.json"},
	{"package-lock.json": "pkgdb/npm/package-lock.v3.json"},
	{"Pipfile.lock": "pkgdb/python/pipenv/Pipfile-many.lock"},
	{"requirements.txt": "pkgdb/python/requirements/requirements.txt"},
	{"poetry.lock": "pkgdb/python/poetry/poetry.v1-flask.lock"},
	{"go.mod": "pkgdb/go/module/go.mod", "go.sum": "pkgdb/go/module/go.sum"},
	{"Cargo.lock": "pkgdb/cargo/Cargo.lock"},
	{"pom.xml": "pkgdb/maven/pom/pom.xml"},
	{"composer.lock": "pkgdb/composer/composer.lock"},
	{"app": "pkgdb/go/binary/binary_with_module_replacement-linux-amd64"},
}

// hostMix builds realistic host inventories from the corpus: each host is
// one base operating system with the node application and one to three
// other applications, about one package in ten left out (chosen by host),
// so hosts differ as real ones do.
type hostMix struct {
	bases []*model.Inventory
	apps  []*model.Inventory
}

// newHostMix indexes every base and application once.
func newHostMix(tb testing.TB) *hostMix {
	tb.Helper()
	ctx := context.Background()
	index := func(files map[string]string) *model.Inventory {
		dir := tb.TempDir()
		for dst, src := range files {
			path := filepath.Join(testdataDir, src)
			if strings.HasPrefix(src, "./") {
				path = src
			}
			data, err := os.ReadFile(path)
			if err != nil {
				tb.Fatal(err)
			}
			p := filepath.Join(dir, dst)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o755); err != nil { // executable: Go binaries are read only then
				tb.Fatal(err)
			}
		}
		inv, err := scan.Inventory(ctx, scan.Request{Kind: model.TargetFS, Target: dir}, scan.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		if len(inv.Packages) == 0 {
			tb.Fatalf("no packages in %v", files)
		}
		return inv
	}
	m := &hostMix{}
	for _, b := range mixBases {
		m.bases = append(m.bases, index(b))
	}
	for _, a := range mixApps {
		m.apps = append(m.apps, index(a))
	}
	return m
}

// host returns host i's inventory.
func (m *hostMix) host(i int) *model.Inventory {
	h := func(parts ...any) uint32 {
		f := fnv.New32a()
		fmt.Fprint(f, parts...)
		return f.Sum32()
	}
	base := m.bases[i%len(m.bases)]
	inv := &model.Inventory{Target: model.Target{Kind: model.TargetHost, Name: fmt.Sprintf("host-%05d", i)}, OS: base.OS}
	keep := func(p model.Package, dir string) {
		if h(i, "\x00", p.Key())%10 == 0 {
			return
		}
		if dir != "" {
			p.Path = dir + p.Path
		}
		inv.Packages = append(inv.Packages, p)
	}
	for _, p := range base.Packages {
		keep(p, "")
	}
	apps := []int{0}
	for k := 1 + int(h("n", i)%3); len(apps) <= k; {
		a := 1 + int(h("app", i, len(apps))%uint32(len(m.apps)-1))
		if !contains(apps, a) {
			apps = append(apps, a)
		}
	}
	for _, a := range apps {
		dir := fmt.Sprintf("/srv/app%d", a)
		for _, p := range m.apps[a].Packages {
			if a == 0 && p.Name == "lodash" {
				p.Path = dir + p.Path // every host keeps the package updates touch
				inv.Packages = append(inv.Packages, p)
				continue
			}
			keep(p, dir)
		}
	}
	return inv
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

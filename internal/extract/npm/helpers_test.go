package npm

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// pkgdb is the shared real test data, relative to this package.
const pkgdb = "../../../../shared/testdata/pkgdb"

// nv is a package as the tests compare it.
type nv struct {
	Name, Version string
	Dev           bool
}

func (p nv) String() string { return p.Name + "@" + p.Version }

// input builds an extractor input for a file on disk.
func input(t testing.TB, file, virtualPath string) *extract.Input {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lim := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: virtualPath, Size: int64(len(b)), Mode: 0o644},
		Reader:   bytes.NewReader(b),
		ReaderAt: bytes.NewReader(b),
		Limits:   &lim,
	}
}

// run extracts file with e and checks the fields every package must carry.
func run(t *testing.T, e extract.Extractor, file string, manager model.PackageManager) []nv {
	t.Helper()
	virt := "/app/" + filepath.Base(file)
	pkgs, err := e.Extract(context.Background(), input(t, file, virt))
	if err != nil {
		t.Fatalf("Extract(%s): %v", file, err)
	}
	out := make([]nv, 0, len(pkgs))
	for _, p := range pkgs {
		if p.Ecosystem != model.EcosystemNPM || p.Manager != manager {
			t.Errorf("%s: ecosystem %q manager %q", p.Name, p.Ecosystem, p.Manager)
		}
		if want := PURL(p.Name, p.Version); p.PURL != want || !strings.HasPrefix(p.PURL, "pkg:npm/") {
			t.Errorf("%s: purl %q, want %q", p.Name, p.PURL, want)
		}
		out = append(out, nv{p.Name, p.Version, p.Dev})
	}
	return out
}

// sortNV sorts packages by name and version.
func sortNV(s []nv) []nv {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Name != s[j].Name {
			return s[i].Name < s[j].Name
		}
		return s[i].Version < s[j].Version
	})
	return s
}

// fromSet turns a name@version → dev set into a sorted list.
func fromSet(m map[[2]string]bool) []nv {
	out := make([]nv, 0, len(m))
	for k, dev := range m {
		out = append(out, nv{k[0], k[1], dev})
	}
	return sortNV(out)
}

// addDev records one occurrence: Dev stays true only if every occurrence is dev.
func addDev(m map[[2]string]bool, name, version string, dev bool) {
	k := [2]string{name, version}
	if old, ok := m[k]; ok {
		m[k] = old && dev
		return
	}
	m[k] = dev
}

// files lists the files of a pkgdb folder matching a glob.
func files(t testing.TB, glob string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(pkgdb, glob))
	if err != nil || len(m) == 0 {
		t.Fatalf("no test files for %s: %v", glob, err)
	}
	return m
}

// errorsAs is errors.As, kept short for table tests.
func errorsAs(err error, target any) bool { return errors.As(err, target) }

func fileInfo(p string) extract.FileInfo { return extract.FileInfo{Path: p} }

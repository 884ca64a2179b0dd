package python

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// pkgdb is the shared real test data, relative to this package.
const pkgdb = "../../../../shared/testdata/pkgdb/python"

// nv is a package as the tests compare it.
type nv struct {
	Name, Version string
	Dev           bool
}

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

// run extracts file with e, checks Required and the fields every package
// must carry, and returns the packages sorted.
func run(t *testing.T, e extract.Extractor, file, virt string, manager model.PackageManager) []nv {
	t.Helper()
	if !e.Required(extract.FileInfo{Path: virt}) {
		t.Errorf("%s.Required(%q) = false", e.Name(), virt)
	}
	pkgs, err := e.Extract(context.Background(), input(t, file, virt))
	if err != nil {
		t.Fatalf("Extract(%s): %v", file, err)
	}
	out := []nv{}
	for _, p := range pkgs {
		if p.Ecosystem != model.EcosystemPyPI || p.Manager != manager {
			t.Errorf("%s: ecosystem %q manager %q", p.Name, p.Ecosystem, p.Manager)
		}
		if want := "pkg:pypi/" + NormalizeName(p.Name) + "@" + p.Version; p.PURL != want {
			t.Errorf("%s: purl %q, want %q", p.Name, p.PURL, want)
		}
		out = append(out, nv{p.Name, p.Version, p.Dev})
	}
	return sortNV(out)
}

// sortNV sorts packages by normalised name and version.
func sortNV(s []nv) []nv {
	sort.Slice(s, func(i, j int) bool {
		a, b := NormalizeName(s[i].Name), NormalizeName(s[j].Name)
		if a != b {
			return a < b
		}
		return s[i].Version < s[j].Version
	})
	return s
}

// fromSet turns a name@version → dev set into a sorted list.
func fromSet(m map[[2]string]bool) []nv {
	out := []nv{}
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

// glob lists pkgdb files.
func glob(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(pkgdb, pattern))
	if err != nil || len(m) == 0 {
		t.Fatalf("no files for %s: %v", pattern, err)
	}
	return m
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

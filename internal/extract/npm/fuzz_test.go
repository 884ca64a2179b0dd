package npm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

// fuzzExtract seeds f with the files matching globs and checks that e
// never panics and only returns well-formed packages.
func fuzzExtract(f *testing.F, e extract.Extractor, virt string, globs ...string) {
	for _, g := range globs {
		m, _ := filepath.Glob(g)
		for _, p := range m {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := extract.DefaultLimits()
		in := &extract.Input{
			FileInfo: extract.FileInfo{Path: virt, Size: int64(len(b))},
			Reader:   bytes.NewReader(b), ReaderAt: bytes.NewReader(b), Limits: &lim,
		}
		pkgs, err := e.Extract(context.Background(), in)
		if err != nil && len(pkgs) != 0 {
			t.Fatalf("packages with an error: %v", err)
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" || p.PURL == "" {
				t.Fatalf("incomplete package %+v", p)
			}
		}
	})
}

func FuzzPackageLock(f *testing.F) {
	fuzzExtract(f, NewPackageLock(), "/app/package-lock.json", filepath.Join(pkgdb, "npm/*.json"))
}

func FuzzYarnLock(f *testing.F) {
	fuzzExtract(f, NewYarnLock(), "/app/yarn.lock", filepath.Join(pkgdb, "yarn/*.lock"))
}

func FuzzPNPMLock(f *testing.F) {
	fuzzExtract(f, NewPNPMLock(), "/app/pnpm-lock.yaml", filepath.Join(pkgdb, "pnpm/*.yaml"))
}

func FuzzNodePackage(f *testing.F) {
	fuzzExtract(f, NewNodePackage(), "/app/node_modules/a/package.json",
		"testdata/node_modules/*/package.json", "testdata/node_modules/*/*/package.json")
}

package npm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

// fuzzExtract seeds f with small hand-written documents and the real files
// matching globs, and checks that e never panics and only returns
// well-formed packages. The small seeds keep mutation fast; run with
// -fuzzminimizetime 1s, as minimising mutants of the large real files
// otherwise takes the whole fuzz time.
func fuzzExtract(f *testing.F, e extract.Extractor, virt string, small []string, globs ...string) {
	for _, s := range small {
		f.Add([]byte(s))
	}
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
	fuzzExtract(f, NewPackageLock(), "/app/package-lock.json",
		[]string{`{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dev":true,"dependencies":{"b":{"version":"npm:c@2.0.0"}}}}}`,
			`{"lockfileVersion":3,"packages":{"":{},"node_modules/@s/a":{"version":"1.0.0"},"w/node_modules/b":{"name":"c","version":"2.0.0","dev":true},"node_modules/l":{"link":true}}}`}, filepath.Join(pkgdb, "npm/*.json"))
}

func FuzzYarnLock(f *testing.F) {
	fuzzExtract(f, NewYarnLock(), "/app/yarn.lock",
		[]string{"\"@s/a@^1\", a@npm:b@^2:\n  version \"1.0.0\"\n  dependencies:\n    c \"^1\"\n",
			"__metadata:\n  version: 6\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n\n\"w@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"w@workspace:.\"\n"}, filepath.Join(pkgdb, "yarn/*.lock"))
}

func FuzzPNPMLock(f *testing.F) {
	fuzzExtract(f, NewPNPMLock(), "/app/pnpm-lock.yaml",
		[]string{"lockfileVersion: 5.4\npackages:\n  /@s/a/1.0.0_b@2.0.0:\n    dev: true\n",
			"lockfileVersion: '9.0'\nimporters:\n  .:\n    devDependencies:\n      a:\n        version: 1.0.0(b@2.0.0)\npackages:\n  a@1.0.0: {}\nsnapshots:\n  a@1.0.0(b@2.0.0):\n    dependencies:\n      c: d@1.0.0\n"}, filepath.Join(pkgdb, "pnpm/*.yaml"))
}

func FuzzNodePackage(f *testing.F) {
	fuzzExtract(f, NewNodePackage(), "/app/node_modules/a/package.json",
		[]string{`{"name":"@s/a","version":"1.0.0","license":{"type":"MIT"}}`},
		"testdata/node_modules/*/package.json", "testdata/node_modules/*/*/package.json")
}

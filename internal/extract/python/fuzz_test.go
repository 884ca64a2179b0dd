package python

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

// fuzzExtract seeds f with small hand-written documents and the pkgdb files
// matching patterns, and checks that e never panics and only returns
// well-formed packages. Run with -fuzzminimizetime 1s: minimising mutants
// of the larger real files otherwise takes the whole fuzz time.
func fuzzExtract(f *testing.F, e extract.Extractor, virt string, small []string, patterns ...string) {
	for _, s := range small {
		f.Add([]byte(s))
	}
	for _, pat := range patterns {
		m, _ := filepath.Glob(filepath.Join(pkgdb, pat))
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
			if !ValidName(p.Name) || !validVersion(p.Version) || p.PURL == "" {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func FuzzMetadata(f *testing.F) {
	fuzzExtract(f, NewMetadata(), "/site-packages/a-1.dist-info/METADATA",
		[]string{"Name: a\nVersion: 1\nLicense: MIT\n\nbody\n"}, "dist-metadata/*/*")
}

func FuzzRequirements(f *testing.F) {
	fuzzExtract(f, NewRequirements(), "/app/requirements.txt",
		[]string{"-r b.txt\na[x]==1.0 ; python_version<'3' \\\n  --hash=sha256:00\nb>=1 # c\n"}, "requirements/*.txt")
}

func FuzzPoetryLock(f *testing.F) {
	fuzzExtract(f, NewPoetryLock(), "/app/poetry.lock",
		[]string{"[[package]]\nname = \"a\"\nversion = \"1.0\"\ngroups = [\"dev\"]\n"}, "poetry/*.lock")
}

func FuzzPipfileLock(f *testing.F) {
	fuzzExtract(f, NewPipfileLock(), "/app/Pipfile.lock",
		[]string{`{"default":{"a":{"version":"==1.0"}},"develop":{"b":{"version":"==2"}}}`}, "pipenv/*.lock")
}

func FuzzUVLock(f *testing.F) {
	fuzzExtract(f, NewUVLock(), "/app/uv.lock",
		[]string{"[[package]]\nname = \"a\"\nversion = \"1.0\"\nsource = { virtual = \".\" }\n"}, "uv/uv.lock")
}

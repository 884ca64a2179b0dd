package python

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

// fuzzExtract seeds f with the pkgdb files matching patterns and checks
// that e never panics and only returns well-formed packages.
func fuzzExtract(f *testing.F, e extract.Extractor, virt string, patterns ...string) {
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
	fuzzExtract(f, NewMetadata(), "/site-packages/a-1.dist-info/METADATA", "dist-metadata/*/*")
}

func FuzzRequirements(f *testing.F) {
	fuzzExtract(f, NewRequirements(), "/app/requirements.txt", "requirements/*.txt")
}

func FuzzPoetryLock(f *testing.F) {
	fuzzExtract(f, NewPoetryLock(), "/app/poetry.lock", "poetry/*.lock")
}

func FuzzPipfileLock(f *testing.F) {
	fuzzExtract(f, NewPipfileLock(), "/app/Pipfile.lock", "pipenv/*.lock")
}

func FuzzUVLock(f *testing.F) {
	fuzzExtract(f, NewUVLock(), "/app/uv.lock", "uv/uv.lock")
}

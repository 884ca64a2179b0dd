package python

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

func benchExtract(b *testing.B, e extract.Extractor, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	lim := extract.DefaultLimits()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		in := &extract.Input{
			FileInfo: extract.FileInfo{Path: "/app/" + filepath.Base(file), Size: int64(len(data))},
			Reader:   bytes.NewReader(data), ReaderAt: bytes.NewReader(data), Limits: &lim,
		}
		pkgs, err := e.Extract(b.Context(), in)
		if err != nil {
			b.Fatal(err)
		}
		n = len(pkgs)
	}
	b.ReportMetric(float64(n), "pkgs")
}

// BenchmarkPoetryLock parses the largest real poetry.lock (36 KB).
func BenchmarkPoetryLock(b *testing.B) {
	benchExtract(b, NewPoetryLock(), filepath.Join(pkgdb, "poetry/poetry.with-groups.lock"))
}

// BenchmarkPipfileLock parses the largest real Pipfile.lock (43 KB).
func BenchmarkPipfileLock(b *testing.B) {
	benchExtract(b, NewPipfileLock(), filepath.Join(pkgdb, "pipenv/Pipfile.lock"))
}

package npm

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
			Content: data, // as the walker offers a file it holds in memory
		}
		pkgs, err := e.Extract(b.Context(), in)
		if err != nil {
			b.Fatal(err)
		}
		n = len(pkgs)
	}
	b.ReportMetric(float64(n), "pkgs")
}

// BenchmarkPackageLockLarge parses the largest real lockfile (330 KB, 790
// packages, lockfileVersion 1).
func BenchmarkPackageLockLarge(b *testing.B) {
	benchExtract(b, NewPackageLock(), filepath.Join(pkgdb, "npm/collapse-white-space.package-lock.json"))
}

// BenchmarkYarnLockV1 parses a real classic yarn.lock.
func BenchmarkYarnLockV1(b *testing.B) {
	benchExtract(b, NewYarnLock(), filepath.Join(pkgdb, "yarn/yarn.v1.lock"))
}

// BenchmarkPNPMLockV5 parses a real pnpm 5.4 lockfile.
func BenchmarkPNPMLockV5(b *testing.B) {
	benchExtract(b, NewPNPMLock(), filepath.Join(pkgdb, "pnpm/pnpm-lock.v5.yaml"))
}

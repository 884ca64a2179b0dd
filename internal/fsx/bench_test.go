package fsx

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/vigilsec/vigil/internal/extract"
)

// benchLayer is a gzip-compressed layer of n files of size bytes each
// (text-like content), plus one real dpkg status file.
func benchLayer(b *testing.B, n, size int) []byte {
	b.Helper()
	status, err := os.ReadFile(filepath.Join("../../../shared/testdata/pkgdb/dpkg/status/ubuntu-18.04-texlive.status"))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	body := bytes.Repeat([]byte("lorem ipsum dolor sit amet "), size/27+1)[:size]
	for i := 0; i < n; i++ {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("usr/share/d%03d/f%06d.txt", i%500, i), Typeflag: tar.TypeReg, Size: int64(size), Mode: 0o644})
		tw.Write(body)
	}
	tw.WriteHeader(&tar.Header{Name: "var/lib/dpkg/status", Typeflag: tar.TypeReg, Size: int64(len(status)), Mode: 0o644})
	tw.Write(status)
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// BenchmarkWalkLayer measures one layer walk: decompression, tar parsing,
// Required on every file, reading the wanted one, the path set.
func BenchmarkWalkLayer(b *testing.B) {
	for _, c := range []struct{ n, size int }{{20_000, 512}, {2_000, 32 << 10}} {
		blob := benchLayer(b, c.n, c.size)
		b.Run(fmt.Sprintf("files=%d/size=%d", c.n, c.size), func(b *testing.B) {
			b.SetBytes(int64(c.n * c.size))
			b.ReportAllocs()
			for b.Loop() {
				zr, _, err := Decompress(bytes.NewReader(blob), extract.Limits{}, "bench")
				if err != nil {
					b.Fatal(err)
				}
				res, err := Walk(context.Background(), NewTar(zr, "bench"), Options{
					Extractors: []extract.Extractor{newProbe("/var/lib/dpkg/status")}, TrackPaths: true})
				if err != nil || res.Limited {
					b.Fatal(err, res.Issues)
				}
				zr.Close()
			}
		})
	}
}

// BenchmarkDecompressOnly is the floor: gunzip the same blob to nothing.
func BenchmarkDecompressOnly(b *testing.B) {
	blob := benchLayer(b, 2_000, 32<<10)
	b.SetBytes(int64(2_000 * 32 << 10))
	for b.Loop() {
		zr, _, _ := Decompress(bytes.NewReader(blob), extract.Limits{}, "bench")
		io.Copy(io.Discard, zr)
		zr.Close()
	}
}

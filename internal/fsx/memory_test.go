package fsx

import (
	"archive/tar"
	"bufio"
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// counter is an extractor that wants ".bin" files and only counts their
// bytes, streaming.
type counter struct{ n int64 }

func (c *counter) Name() string { return "test/counter" }
func (c *counter) Version() int { return 1 }
func (c *counter) Required(f extract.FileInfo) bool {
	return len(f.Path) > 4 && f.Path[len(f.Path)-4:] == ".bin"
}
func (c *counter) Extract(_ context.Context, in *extract.Input) ([]model.Package, error) {
	n, err := io.Copy(io.Discard, in.Reader)
	c.n += n
	return nil, err
}

// TestLargeFileSpillsMemoryBounded walks a streamed layer holding a
// 256 MiB wanted file: it is spilled to disk, and the heap stays small.
func TestLargeFileSpillsMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 256 MiB to a temporary file")
	}
	const size = 256 << 20
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 256<<10)
		tw := tar.NewWriter(bw)
		err := tw.WriteHeader(&tar.Header{Name: "big.bin", Typeflag: tar.TypeReg, Size: size, Mode: 0o755})
		if err == nil {
			_, err = io.CopyN(tw, zeroReader{}, size)
		}
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	c := &counter{}
	res, err := Walk(context.Background(), NewTar(pr, "big"), Options{Extractors: []extract.Extractor{c}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if c.n != size || res.Stats.Spilled != 1 {
		t.Fatalf("read %d bytes, spilled %d", c.n, res.Stats.Spilled)
	}
	if grown := int64(after.HeapSys) - int64(before.HeapSys); grown > 32<<20 {
		t.Errorf("heap grew by %d MiB for a spilled file", grown>>20)
	}
	t.Logf("heap sys before %d MiB, after %d MiB", before.HeapSys>>20, after.HeapSys>>20)
}

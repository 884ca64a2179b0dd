package fsx

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

// FuzzTar walks hostile tar bytes: never a panic, never a path outside the
// root, and the limits hold.
func FuzzTar(f *testing.F) {
	f.Add(mkTar(f, th{name: "a.lock", body: "x"}, th{name: "b/.wh.c"}, th{name: "d/.wh..wh..opq"}))
	f.Add(mkTar(f, th{name: "../../x.lock", body: "x"}, th{name: "l", typ: '2', link: "../../etc"}, th{name: "h.lock", typ: '1', link: "a.lock"}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := newProbe(".lock")
		res, err := Walk(context.Background(), NewTar(bytes.NewReader(b), "fuzz"), Options{
			Extractors: []extract.Extractor{p}, TrackPaths: true, TempDir: t.TempDir(),
			Budget: NewBudget(extract.Limits{MaxFiles: 1000, MaxFileSize: 1 << 20})})
		if err != nil {
			t.Fatal(err)
		}
		for path := range res.Extractors["test/probe"].Packages {
			if !strings.HasPrefix(path, "/") || strings.Contains(path, "/../") || strings.HasSuffix(path, "/..") {
				t.Fatalf("unclean path %q", path)
			}
		}
		for _, w := range append(res.Whiteouts, res.Opaques...) {
			if !strings.HasPrefix(w, "/") || strings.Contains(w, "..") && strings.Contains(w, "/../") {
				t.Fatalf("unclean whiteout %q", w)
			}
		}
	})
}

// FuzzZip walks hostile zip bytes.
func FuzzZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"a.lock", "../../b.lock", "c/d.lock"} {
		w, _ := zw.Create(n)
		io.WriteString(w, "content")
	}
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, b []byte) {
		z, err := NewZip(bytes.NewReader(b), int64(len(b)), "/var/task", "fuzz.zip", extract.Limits{})
		if err != nil {
			return
		}
		p := newProbe(".lock")
		res, err := Walk(context.Background(), z, Options{Extractors: []extract.Extractor{p}, TempDir: t.TempDir(),
			Budget: NewBudget(extract.Limits{MaxFiles: 1000, MaxFileSize: 1 << 20})})
		if err != nil {
			t.Fatal(err)
		}
		for path := range res.Extractors["test/probe"].Packages {
			if !Within(path, "/var/task") {
				t.Fatalf("path %q outside the prefix", path)
			}
		}
	})
}

// FuzzDecompress feeds hostile bytes to the decompressor under a small
// total limit.
func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0})
	f.Add([]byte("plain"))
	f.Fuzz(func(t *testing.T, b []byte) {
		zr, _, err := Decompress(bytes.NewReader(b), extract.Limits{MaxTotalBytes: 1 << 20}, "fuzz")
		if err != nil {
			return
		}
		n, _ := io.Copy(io.Discard, zr)
		zr.Close()
		if n > 1<<20+64<<10 {
			t.Fatalf("read %d bytes past the limit", n)
		}
	})
}

// FuzzCleanName checks CleanName never returns a path outside the root.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"a/b", "../x", "a/../../x", "..\\x", "/abs", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := CleanName(s)
		if !ok {
			return
		}
		if !strings.HasPrefix(p, "/") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
			t.Fatalf("CleanName(%q) = %q", s, p)
		}
	})
}

package fsx

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/vigilsec/vigil/internal/extract"
)

// listTree returns every path below dir, to check nothing was written.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		out = append(out, p)
		return nil
	})
	slices.Sort(out)
	return out
}

func TestZipSlip(t *testing.T) {
	parent := t.TempDir()
	work := filepath.Join(parent, "a", "b")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"../../x.lock", "..\\..\\y.lock", "ok/../../../z.lock", "/abs.lock", "good.lock"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "payload")
	}
	zw.Close()
	before := listTree(t, parent)
	z, err := NewZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "/var/task", "fn.zip", extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(".lock")
	res, err := Walk(context.Background(), z, Options{Extractors: []extract.Extractor{p}, TempDir: work})
	if err != nil {
		t.Fatal(err)
	}
	var refused int
	for _, is := range res.Issues {
		if strings.Contains(is.Reason, "zip-slip") {
			refused++
		}
	}
	if refused != 3 || !res.Limited {
		t.Errorf("refused %d entries, want 3: %+v", refused, res.Issues)
	}
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range p.read {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"/var/task/abs.lock", "/var/task/good.lock"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	if after := listTree(t, parent); !slices.Equal(before, after) {
		t.Errorf("files written: before %v after %v", before, after)
	}
}

func TestDirSymlinksStayInRoot(t *testing.T) {
	parent := t.TempDir()
	outside := filepath.Join(parent, "outside")
	root := filepath.Join(parent, "root")
	for _, d := range []string{outside, filepath.Join(root, "etc"), filepath.Join(root, "app")} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(outside, "secret.lock"), []byte("outside"), 0o644)
	os.WriteFile(filepath.Join(outside, "os-release"), []byte("ID=outside\n"), 0o644)
	os.WriteFile(filepath.Join(root, "app", "in.lock"), []byte("inside"), 0o644)
	// A file link, a directory link and an absolute link, all out of the root.
	os.Symlink("../../outside/secret.lock", filepath.Join(root, "app", "link.lock"))
	os.Symlink("../outside", filepath.Join(root, "app", "dirlink"))
	os.Symlink(filepath.Join(outside, "os-release"), filepath.Join(root, "etc", "os-release"))
	os.Symlink("../../../../../.."+outside+"/os-release", filepath.Join(root, "etc", "lsb-release"))
	before := listTree(t, parent)
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(".lock")
	res, err := Walk(context.Background(), d, Options{Extractors: []extract.Extractor{p},
		OSFile: func(p string) bool { return strings.HasPrefix(p, "/etc/") }})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.read) != 1 || p.read["/app/in.lock"] != "inside" {
		t.Errorf("read %v, want only /app/in.lock", p.read)
	}
	for path, b := range res.OSFiles {
		if strings.Contains(string(b), "outside") {
			t.Errorf("OS file %s read from outside the root", path)
		}
	}
	if after := listTree(t, parent); !slices.Equal(before, after) {
		t.Errorf("files written:\nbefore %v\nafter  %v", before, after)
	}
}

func TestTarLinksStayInLayer(t *testing.T) {
	b := mkTar(t,
		// A symlink climbing out of the layer: resolved inside it.
		th{name: "etc/os-release", typ: tar.TypeSymlink, link: "../../../../../../etc/os-release"},
		th{name: "a/real.lock", body: "real"},
		// Hard links: to itself (loop), to a path outside, to a later
		// entry, chained, and to a real file.
		th{name: "loop.lock", typ: tar.TypeLink, link: "loop.lock"},
		th{name: "out.lock", typ: tar.TypeLink, link: "../../../../etc/passwd"},
		th{name: "early.lock", typ: tar.TypeLink, link: "late.lock"},
		th{name: "late.lock", typ: tar.TypeLink, link: "early.lock"},
		th{name: "b/one.lock", typ: tar.TypeLink, link: "a/real.lock"},
		th{name: "b/two.lock", typ: tar.TypeLink, link: "b/one.lock"},
	)
	p := newProbe(".lock")
	res := walkTar(t, b, Options{Extractors: []extract.Extractor{p}, TrackPaths: true,
		OSFile: func(p string) bool { return p == "/etc/os-release" }})
	if len(res.OSFiles) != 0 || res.Symlinks["/etc/os-release"] != "/etc/os-release" {
		t.Errorf("os files %v symlinks %v", res.OSFiles, res.Symlinks)
	}
	pk := res.Extractors["test/probe"].Packages
	var got []string
	for k := range pk {
		got = append(got, k)
	}
	slices.Sort(got)
	if want := []string{"/a/real.lock", "/b/one.lock", "/b/two.lock"}; !slices.Equal(got, want) {
		t.Errorf("packages at %v, want %v", got, want)
	}
	if len(p.read) != 1 {
		t.Errorf("read %v: content should be read once", p.read)
	}
}

// bombLayer streams a gzip-compressed tar holding one file of n zero
// bytes, generated as it is read: nothing is stored.
func bombLayer(n int64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestCompression)
		tw := tar.NewWriter(zw)
		err := tw.WriteHeader(&tar.Header{Name: "zeros.lock", Typeflag: tar.TypeReg, Size: n, Mode: 0o644})
		if err == nil {
			_, err = io.CopyN(tw, zeroReader{}, n)
		}
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDecompressionBomb(t *testing.T) {
	blob := bombLayer(4 << 30) // 4 GiB of zeros
	defer blob.Close()
	zr, comp, err := Decompress(blob, extract.Limits{}, "sha256:bomb")
	if err != nil || comp != CompressionGzip {
		t.Fatalf("decompress: %v %v", comp, err)
	}
	defer zr.Close()
	p := newProbe(".none")
	res, err := Walk(context.Background(), NewTar(zr, "sha256:bomb"), Options{Extractors: []extract.Extractor{p}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Limited || len(res.Issues) != 1 || res.Issues[0].Limit != "max-ratio" {
		t.Errorf("issues = %+v", res.Issues)
	}
	// The same bomb when the file is wanted: the read stops at the limit.
	blob2 := bombLayer(4 << 30)
	defer blob2.Close()
	zr2, _, _ := Decompress(blob2, extract.Limits{}, "sha256:bomb")
	defer zr2.Close()
	res, err = Walk(context.Background(), NewTar(zr2, "sha256:bomb"), Options{Extractors: []extract.Extractor{newProbe(".lock")}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Limited || len(res.Issues) != 1 || res.Issues[0].Limit != "max-ratio" {
		t.Errorf("wanted bomb issues = %+v", res.Issues)
	}
}

func TestZipBombEntry(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "bomb.lock", Method: zip.Deflate})
	io.CopyN(w, zeroReader{}, 64<<20)
	zw.Close()
	z, err := NewZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "/", "bomb.zip", extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(".lock")
	res, err := Walk(context.Background(), z, Options{Extractors: []extract.Extractor{p}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.read) != 0 || len(res.Issues) != 1 || res.Issues[0].Limit != "max-ratio" {
		t.Errorf("read %d, issues %+v", len(p.read), res.Issues)
	}
}

// manyFiles streams a tar of n tiny files.
func manyFiles(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 256<<10)
		tw := tar.NewWriter(bw)
		var err error
		for i := 0; i < n && err == nil; i++ {
			err = tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%03d/f%06d.lock", i%1000, i), Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
			if err == nil {
				_, err = tw.Write([]byte{'x'})
			}
		}
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

func TestHundredThousandFiles(t *testing.T) {
	p := newProbe(".none")
	res, err := Walk(context.Background(), NewTar(manyFiles(100_000), "many"), Options{Extractors: []extract.Extractor{p}, TrackPaths: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Limited || res.Stats.Files != 100_000 || res.Paths.Len() != 100_000 {
		t.Errorf("files=%d paths=%d issues=%+v", res.Stats.Files, res.Paths.Len(), res.Issues)
	}
	res, err = Walk(context.Background(), NewTar(manyFiles(100_000), "many"), Options{Extractors: []extract.Extractor{newProbe(".lock")},
		Budget: NewBudget(extract.Limits{MaxFiles: 20_000})})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Limited || res.Issues[0].Limit != "max-files" || res.Stats.FilesRead != 20_000 {
		t.Errorf("read=%d issues=%+v", res.Stats.FilesRead, res.Issues)
	}
}

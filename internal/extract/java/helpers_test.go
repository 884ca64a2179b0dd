package java

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"os"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

const pkgdb = "../../../../shared/testdata/pkgdb/maven/"

const realJar = pkgdb + "jar/jackson-annotations-2.15.0-rc2.jar"

func input(t testing.TB, path string, b []byte) *extract.Input {
	t.Helper()
	l := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o644, Size: int64(len(b))},
		Reader:   bytes.NewReader(b), ReaderAt: bytes.NewReader(b), Limits: &l,
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entry is one file of a zip built in a test.
type entry struct {
	name   string
	data   []byte
	stored bool
}

func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.stored {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rezip copies a real archive, dropping the entries drop rejects.
func rezip(t testing.TB, src []byte, drop func(name string) bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if drop(f.Name) {
			continue
		}
		if err := w.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func isMavenMeta(name string) bool { return strings.HasPrefix(name, "META-INF/maven/") }

func flateWriter(w *bytes.Buffer) (*flate.Writer, error) {
	return flate.NewWriter(w, flate.BestCompression)
}

package index

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/vigilsec/vigil/internal/extract"
)

// pkgdb is the shared real test data, relative to this package.
const pkgdb = "../../../shared/testdata/pkgdb"

// tentry is one tar entry of a test layer. Content comes from a real file
// of pkgdb (file), from body (dpkg .list files a test writes), or is empty
// (whiteout markers, plain files).
type tentry struct {
	name string
	file string // path under pkgdb
	body string // content when file is empty
	link string // symlink target
	hard string // hardlink target
	dir  bool
	mode int64
}

func readPkgdb(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkgdb, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tarLayer writes the entries as an uncompressed tar.
func tarLayer(t testing.TB, entries []tentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mt := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, ModTime: mt, Format: tar.FormatPAX}
		if e.mode != 0 {
			h.Mode = e.mode
		}
		var body []byte
		switch {
		case e.dir:
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		case e.hard != "":
			h.Typeflag, h.Linkname = tar.TypeLink, e.hard
		default:
			h.Typeflag = tar.TypeReg
			if e.file != "" {
				body = readPkgdb(t, e.file)
			} else {
				body = []byte(e.body)
			}
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// buildImage makes a linux/amd64 image of the layers (bottom first), each
// with a history line.
func buildImage(t testing.TB, layers ...[]tentry) v1.Image {
	t.Helper()
	img := empty.Image
	var adds []mutate.Addendum
	for i, entries := range layers {
		b := tarLayer(t, entries)
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "layer " + string(rune('1'+i)), Created: v1.Time{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// writeTree writes entries into dir, as an unpacked tree (for comparing
// an image with its flattened file system).
func writeTree(t testing.TB, dir string, entries []tentry) {
	t.Helper()
	for _, e := range entries {
		p := filepath.Join(dir, filepath.FromSlash(e.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case e.dir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case e.link != "":
			if err := os.Symlink(e.link, p); err != nil {
				t.Fatal(err)
			}
		default:
			body := []byte(e.body)
			if e.file != "" {
				body = readPkgdb(t, e.file)
			}
			if err := os.WriteFile(p, body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// extractorT shortens extract.Extractor in option literals.
type extractorT = extract.Extractor

package fsx

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// probe is a test extractor that records what it is offered and read; it
// wants files whose path ends with suffix.
type probe struct {
	suffix string
	mu     sync.Mutex
	seen   []string          // paths offered to Required, in order
	read   map[string]string // path -> content read through Reader
	panics bool
	fail   error
}

func newProbe(suffix string) *probe { return &probe{suffix: suffix, read: map[string]string{}} }

func (p *probe) Name() string { return "test/probe" }
func (p *probe) Version() int { return 1 }
func (p *probe) Required(f extract.FileInfo) bool {
	p.mu.Lock()
	p.seen = append(p.seen, f.Path)
	p.mu.Unlock()
	return strings.HasSuffix(f.Path, p.suffix)
}
func (p *probe) Extract(_ context.Context, in *extract.Input) ([]model.Package, error) {
	if p.panics {
		panic("probe panics")
	}
	b, err := io.ReadAll(in.Reader)
	if err != nil {
		return nil, err
	}
	// ReaderAt must see the same bytes.
	b2 := make([]byte, len(b))
	if _, err := in.ReaderAt.ReadAt(b2, 0); err != nil && err != io.EOF {
		return nil, err
	}
	if !bytes.Equal(b, b2) {
		return nil, io.ErrUnexpectedEOF
	}
	p.mu.Lock()
	p.read[in.Path] = string(b)
	p.mu.Unlock()
	if p.fail != nil {
		return nil, p.fail
	}
	return []model.Package{{Ecosystem: "test", Name: in.Path, Version: "1"}}, nil
}

// th is a tar entry for tests.
type th struct {
	name string
	typ  byte
	link string
	body string
	size int64 // when body is empty and size set: that many zero bytes
}

func mkTar(t testing.TB, entries ...th) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, ModTime: time.Unix(0, 0)}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

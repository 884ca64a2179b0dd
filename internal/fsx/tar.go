package fsx

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// Whiteout markers of the OCI image layer format.
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// TarError reports a malformed tar stream.
type TarError struct {
	Name string
	Err  error
}

// Error implements error.
func (e *TarError) Error() string { return fmt.Sprintf("tar %s: %v", e.Name, e.Err) }

// Unwrap returns the underlying error.
func (e *TarError) Unwrap() error { return e.Err }

// Tar is a Source over an uncompressed tar stream, such as an image layer.
// Entries come in stream order; ".wh." files become KindWhiteout and
// KindOpaque entries; names are cleaned, and names climbing out of the
// root are reported as issues and skipped.
type Tar struct {
	r    io.Reader
	name string
}

// NewTar returns a Source reading the tar stream r. name labels errors and
// issues (a layer digest).
func NewTar(r io.Reader, name string) *Tar {
	return &Tar{r: r, name: name}
}

// Walk implements Source.
func (t *Tar) Walk(ctx context.Context, v Visitor) error {
	tr := tar.NewReader(t.r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &TarError{Name: t.name, Err: err}
		}
		p, ok := CleanName(h.Name)
		if !ok {
			v.Issue(model.Issue{Plugin: "fsx/tar", Path: h.Name, Reason: "entry name escapes the layer root; skipped"})
			continue
		}
		if p == "/" {
			continue
		}
		e := Entry{Path: p, Mode: h.FileInfo().Mode(), Size: h.Size}
		var open Opener
		base := path.Base(p)
		switch {
		case base == whiteoutOpaque:
			e.Kind, e.Path, e.Size = KindOpaque, path.Dir(p), 0
		case strings.HasPrefix(base, whiteoutPrefix):
			target := base[len(whiteoutPrefix):]
			if target == "" || target == "." || target == ".." {
				v.Issue(model.Issue{Plugin: "fsx/tar", Path: p, Reason: "malformed whiteout; skipped"})
				continue
			}
			e.Kind, e.Path, e.Size = KindWhiteout, path.Join(path.Dir(p), target), 0
		default:
			switch h.Typeflag {
			case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
				e.Kind = KindFile
				open = func() (io.ReadCloser, error) { return io.NopCloser(tr), nil }
			case tar.TypeDir:
				e.Kind, e.Size = KindDir, 0
			case tar.TypeSymlink:
				e.Kind, e.Size, e.Link = KindSymlink, 0, ResolveLink(p, h.Linkname)
			case tar.TypeLink:
				// Hard links name an earlier entry of the same archive,
				// relative to its root; ".." is clamped at the root.
				e.Kind, e.Size, e.Link = KindHardlink, 0, path.Clean("/"+h.Linkname)
				e.Mode = e.Mode &^ fs.ModeType
			default:
				e.Kind, e.Size = KindOther, 0
			}
		}
		if err := v.Visit(&e, open); err != nil {
			return err
		}
	}
}

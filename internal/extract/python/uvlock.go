package python

import (
	"context"
	"path"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// UVLockName is the name of the uv.lock extractor.
const UVLockName = "python/uvlock"

// NewUVLock returns the extractor for uv.lock.
func NewUVLock() extract.Extractor { return uvLock{} }

type uvLock struct{}

// Name returns the extractor's stable name.
func (uvLock) Name() string { return UVLockName }

// Version is bumped whenever the output for the same input may change.
func (uvLock) Version() int { return 1 }

// Required wants uv.lock.
func (uvLock) Required(f extract.FileInfo) bool { return path.Base(f.Path) == "uv.lock" }

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e uvLock) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxFileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	pkgs, err := ParseUVLock(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return pkgs, nil
}

type uvFile struct {
	Package []struct {
		Name    string `toml:"name"`
		Version string `toml:"version"`
		Source  struct {
			Editable *string `toml:"editable"`
			Virtual  *string `toml:"virtual"`
		} `toml:"source"`
	} `toml:"package"`
}

// ParseUVLock parses the content of a uv.lock. The project and its
// workspace members (source editable or virtual) are not reported.
func ParseUVLock(ctx context.Context, b []byte) ([]model.Package, error) {
	var f uvFile
	if err := decodeTOML(b, &f); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := newCollector(model.ManagerUV)
	for _, p := range f.Package {
		if p.Source.Editable != nil || p.Source.Virtual != nil {
			continue
		}
		if err := c.add(p.Name, p.Version, false); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

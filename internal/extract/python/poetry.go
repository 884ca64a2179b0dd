package python

import (
	"context"
	"path"
	"slices"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// PoetryName is the name of the poetry.lock extractor.
const PoetryName = "python/poetrylock"

// NewPoetryLock returns the extractor for poetry.lock (Poetry 1.x with
// "category", Poetry 2.x with "groups").
func NewPoetryLock() extract.Extractor { return poetryLock{} }

type poetryLock struct{}

// Name returns the extractor's stable name.
func (poetryLock) Name() string { return PoetryName }

// Version is bumped whenever the output for the same input may change.
func (poetryLock) Version() int { return 1 }

// Required wants poetry.lock.
func (poetryLock) Required(f extract.FileInfo) bool { return path.Base(f.Path) == "poetry.lock" }

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e poetryLock) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxFileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	pkgs, err := ParsePoetryLock(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return pkgs, nil
}

type poetryFile struct {
	Package []struct {
		Name     string   `toml:"name"`
		Version  string   `toml:"version"`
		Category string   `toml:"category"`
		Groups   []string `toml:"groups"`
	} `toml:"package"`
}

// ParsePoetryLock parses the content of a poetry.lock. A package is Dev
// when its category is "dev" (Poetry 1.x) or when it belongs to groups
// that do not include "main" (Poetry 2.x).
func ParsePoetryLock(ctx context.Context, b []byte) ([]model.Package, error) {
	var f poetryFile
	if err := decodeTOML(b, &f); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := newCollector(model.ManagerPoetry)
	for _, p := range f.Package {
		dev := p.Category == "dev" || (len(p.Groups) > 0 && !slices.Contains(p.Groups, "main"))
		if err := c.add(p.Name, p.Version, dev); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

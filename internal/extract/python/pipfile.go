package python

import (
	"context"
	"encoding/json"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// PipfileName is the name of the Pipfile.lock extractor.
const PipfileName = "python/pipfilelock"

// NewPipfileLock returns the extractor for Pipfile.lock.
func NewPipfileLock() extract.Extractor { return pipfileLock{} }

type pipfileLock struct{}

// Name returns the extractor's stable name.
func (pipfileLock) Name() string { return PipfileName }

// Version is bumped whenever the output for the same input may change.
func (pipfileLock) Version() int { return 1 }

// Required wants Pipfile.lock.
func (pipfileLock) Required(f extract.FileInfo) bool { return path.Base(f.Path) == "Pipfile.lock" }

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e pipfileLock) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxFileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	pkgs, err := ParsePipfileLock(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return pkgs, nil
}

type pipfileEntry struct {
	Version string `json:"version"`
}

type pipfileFile struct {
	Default map[string]pipfileEntry `json:"default"`
	Develop map[string]pipfileEntry `json:"develop"`
}

// ParsePipfileLock parses the content of a Pipfile.lock: "default"
// packages, and "develop" packages as Dev. Versions are written
// "==1.2.3"; entries without one (git, path, editable) are skipped.
func ParsePipfileLock(ctx context.Context, b []byte) ([]model.Package, error) {
	var f pipfileFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := newCollector(model.ManagerPipenv)
	for _, section := range []struct {
		m   map[string]pipfileEntry
		dev bool
	}{{f.Default, false}, {f.Develop, true}} {
		for name, e := range section.m {
			v, ok := strings.CutPrefix(strings.TrimSpace(e.Version), "==")
			if !ok {
				continue
			}
			v = strings.TrimPrefix(v, "=") // "===1.0"
			if err := c.add(name, v, section.dev); err != nil {
				return nil, err
			}
		}
	}
	return c.result(), nil
}

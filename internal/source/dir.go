package source

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/vigilsec/vigil/internal/model"
)

// Dir is a directory or root file system to scan.
type Dir struct {
	// Path is the absolute path of the directory.
	Path   string
	target model.Target
}

// OpenDir resolves a directory target. kind is model.TargetFS or
// model.TargetHost.
func OpenDir(path string, kind model.TargetKind) (*Dir, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Target: path, Err: err}
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, &Error{Target: path, Err: err}
	}
	if !st.IsDir() {
		return nil, &Error{Target: path, Err: errors.New("not a directory")}
	}
	if kind == "" {
		kind = model.TargetFS
	}
	return &Dir{Path: abs, target: model.Target{Kind: kind, Name: path}}, nil
}

// Target implements Source.
func (d *Dir) Target() model.Target { return d.target }

// Close implements Source.
func (d *Dir) Close() error { return nil }

package cargo

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// LockName is the name of the Cargo.lock extractor.
const LockName = "rust/cargolock"

// maxLockPackages bounds the [[package]] entries read from one lockfile.
const maxLockPackages = 200_000

// maxNesting bounds array and inline-table nesting. A Cargo.lock nests two
// deep; the TOML decoder recurses on nesting, and a deep enough input
// would exhaust the stack, which is fatal, not a recoverable panic.
const maxNesting = 64

type lockFile struct {
	Version  int           `toml:"version"`
	Packages []lockPackage `toml:"package"`
}

type lockPackage struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	Source  string `toml:"source"`
}

type lockExtractor struct{}

// NewLock returns the Cargo.lock extractor.
func NewLock() extract.Extractor { return lockExtractor{} }

// Name implements extract.Extractor.
func (lockExtractor) Name() string { return LockName }

// Version implements extract.Extractor.
func (lockExtractor) Version() int { return 1 }

// Required implements extract.Extractor: files named Cargo.lock.
func (lockExtractor) Required(f extract.FileInfo) bool {
	return path.Base(f.Path) == "Cargo.lock"
}

// Extract implements extract.Extractor.
func (e lockExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readBounded(in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pkgs, err := parseLock(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: LockName, Path: in.Path, Err: err}
	}
	return pkgs, nil
}

// parseLock decodes a Cargo.lock and returns its non-local packages.
func parseLock(b []byte) ([]model.Package, error) {
	if err := checkNesting(b); err != nil {
		return nil, err
	}
	var lf lockFile
	if _, err := toml.Decode(string(b), &lf); err != nil {
		return nil, err
	}
	if len(lf.Packages) > maxLockPackages {
		return nil, fmt.Errorf("%d packages exceed the limit of %d", len(lf.Packages), maxLockPackages)
	}
	var out []model.Package
	for _, p := range lf.Packages {
		if p.Name == "" || p.Version == "" || p.Source == "" {
			continue
		}
		if strings.HasPrefix(p.Source, "path+") {
			continue
		}
		out = append(out, newPackage(p.Name, p.Version, model.ManagerCargo))
	}
	return out, nil
}

// checkNesting rejects TOML whose brackets and braces nest deeper than
// maxNesting, skipping strings and comments. It is a conservative guard,
// not a TOML parser.
func checkNesting(b []byte) error {
	depth := 0
	var quote byte // the open string's quote, or 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == '[' || c == '{':
			if depth++; depth > maxNesting {
				return fmt.Errorf("nesting deeper than %d", maxNesting)
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

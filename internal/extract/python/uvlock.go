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

// uvDep is a reference to another package of the lockfile; Version is set
// when the name alone is ambiguous.
type uvDep struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
}

type uvPackage struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	Source  struct {
		Editable *string `toml:"editable"`
		Virtual  *string `toml:"virtual"`
	} `toml:"source"`
	Dependencies         []uvDep            `toml:"dependencies"`
	OptionalDependencies map[string][]uvDep `toml:"optional-dependencies"`
	DevDependencies      map[string][]uvDep `toml:"dev-dependencies"`
}

// local reports whether p is the project or one of its workspace members.
func (p *uvPackage) local() bool { return p.Source.Editable != nil || p.Source.Virtual != nil }

type uvFile struct {
	Package []uvPackage `toml:"package"`
}

// ParseUVLock parses the content of a uv.lock. The project and its
// workspace members (source editable or virtual) are not reported. A
// package is Dev when it is reachable from the project's dev-dependencies
// groups only, not from its dependencies or optional dependencies.
func ParseUVLock(ctx context.Context, b []byte) ([]model.Package, error) {
	var f uvFile
	if err := decodeTOML(b, &f); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(f.Package) > maxPackages {
		return nil, errTooManyPackages
	}
	dev := uvDevOnly(f.Package)
	c := newCollector(model.ManagerUV)
	for i := range f.Package {
		p := &f.Package[i]
		if p.local() {
			continue
		}
		if err := c.add(p.Name, p.Version, dev[i]); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

// uvDevOnly returns, by package index, whether the package is reachable
// from the local packages' dev-dependencies only.
func uvDevOnly(pkgs []uvPackage) []bool {
	byName := map[string][]int{}
	for i := range pkgs {
		n := NormalizeName(pkgs[i].Name)
		byName[n] = append(byName[n], i)
	}
	var prodRoots, devRoots []uvDep
	for i := range pkgs {
		p := &pkgs[i]
		if !p.local() {
			continue
		}
		prodRoots = append(prodRoots, p.Dependencies...)
		for _, deps := range p.OptionalDependencies {
			prodRoots = append(prodRoots, deps...)
		}
		for _, deps := range p.DevDependencies {
			devRoots = append(devRoots, deps...)
		}
	}
	prod := uvReach(pkgs, byName, prodRoots)
	dev := uvReach(pkgs, byName, devRoots)
	out := make([]bool, len(pkgs))
	for i := range out {
		out[i] = dev[i] && !prod[i]
	}
	return out
}

// uvReach marks the packages reachable from roots through dependencies and
// optional dependencies. Each package is expanded once.
func uvReach(pkgs []uvPackage, byName map[string][]int, roots []uvDep) []bool {
	seen := make([]bool, len(pkgs))
	queue := append([]uvDep(nil), roots...)
	for len(queue) > 0 {
		d := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, i := range byName[NormalizeName(d.Name)] {
			p := &pkgs[i]
			if seen[i] || p.local() || (d.Version != "" && d.Version != p.Version) {
				continue
			}
			seen[i] = true
			queue = append(queue, p.Dependencies...)
			for _, deps := range p.OptionalDependencies {
				queue = append(queue, deps...)
			}
		}
	}
	return seen
}

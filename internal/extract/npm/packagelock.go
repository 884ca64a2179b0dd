package npm

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// PackageLockName is the name of the package-lock.json extractor.
const PackageLockName = "javascript/packagelock"

// NewPackageLock returns the extractor for package-lock.json and
// npm-shrinkwrap.json, lockfile versions 1 (nested "dependencies"), 2 and 3
// (the "packages" map keyed by node_modules paths; when a version 2 file
// carries both, "packages" is used).
func NewPackageLock() extract.Extractor { return packageLock{} }

type packageLock struct{}

// Name returns the extractor's stable name.
func (packageLock) Name() string { return PackageLockName }

// Version is bumped whenever the output for the same input may change.
func (packageLock) Version() int { return 1 }

// Required wants package-lock.json and npm-shrinkwrap.json outside
// node_modules.
func (packageLock) Required(f extract.FileInfo) bool {
	b := path.Base(f.Path)
	return (b == "package-lock.json" || b == "npm-shrinkwrap.json") && !inNodeModules(f.Path)
}

// lockFile is the part of a package-lock.json vigil reads.
type lockFile struct {
	LockfileVersion int                    `json:"lockfileVersion"`
	Packages        map[string]lockPackage `json:"packages"`
	Dependencies    map[string]lockDep     `json:"dependencies"`
}

// lockPackage is an entry of the v2/v3 "packages" map.
type lockPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Dev     bool   `json:"dev"`
	Link    bool   `json:"link"`
}

// lockDep is an entry of the v1 nested "dependencies" tree.
type lockDep struct {
	Version      string             `json:"version"`
	Dev          bool               `json:"dev"`
	Dependencies map[string]lockDep `json:"dependencies"`
}

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e packageLock) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxLockfileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	pkgs, err := ParsePackageLock(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return pkgs, nil
}

// ParsePackageLock parses the content of a package-lock.json or
// npm-shrinkwrap.json. The direct reader handles the files npm writes;
// anything outside its subset (and every malformed file) is decoded with
// encoding/json, the reference for both packages and errors.
func ParsePackageLock(ctx context.Context, b []byte) ([]model.Package, error) {
	pkgs, err := readPackageLock(ctx, b)
	if !errors.Is(err, errGeneral) {
		return pkgs, err
	}
	return decodePackageLock(ctx, b)
}

// decodePackageLock parses a package-lock.json with encoding/json.
func decodePackageLock(ctx context.Context, b []byte) ([]model.Package, error) {
	var lf lockFile
	if err := json.Unmarshal(b, &lf); err != nil {
		return nil, err
	}
	c := newCollector(model.ManagerNPM)
	if len(lf.Packages) > 0 {
		if err := lockPackages(ctx, c, lf.Packages); err != nil {
			return nil, err
		}
		return c.result()
	}
	if err := lockDeps(ctx, c, lf.Dependencies, 0); err != nil {
		return nil, err
	}
	return c.result()
}

// lockPackages reads the v2/v3 "packages" map. Only entries installed under
// a node_modules directory are dependencies; the root ("") and workspace
// members ("packages/a") are the project itself, and link entries point at
// workspace members.
func lockPackages(ctx context.Context, c *collector, m map[string]lockPackage) error {
	n := 0
	for key, p := range m {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 || (i > 0 && key[i-1] != '/') || p.Link {
			continue
		}
		name := key[i+len("node_modules/"):]
		if p.Name != "" {
			name = p.Name // an alias installed under another name
		}
		if err := c.add(name, p.Version, p.Dev); err != nil {
			return err
		}
	}
	return nil
}

// lockDeps reads the v1 nested "dependencies" tree.
func lockDeps(ctx context.Context, c *collector, m map[string]lockDep, depth int) error {
	if depth > maxDepth {
		return errors.New("dependency tree nested too deeply")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for name, d := range m {
		if n, v, ok := v1Version(name, d.Version); ok {
			if err := c.add(n, v, d.Dev); err != nil {
				return err
			}
		}
		if err := lockDeps(ctx, c, d.Dependencies, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// v1Version resolves a v1 entry's version: "npm:real@1.2.3" is an alias of
// real@1.2.3; "file:" and "link:" point at local directories and are not
// reported; other specifiers (git URLs, tarball URLs) are kept as written.
func v1Version(name, version string) (string, string, bool) {
	switch {
	case version == "":
		return "", "", false
	case strings.HasPrefix(version, "npm:"):
		return splitSpec(version[len("npm:"):])
	case strings.HasPrefix(version, "file:"), strings.HasPrefix(version, "link:"):
		return "", "", false
	}
	return name, version, true
}

// pathOf returns the input's path, tolerating a nil input.
func pathOf(in *extract.Input) string {
	if in == nil {
		return ""
	}
	return in.Path
}

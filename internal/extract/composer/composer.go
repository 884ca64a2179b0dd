package composer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Extractor names.
const (
	// LockName is the name of the composer.lock extractor.
	LockName = "php/composerlock"
	// InstalledName is the name of the vendor/composer/installed.json extractor.
	InstalledName = "php/composerinstalled"
)

const (
	// maxSize bounds one file read when the input's limits give none.
	maxSize = 64 << 20
	// maxPackages bounds the packages reported from one file.
	maxPackages = 100_000
)

type composerPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type lockFile struct {
	Packages    []composerPackage `json:"packages"`
	PackagesDev []composerPackage `json:"packages-dev"`
}

type installedV2 struct {
	Packages        []composerPackage `json:"packages"`
	DevPackageNames []string          `json:"dev-package-names"`
}

type extractor struct {
	name  string
	parse func([]byte) ([]model.Package, error)
	want  func(p string) bool
}

// NewLock returns the composer.lock extractor.
func NewLock() extract.Extractor {
	return extractor{name: LockName, parse: parseLock, want: func(p string) bool {
		return path.Base(p) == "composer.lock"
	}}
}

// NewInstalled returns the vendor/composer/installed.json extractor.
func NewInstalled() extract.Extractor {
	return extractor{name: InstalledName, parse: parseInstalled, want: func(p string) bool {
		return strings.HasSuffix(p, "/vendor/composer/installed.json")
	}}
}

// Name implements extract.Extractor.
func (e extractor) Name() string { return e.name }

// Version implements extract.Extractor.
func (extractor) Version() int { return 1 }

// Required implements extract.Extractor.
func (e extractor) Required(f extract.FileInfo) bool { return e.want(f.Path) }

// Extract implements extract.Extractor.
func (e extractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	limit := int64(maxSize)
	if in.Limits != nil && in.Limits.MaxFileSize > 0 && in.Limits.MaxFileSize < limit {
		limit = in.Limits.MaxFileSize
	}
	if in.Reader == nil {
		return nil, &extract.ParseError{Extractor: e.name, Path: in.Path, Err: errors.New("input has no reader")}
	}
	b, err := io.ReadAll(io.LimitReader(in.Reader, limit+1))
	if err != nil {
		return nil, &extract.ParseError{Extractor: e.name, Path: in.Path, Err: err}
	}
	if int64(len(b)) > limit {
		return nil, &extract.LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pkgs, err := e.parse(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: e.name, Path: in.Path, Err: err}
	}
	return pkgs, nil
}

func parseLock(b []byte) ([]model.Package, error) {
	var lf lockFile
	if err := json.Unmarshal(b, &lf); err != nil {
		return nil, err
	}
	return collect(lf.Packages, lf.PackagesDev, nil)
}

func parseInstalled(b []byte) ([]model.Package, error) {
	trimmed := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list []composerPackage
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, err
		}
		return collect(list, nil, nil)
	}
	var v2 installedV2
	if err := json.Unmarshal(trimmed, &v2); err != nil {
		return nil, err
	}
	dev := make(map[string]bool, len(v2.DevPackageNames))
	for _, n := range v2.DevPackageNames {
		dev[n] = true
	}
	return collect(v2.Packages, nil, dev)
}

// collect turns runtime and dev package lists into packages; dev names
// mark runtime-list entries as Dev too.
func collect(runtime, devList []composerPackage, devNames map[string]bool) ([]model.Package, error) {
	if len(runtime)+len(devList) > maxPackages {
		return nil, fmt.Errorf("%d packages exceed the limit of %d", len(runtime)+len(devList), maxPackages)
	}
	out := make([]model.Package, 0, len(runtime)+len(devList))
	for i, list := range [][]composerPackage{runtime, devList} {
		for _, p := range list {
			if p.Name == "" || p.Version == "" {
				continue
			}
			pkg := newPackage(p.Name, p.Version)
			pkg.Dev = i == 1 || devNames[p.Name]
			out = append(out, pkg)
		}
	}
	return out, nil
}

// newPackage builds a Packagist package; "vendor/name" becomes the purl's
// namespace and name.
func newPackage(name, version string) model.Package {
	ns, n, ok := strings.Cut(name, "/")
	if !ok {
		ns, n = "", name
	}
	return model.Package{
		Ecosystem: model.EcosystemPackagist,
		Name:      name,
		Version:   version,
		PURL:      packageurl.NewPackageURL(packageurl.TypeComposer, ns, n, version, nil, "").ToString(),
		Manager:   model.ManagerComposer,
	}
}

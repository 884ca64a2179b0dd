package dotnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Extractor names.
const (
	// LockName is the name of the packages.lock.json extractor.
	LockName = "dotnet/packageslockjson"
	// DepsName is the name of the *.deps.json extractor.
	DepsName = "dotnet/depsjson"
)

const (
	// maxSize bounds one file read when the input's limits give none.
	maxSize = 64 << 20
	// maxPackages bounds the packages reported from one file.
	maxPackages = 100_000
)

type lockFile struct {
	Dependencies map[string]map[string]lockDep `json:"dependencies"`
}

type lockDep struct {
	Type     string `json:"type"`
	Resolved string `json:"resolved"`
}

type depsFile struct {
	Libraries map[string]depsLibrary `json:"libraries"`
}

type depsLibrary struct {
	Type string `json:"type"`
}

type extractor struct {
	name    string
	manager model.PackageManager
	parse   func([]byte) ([][2]string, error)
	want    func(base string) bool
}

// NewLock returns the packages.lock.json extractor.
func NewLock() extract.Extractor {
	return extractor{name: LockName, manager: model.ManagerNuGet, parse: parseLock,
		want: func(b string) bool { return b == "packages.lock.json" }}
}

// NewDeps returns the *.deps.json extractor.
func NewDeps() extract.Extractor {
	return extractor{name: DepsName, manager: model.ManagerDotnet, parse: parseDeps,
		want: func(b string) bool { return strings.HasSuffix(b, ".deps.json") && len(b) > len(".deps.json") }}
}

// Name implements extract.Extractor.
func (e extractor) Name() string { return e.name }

// Version implements extract.Extractor.
func (extractor) Version() int { return 1 }

// Required implements extract.Extractor.
func (e extractor) Required(f extract.FileInfo) bool { return e.want(path.Base(f.Path)) }

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
	pairs, err := e.parse(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: e.name, Path: in.Path, Err: err}
	}
	return toPackages(pairs, e.manager), nil
}

// parseLock returns the (name, version) pairs of every framework's
// non-project dependencies.
func parseLock(b []byte) ([][2]string, error) {
	var lf lockFile
	if err := json.Unmarshal(b, &lf); err != nil {
		return nil, err
	}
	var out [][2]string
	for _, deps := range lf.Dependencies {
		for name, d := range deps {
			if d.Type == "Project" || name == "" || d.Resolved == "" {
				continue
			}
			if len(out) >= maxPackages {
				return nil, fmt.Errorf("more than %d dependencies", maxPackages)
			}
			out = append(out, [2]string{name, d.Resolved})
		}
	}
	return out, nil
}

// parseDeps returns the (name, version) pairs of the package libraries.
func parseDeps(b []byte) ([][2]string, error) {
	var df depsFile
	if err := json.Unmarshal(b, &df); err != nil {
		return nil, err
	}
	if len(df.Libraries) > maxPackages {
		return nil, fmt.Errorf("%d libraries exceed the limit of %d", len(df.Libraries), maxPackages)
	}
	var out [][2]string
	for key, lib := range df.Libraries {
		if lib.Type != "package" {
			continue
		}
		name, version, ok := strings.Cut(key, "/")
		if !ok || name == "" || version == "" {
			continue
		}
		out = append(out, [2]string{name, version})
	}
	return out, nil
}

// toPackages de-duplicates and sorts (name, version) pairs into packages.
func toPackages(pairs [][2]string, m model.PackageManager) []model.Package {
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	var out []model.Package
	for i, p := range pairs {
		if i > 0 && p == pairs[i-1] {
			continue
		}
		out = append(out, model.Package{
			Ecosystem: model.EcosystemNuGet,
			Name:      p[0],
			Version:   p[1],
			PURL:      packageurl.NewPackageURL(packageurl.TypeNuget, "", p[0], p[1], nil, "").ToString(),
			Manager:   m,
		})
	}
	return out
}

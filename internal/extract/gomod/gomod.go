package gomod

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/package-url/packageurl-go"
	"golang.org/x/mod/modfile"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Name is the extractor's name.
const Name = "go/gomod"

// MaxSize bounds a go.mod file; real ones are a few kilobytes.
const MaxSize = 4 << 20

// ErrTooLarge reports a go.mod file larger than MaxSize.
var ErrTooLarge = errors.New("go.mod larger than 4 MiB")

// Extractor reads go.mod files.
type Extractor struct{}

// New returns the go.mod extractor.
func New() extract.Extractor { return Extractor{} }

// Name implements extract.Extractor.
func (Extractor) Name() string { return Name }

// Version implements extract.Extractor.
func (Extractor) Version() int { return 1 }

// Required implements extract.Extractor.
func (Extractor) Required(f extract.FileInfo) bool {
	if path.Base(f.Path) != "go.mod" || f.Size > MaxSize {
		return false
	}
	return !strings.Contains(f.Path, "/pkg/mod/") && !strings.Contains(f.Path, "/vendor/")
}

// Extract implements extract.Extractor.
func (Extractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	data, err := io.ReadAll(io.LimitReader(in.Reader, MaxSize+1))
	if err != nil {
		return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: err}
	}
	if len(data) > MaxSize {
		return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: ErrTooLarge}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := modfile.Parse(in.Path, data, nil)
	if err != nil {
		return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: err}
	}
	return packages(f), nil
}

// packages lists the requirements of f with its replacements applied.
func packages(f *modfile.File) []model.Package {
	// A replace with a version applies to that version only and wins over
	// one without.
	exact := map[string]modfile.Replace{}
	anyVersion := map[string]modfile.Replace{}
	for _, r := range f.Replace {
		if r == nil {
			continue
		}
		if r.Old.Version != "" {
			exact[r.Old.Path+"@"+r.Old.Version] = *r
		} else {
			anyVersion[r.Old.Path] = *r
		}
	}
	var out []model.Package
	seen := map[string]bool{}
	for _, r := range f.Require {
		if r == nil {
			continue
		}
		p, v := r.Mod.Path, r.Mod.Version
		if rep, ok := exact[p+"@"+v]; ok {
			p, v = rep.New.Path, rep.New.Version
		} else if rep, ok := anyVersion[p]; ok {
			p, v = rep.New.Path, rep.New.Version
		}
		if v == "" || seen[p+"@"+v] {
			continue // local directory replacement, or a duplicate
		}
		seen[p+"@"+v] = true
		out = append(out, goPackage(p, v))
	}
	return out
}

// goPackage builds a Go module package with its pkg:golang purl.
func goPackage(modPath, version string) model.Package {
	ns, name := "", modPath
	if i := strings.LastIndexByte(modPath, '/'); i >= 0 {
		ns, name = modPath[:i], modPath[i+1:]
	}
	return model.Package{
		Ecosystem: model.EcosystemGo,
		Name:      modPath,
		Version:   version,
		PURL:      packageurl.NewPackageURL(packageurl.TypeGolang, ns, name, version, nil, "").ToString(),
		Manager:   model.ManagerGoMod,
		Extractor: Name,
	}
}

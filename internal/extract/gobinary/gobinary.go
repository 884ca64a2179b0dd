package gobinary

import (
	"context"
	"debug/buildinfo"
	"errors"
	"path"
	"runtime/debug"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Name is the extractor's name.
const Name = "go/binary"

// Size bounds for a file worth opening: the smallest Go executables are
// about a megabyte; MaxSize is applied on top of the walker's limit.
const (
	MinSize = 64 << 10
	MaxSize = 512 << 20
)

// MaxModules bounds the dependencies reported for one binary.
const MaxModules = 100_000

// Extractor reads Go build information.
type Extractor struct{}

// New returns the Go binary extractor.
func New() extract.Extractor { return Extractor{} }

// Name implements extract.Extractor.
func (Extractor) Name() string { return Name }

// Version implements extract.Extractor.
func (Extractor) Version() int { return 1 }

// ErrTooManyModules reports build information listing more than
// MaxModules modules.
var ErrTooManyModules = errors.New("too many modules in build information")

// skipExt are extensions of files that are never Go executables.
var skipExt = map[string]bool{
	".sh": true, ".py": true, ".pl": true, ".rb": true, ".js": true, ".txt": true,
	".md": true, ".json": true, ".yaml": true, ".yml": true, ".xml": true, ".html": true,
	".jar": true, ".zip": true, ".gz": true, ".tar": true, ".a": true, ".o": true, ".h": true,
	".c": true, ".go": true, ".conf": true, ".png": true, ".jpg": true, ".svg": true,
}

// Required implements extract.Extractor.
func (Extractor) Required(f extract.FileInfo) bool {
	if !f.Mode.IsRegular() || f.Size < MinSize || f.Size > MaxSize {
		return false
	}
	if skipExt[strings.ToLower(path.Ext(f.Path))] {
		return false
	}
	if f.Mode&0o111 != 0 || strings.HasSuffix(strings.ToLower(f.Path), ".exe") {
		return true
	}
	// Files in bin directories are executables even when an archive lost
	// their mode bits.
	return strings.Contains(f.Path, "/bin/") || strings.Contains(f.Path, "/sbin/")
}

// Extract implements extract.Extractor.
func (Extractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	bi, ok := read(in)
	if !ok {
		return nil, nil
	}
	var out []model.Package
	if m := bi.Main; m.Path != "" && m.Version != "" && m.Version != "(devel)" {
		out = append(out, goPackage(m.Path, m.Version))
	}
	for i, dep := range bi.Deps {
		if i >= MaxModules {
			return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: ErrTooManyModules}
		}
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if dep == nil {
			continue
		}
		mod := dep
		if dep.Replace != nil {
			mod = dep.Replace
		}
		if mod.Path == "" || mod.Version == "" {
			continue // replaced by a local directory
		}
		out = append(out, goPackage(mod.Path, mod.Version))
	}
	if v := ToolchainVersion(bi.GoVersion); v != "" {
		out = append(out, model.Package{
			Ecosystem: model.EcosystemGo,
			Name:      "stdlib",
			Version:   v,
			PURL:      packageurl.NewPackageURL(packageurl.TypeGolang, "", "stdlib", v, nil, "").ToString(),
			Manager:   model.ManagerGoBinary,
			Extractor: Name,
		})
	}
	return out, nil
}

// read returns the build information of a Go executable, or false for any
// other file. debug/buildinfo parses untrusted object files; a panic in it
// is treated as "not a Go binary" so that one hostile file cannot end a
// scan.
func read(in *extract.Input) (bi *debug.BuildInfo, ok bool) {
	if in.ReaderAt == nil {
		return nil, false
	}
	defer func() {
		if recover() != nil {
			bi, ok = nil, false
		}
	}()
	bi, err := buildinfo.Read(in.ReaderAt)
	if err != nil || bi == nil {
		return nil, false
	}
	return bi, true
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
		Manager:   model.ManagerGoBinary,
		Extractor: Name,
	}
}

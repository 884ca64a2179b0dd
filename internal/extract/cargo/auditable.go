package cargo

import (
	"bytes"
	"compress/zlib"
	"context"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// AuditableName is the name of the cargo-auditable binary extractor.
const AuditableName = "rust/cargoauditable"

const (
	// maxSectionSize bounds the compressed dependency section.
	maxSectionSize = 8 << 20
	// maxJSONSize bounds the decompressed dependency JSON.
	maxJSONSize = 32 << 20
	// maxAuditablePackages bounds the packages listed in one binary.
	maxAuditablePackages = 200_000
	// minBinarySize skips files too small to be an executable.
	minBinarySize = 64
)

// errNoSection reports a binary without a cargo-auditable section.
var errNoSection = errors.New("no dependency section")

type auditableExtractor struct{}

// NewAuditable returns the extractor for Rust binaries built with
// cargo-auditable.
func NewAuditable() extract.Extractor { return auditableExtractor{} }

// Name implements extract.Extractor.
func (auditableExtractor) Name() string { return AuditableName }

// Version implements extract.Extractor.
func (auditableExtractor) Version() int { return 1 }

// Required implements extract.Extractor: executable files and files named
// like Windows executables.
func (auditableExtractor) Required(f extract.FileInfo) bool {
	if f.Size < minBinarySize {
		return false
	}
	if f.Mode.IsDir() {
		return false
	}
	lower := strings.ToLower(f.Path)
	return f.Mode&0o111 != 0 || strings.HasSuffix(lower, ".exe") || strings.HasSuffix(lower, ".dll")
}

// Extract implements extract.Extractor. A file that is not an executable, or
// an executable without the section, yields no packages and no error.
func (auditableExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	if in.ReaderAt == nil {
		return nil, &extract.ParseError{Extractor: AuditableName, Path: in.Path, Err: errors.New("input has no ReaderAt")}
	}
	compressed, err := depSection(in.ReaderAt)
	if errors.Is(err, errNoSection) {
		return nil, nil
	}
	if err != nil {
		return nil, &extract.ParseError{Extractor: AuditableName, Path: in.Path, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pkgs, err := decodeDeps(compressed, ratioLimit(in))
	if err != nil {
		var le *extract.LimitError
		if errors.As(err, &le) {
			le.Path = in.Path
			return nil, le
		}
		return nil, &extract.ParseError{Extractor: AuditableName, Path: in.Path, Err: err}
	}
	return pkgs, nil
}

func ratioLimit(in *extract.Input) int64 {
	if in.Limits != nil && in.Limits.MaxDecompressionRatio > 0 {
		return in.Limits.MaxDecompressionRatio
	}
	return extract.DefaultLimits().MaxDecompressionRatio
}

// depSection returns the raw (compressed) cargo-auditable section of an ELF,
// PE or Mach-O file. The debug/* parsers are given untrusted bytes; a panic
// in them is turned into an error.
func depSection(r io.ReaderAt) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("malformed executable: %v", p)
		}
	}()
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return nil, errNoSection
	}
	switch {
	case bytes.Equal(magic[:], []byte(elf.ELFMAG)):
		f, err := elf.NewFile(r)
		if err != nil {
			return nil, err
		}
		s := f.Section(".dep-v0")
		if s == nil || s.Type == elf.SHT_NOBITS {
			return nil, errNoSection
		}
		return readSection(s.Open(), s.Size)
	case magic[0] == 'M' && magic[1] == 'Z':
		f, err := pe.NewFile(r)
		if err != nil {
			return nil, err
		}
		s := f.Section(".dep-v0")
		if s == nil {
			return nil, errNoSection
		}
		return readSection(s.Open(), uint64(s.Size))
	case isMachO(magic):
		f, err := macho.NewFile(r)
		if err != nil {
			return nil, err
		}
		s := f.Section("__dep_v0")
		if s == nil {
			return nil, errNoSection
		}
		return readSection(s.Open(), s.Size)
	}
	return nil, errNoSection
}

func isMachO(m [4]byte) bool {
	le := uint32(m[0]) | uint32(m[1])<<8 | uint32(m[2])<<16 | uint32(m[3])<<24
	switch le {
	case macho.Magic32, macho.Magic64, 0xcefaedfe, 0xcffaedfe:
		return true
	}
	return false
}

func readSection(r io.Reader, size uint64) ([]byte, error) {
	if size > maxSectionSize {
		return nil, fmt.Errorf("dependency section of %d bytes exceeds %d", size, maxSectionSize)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSectionSize))
	if err != nil {
		return nil, err
	}
	return b, nil
}

type auditInfo struct {
	Packages []auditPackage `json:"packages"`
}

type auditPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Source  string `json:"source"`
	Kind    string `json:"kind"`
	Root    bool   `json:"root"`
}

// decodeDeps inflates a cargo-auditable section (zlib JSON) within the size
// and ratio bounds and returns its non-local packages.
func decodeDeps(compressed []byte, ratio int64) ([]model.Package, error) {
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	limit, which, value := int64(len(compressed))*ratio, "max-ratio", ratio
	if limit > maxJSONSize || limit <= 0 {
		limit, which, value = maxJSONSize, "max-file-size", maxJSONSize
	}
	raw, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, &extract.LimitError{Limit: which, Value: value}
	}
	var info auditInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		return nil, err
	}
	if len(info.Packages) > maxAuditablePackages {
		return nil, fmt.Errorf("%d packages exceed the limit of %d", len(info.Packages), maxAuditablePackages)
	}
	var out []model.Package
	for _, p := range info.Packages {
		if p.Name == "" || p.Version == "" || p.Source == "local" || p.Source == "builtin" {
			continue
		}
		pkg := newPackage(p.Name, p.Version, model.ManagerCargo)
		pkg.Dev = p.Kind == "build"
		out = append(out, pkg)
	}
	return out, nil
}

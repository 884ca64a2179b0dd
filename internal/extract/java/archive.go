package java

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// ArchiveName is the name of the Java archive extractor.
const ArchiveName = "java/archive"

const (
	// maxMetaSize bounds an inflated pom.properties or MANIFEST.MF.
	maxMetaSize = 1 << 20
	// maxNestedSize bounds one nested archive held in memory.
	maxNestedSize = 256 << 20
	// maxTotalInflated bounds the bytes inflated for one outer archive.
	maxTotalInflated = 1 << 30
	// maxEntries bounds the entries listed for one outer archive.
	maxEntries = 500_000
	// ratioSlack lets tiny, very compressible entries through the ratio check.
	ratioSlack = 4096
	// maxNesting caps Limits.MaxDepth, whatever it is set to.
	maxNesting = 64
)

// archiveExts are the file extensions read as Java archives.
var archiveExts = map[string]bool{
	".jar": true, ".war": true, ".ear": true, ".par": true, ".sar": true,
	".jpi": true, ".hpi": true,
}

func isArchiveName(p string) bool {
	return archiveExts[strings.ToLower(path.Ext(p))]
}

type archiveExtractor struct{}

// NewArchive returns the extractor for Java archives (jar, war, ear, par,
// sar, jpi, hpi), nested archives included.
func NewArchive() extract.Extractor { return archiveExtractor{} }

// Name implements extract.Extractor.
func (archiveExtractor) Name() string { return ArchiveName }

// Version implements extract.Extractor.
func (archiveExtractor) Version() int { return 1 }

// Required implements extract.Extractor: files with a Java archive
// extension.
func (archiveExtractor) Required(f extract.FileInfo) bool {
	return !f.Mode.IsDir() && isArchiveName(f.Path)
}

// walkState is shared by an outer archive and all archives nested in it.
type walkState struct {
	lim      extract.Limits
	entries  int   // entries still allowed
	inflated int64 // bytes still allowed to inflate
	firstErr error // first limit error met
}

func (s *walkState) limitHit(limit, p string, v int64) {
	if s.firstErr == nil {
		s.firstErr = &extract.LimitError{Limit: limit, Path: p, Value: v}
	}
}

// Extract implements extract.Extractor. On a limit it returns the packages
// found so far and an *extract.LimitError.
func (archiveExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	if in.ReaderAt == nil {
		return nil, &extract.ParseError{Extractor: ArchiveName, Path: in.Path, Err: errors.New("input has no ReaderAt")}
	}
	lim := limits(in)
	lim.MaxDepth = min(lim.MaxDepth, maxNesting)
	st := &walkState{lim: lim, entries: min(lim.MaxFiles, maxEntries), inflated: min(lim.MaxTotalBytes, maxTotalInflated)}
	zr, err := zip.NewReader(in.ReaderAt, in.Size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &extract.ParseError{Extractor: ArchiveName, Path: in.Path, Err: err}
	}
	pkgs, err := st.walk(ctx, zr, in.Path, 0)
	if err != nil {
		return pkgs, err
	}
	return pkgs, st.firstErr
}

// walk reads one archive: its own identity and the archives nested in it.
// depth is 0 for the outer file.
func (st *walkState) walk(ctx context.Context, zr *zip.Reader, p string, depth int) ([]model.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(zr.File) > st.entries {
		st.limitHit("max-files", p, int64(min(st.lim.MaxFiles, maxEntries)))
		return nil, nil
	}
	st.entries -= len(zr.File)

	var props []pomProperties
	var manifest map[string]string
	var nested []*zip.File
	for _, f := range zr.File {
		name := f.Name
		switch {
		case isPomProperties(name):
			b, ok := st.inflate(f, p, maxMetaSize)
			if !ok {
				continue
			}
			if pp, ok := parsePomProperties(b); ok {
				props = append(props, pp)
			}
		case strings.EqualFold(name, "META-INF/MANIFEST.MF"):
			if b, ok := st.inflate(f, p, maxMetaSize); ok {
				manifest = parseManifest(b)
			}
		case isArchiveName(name) && !f.FileInfo().IsDir():
			nested = append(nested, f)
		}
	}

	pkgs := identify(props, manifest, p)
	for i := range pkgs {
		pkgs[i].Path = p
	}

	for _, f := range nested {
		if err := ctx.Err(); err != nil {
			return pkgs, err
		}
		child := p + "!/" + strings.TrimPrefix(f.Name, "/")
		if depth+1 > st.lim.MaxDepth {
			st.limitHit("max-depth", child, int64(st.lim.MaxDepth))
			continue
		}
		b, ok := st.inflate(f, child, min(st.lim.MaxFileSize, maxNestedSize))
		if !ok {
			continue
		}
		czr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			continue // not a zip after all: a file named .jar that is not one
		}
		sub, err := st.walk(ctx, czr, child, depth+1)
		pkgs = append(pkgs, sub...)
		if err != nil {
			return pkgs, err
		}
	}
	return pkgs, nil
}

// inflate reads an entry into memory if its declared size is within max
// and within the decompression ratio, and stops reading at the same bound
// whatever the entry really holds. It records a limit error and returns
// false when a bound is hit; a corrupt entry is skipped silently.
func (st *walkState) inflate(f *zip.File, p string, max int64) ([]byte, bool) {
	bound := max
	ratioBound := int64(f.CompressedSize64)*st.lim.MaxDecompressionRatio + ratioSlack
	if f.Method == zip.Store {
		ratioBound = int64(f.CompressedSize64) + ratioSlack
	}
	if f.CompressedSize64 > 1<<40 || ratioBound < 0 {
		ratioBound = bound
	}
	byRatio := ratioBound < bound
	if byRatio {
		bound = ratioBound
	}
	if f.UncompressedSize64 > uint64(bound) {
		st.boundHit(byRatio, p, max)
		return nil, false
	}
	if int64(f.UncompressedSize64) > st.inflated {
		st.limitHit("max-total-bytes", p, min(st.lim.MaxTotalBytes, maxTotalInflated))
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, bound+1))
	st.inflated -= int64(len(b))
	if int64(len(b)) > bound {
		st.boundHit(byRatio, p, max)
		return nil, false
	}
	if err != nil {
		return nil, false
	}
	return b, true
}

func (st *walkState) boundHit(byRatio bool, p string, max int64) {
	if byRatio {
		st.limitHit("max-ratio", p, st.lim.MaxDecompressionRatio)
	} else {
		st.limitHit("max-file-size", p, max)
	}
}

// isPomProperties matches META-INF/maven/<group>/<artifact>/pom.properties
// (and deeper layouts some shading tools write).
func isPomProperties(name string) bool {
	return strings.HasPrefix(name, "META-INF/maven/") && path.Base(name) == "pom.properties"
}

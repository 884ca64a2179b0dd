package python

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// MetadataName is the name of the installed-distribution extractor.
const MetadataName = "python/metadata"

// NewMetadata returns the extractor for the metadata of installed
// distributions: "*.dist-info/METADATA" (wheels), "*.egg-info/PKG-INFO",
// bare "PKG-INFO" files (eggs, sdists) and "*.egg-info" files (distutils
// installs, common in distribution packages). The Name and Version headers are
// read; the headers end at the first blank line.
func NewMetadata() extract.Extractor { return metadata{} }

type metadata struct{}

// Name returns the extractor's stable name.
func (metadata) Name() string { return MetadataName }

// Version is bumped whenever the output for the same input may change.
func (metadata) Version() int { return 1 }

// Required wants METADATA inside a .dist-info directory, PKG-INFO files and
// .egg-info files.
func (metadata) Required(f extract.FileInfo) bool {
	switch b := path.Base(f.Path); {
	case b == "METADATA":
		return strings.HasSuffix(path.Dir(f.Path), ".dist-info")
	case b == "PKG-INFO":
		return true
	default:
		return strings.HasSuffix(b, ".egg-info") && !f.Mode.IsDir()
	}
}

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e metadata) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxMetadataSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := ParseMetadata(b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return []model.Package{p}, nil
}

// errNoNameVersion is returned for metadata without a Name or a Version.
var errNoNameVersion = errors.New("metadata without a valid Name and Version")

// ParseMetadata reads the Name, Version and licence headers of a core
// metadata file (METADATA, PKG-INFO).
func ParseMetadata(b []byte) (model.Package, error) {
	h, err := headers(b, "Name", "Version", "License", "License-Expression")
	if err != nil {
		return model.Package{}, err
	}
	name, version := h["Name"], h["Version"]
	if !ValidName(name) || !validVersion(version) {
		return model.Package{}, errNoNameVersion
	}
	p := model.Package{
		Ecosystem: model.EcosystemPyPI,
		Name:      name,
		Version:   version,
		PURL:      PURL(name, version),
		Manager:   model.ManagerPython,
	}
	lic := h["License-Expression"]
	if lic == "" {
		lic = h["License"]
	}
	if lic != "" && lic != "UNKNOWN" && len(lic) <= 128 {
		p.Licenses = []string{lic}
	}
	return p, nil
}

// headers reads RFC 822-style headers up to the first blank line and
// returns the first value of each wanted header (continuation lines are
// skipped). Header names are matched case-insensitively.
func headers(b []byte, want ...string) (map[string]string, error) {
	out := make(map[string]string, len(want))
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, w := range want {
			if _, seen := out[w]; !seen && strings.EqualFold(strings.TrimSpace(k), w) {
				out[w] = strings.TrimSpace(v)
			}
		}
	}
	return out, sc.Err()
}

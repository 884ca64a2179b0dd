package java

import (
	"fmt"
	"io"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// maxTextSize bounds a pom.xml or lockfile read when the input's limits
// give none.
const maxTextSize = 32 << 20

// limits returns the input's limits with zero fields set to the defaults.
func limits(in *extract.Input) extract.Limits {
	d := extract.DefaultLimits()
	if in.Limits == nil {
		return d
	}
	l := *in.Limits
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxDecompressionRatio <= 0 {
		l.MaxDecompressionRatio = d.MaxDecompressionRatio
	}
	return l
}

// readText reads a whole text input within the file size limit.
func readText(in *extract.Input) ([]byte, error) {
	limit := int64(maxTextSize)
	if l := limits(in); l.MaxFileSize < limit {
		limit = l.MaxFileSize
	}
	if in.Reader == nil {
		return nil, fmt.Errorf("input has no reader")
	}
	b, err := io.ReadAll(io.LimitReader(in.Reader, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &extract.LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	return b, nil
}

// newPackage builds a Maven package. An empty group gives the bare
// artifact as the name and a purl without namespace.
func newPackage(group, artifact, version string, m model.PackageManager) model.Package {
	name := artifact
	if group != "" {
		name = group + ":" + artifact
	}
	return model.Package{
		Ecosystem: model.EcosystemMaven,
		Name:      name,
		Version:   version,
		PURL:      packageurl.NewPackageURL(packageurl.TypeMaven, group, artifact, version, nil, "").ToString(),
		Manager:   m,
	}
}

// validCoord reports whether s can be a Maven coordinate part.
func validCoord(s string) bool {
	return s != "" && len(s) <= 256 && !strings.ContainsAny(s, " \t\r\n:/\\${}")
}

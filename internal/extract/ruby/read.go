package ruby

import (
	"fmt"
	"io"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// maxSize bounds one file read when the input's limits give none.
const maxSize = 32 << 20

// maxPackages bounds the packages reported from one file.
const maxPackages = 100_000

// readBounded reads the whole input, failing with a LimitError when it is
// larger than the file size limit.
func readBounded(in *extract.Input) ([]byte, error) {
	limit := int64(maxSize)
	if in.Limits != nil && in.Limits.MaxFileSize > 0 && in.Limits.MaxFileSize < limit {
		limit = in.Limits.MaxFileSize
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

// newPackage builds a RubyGems package; platform, when set, becomes a purl
// qualifier.
func newPackage(name, version, platform string, m model.PackageManager) model.Package {
	var q packageurl.Qualifiers
	if platform != "" {
		q = packageurl.QualifiersFromMap(map[string]string{"platform": platform})
	}
	return model.Package{
		Ecosystem: model.EcosystemRubyGems,
		Name:      name,
		Version:   version,
		PURL:      packageurl.NewPackageURL(packageurl.TypeGem, "", name, version, q, "").ToString(),
		Manager:   m,
	}
}

package ruby

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// GemspecName is the name of the installed gemspec extractor.
const GemspecName = "ruby/gemspec"

// assignRE matches "<var>.<field> = \"literal\"" with an optional .freeze.
var assignRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*[a-z_][a-z0-9_]*\.(name|version|platform)\s*=\s*(?:"([^"#\\]*)"|'([^'\\]*)')(?:\.freeze)?\s*$`)
})

type gemspecExtractor struct{}

// NewGemspec returns the extractor for installed gem specifications.
func NewGemspec() extract.Extractor { return gemspecExtractor{} }

// Name implements extract.Extractor.
func (gemspecExtractor) Name() string { return GemspecName }

// Version implements extract.Extractor.
func (gemspecExtractor) Version() int { return 1 }

// Required implements extract.Extractor: *.gemspec files in a directory
// named specifications (where RubyGems installs them) or in its default/
// subdirectory (the default gems shipped with Ruby).
func (gemspecExtractor) Required(f extract.FileInfo) bool {
	if !strings.HasSuffix(f.Path, ".gemspec") {
		return false
	}
	dir := path.Dir(f.Path)
	if path.Base(dir) == "default" {
		dir = path.Dir(dir)
	}
	return path.Base(dir) == "specifications"
}

// Extract implements extract.Extractor.
func (gemspecExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readBounded(in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := parseGemspec(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: GemspecName, Path: in.Path, Err: err}
	}
	return []model.Package{p}, nil
}

// parseGemspec reads the first literal name, version and platform
// assignments of a gemspec.
func parseGemspec(b []byte) (model.Package, error) {
	fields := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		m := assignRE().FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if _, seen := fields[m[1]]; !seen {
			fields[m[1]] = m[2] + m[3]
		}
	}
	if err := sc.Err(); err != nil {
		return model.Package{}, err
	}
	name, version := fields["name"], fields["version"]
	if name == "" || version == "" {
		return model.Package{}, errors.New("no literal name and version assignment")
	}
	platform := fields["platform"]
	if platform == "ruby" {
		platform = ""
	}
	return newPackage(name, version, platform, model.ManagerGemspec), nil
}

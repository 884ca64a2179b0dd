package ruby

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// GemfileLockName is the name of the Gemfile.lock extractor.
const GemfileLockName = "ruby/gemfilelock"

type gemfileLockExtractor struct{}

// NewGemfileLock returns the Gemfile.lock extractor.
func NewGemfileLock() extract.Extractor { return gemfileLockExtractor{} }

// Name implements extract.Extractor.
func (gemfileLockExtractor) Name() string { return GemfileLockName }

// Version implements extract.Extractor.
func (gemfileLockExtractor) Version() int { return 1 }

// Required implements extract.Extractor: Gemfile.lock and gems.locked.
func (gemfileLockExtractor) Required(f extract.FileInfo) bool {
	b := path.Base(f.Path)
	return b == "Gemfile.lock" || b == "gems.locked"
}

// Extract implements extract.Extractor.
func (gemfileLockExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readBounded(in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pkgs, err := parseGemfileLock(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: GemfileLockName, Path: in.Path, Err: err}
	}
	return pkgs, nil
}

// parseGemfileLock reads the specs of the GEM and GIT sections.
func parseGemfileLock(b []byte) ([]model.Package, error) {
	var out []model.Package
	section := ""
	inSpecs := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		if line[0] != ' ' {
			section, inSpecs = line, false
			continue
		}
		if section != "GEM" && section != "GIT" {
			continue
		}
		if line == "  specs:" {
			inSpecs = true
			continue
		}
		if !strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "     ") {
			if !strings.HasPrefix(line, "    ") {
				inSpecs = false // another "  key: value" line of the section
			}
			continue
		}
		if !inSpecs {
			continue
		}
		name, version, platform, ok := parseSpec(line[4:])
		if !ok {
			return nil, fmt.Errorf("malformed spec line %q", line)
		}
		if len(out) >= maxPackages {
			return nil, fmt.Errorf("more than %d specs", maxPackages)
		}
		out = append(out, newPackage(name, version, platform, model.ManagerBundler))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// parseSpec splits "name (version[-platform])".
func parseSpec(s string) (name, version, platform string, ok bool) {
	name, rest, found := strings.Cut(s, " (")
	if !found || name == "" || !strings.HasSuffix(rest, ")") || strings.ContainsAny(name, " ()") {
		return "", "", "", false
	}
	rest = strings.TrimSuffix(rest, ")")
	version, platform, _ = strings.Cut(rest, "-")
	if version == "" || strings.ContainsAny(version, " ()") {
		return "", "", "", false
	}
	return name, version, platform, true
}

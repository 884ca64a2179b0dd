package python

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const (
	// maxFileSize bounds the bytes read from one lockfile or manifest.
	maxFileSize = 32 << 20
	// maxMetadataSize bounds the bytes read from one METADATA file; only
	// its headers are read.
	maxMetadataSize = 16 << 20
	// maxPackages bounds the packages reported from one file.
	maxPackages = 200_000
	// maxLine bounds one line of a text file.
	maxLine = 1 << 20
)

// errTooManyPackages is returned when a file lists more than maxPackages.
var errTooManyPackages = fmt.Errorf("more than %d packages", maxPackages)

// readAll reads the whole input (without a copy when the walker holds it
// in memory), failing with a LimitError past limit bytes.
func readAll(in *extract.Input, limit int64) ([]byte, error) {
	return extract.ReadAll(in, limit)
}

// pathOf returns the input's path, tolerating a nil input.
func pathOf(in *extract.Input) string {
	if in == nil {
		return ""
	}
	return in.Path
}

// parseError wraps err for extractor name and path, keeping LimitErrors and
// context errors as they are.
func parseError(name, p string, err error) error {
	var le *extract.LimitError
	if errors.As(err, &le) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &extract.ParseError{Extractor: name, Path: p, Err: err}
}

// separators is compiled on first use, not at every start of the binary.
var separators = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-_.]+`) })

// NormalizeName returns the PEP 503 normalised form of a distribution name:
// lower case, with runs of "-", "_" and "." replaced by one "-".
func NormalizeName(name string) string {
	return separators().ReplaceAllString(strings.ToLower(name), "-")
}

// ValidName reports whether s is a valid PEP 508 distribution name, as
// ^[A-Za-z0-9]([A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$ would: written out
// by hand because that regexp, compiled at init, cost every vigil process
// (whatever it scanned) about 160 KB and 2 ms.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > 202 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// PURL returns the package URL of a PyPI distribution, with the name
// normalised ("pkg:pypi/jinja2@3.0.0").
func PURL(name, version string) string {
	return packageurl.NewPackageURL(packageurl.TypePyPi, "", NormalizeName(name), version, nil, "").ToString()
}

// validVersion reports whether s can be a version: not empty, bounded, no
// spaces, quotes or specifier characters.
func validVersion(s string) bool {
	return s != "" && len(s) <= 128 && !strings.ContainsAny(s, " \t\r\n\"',;<>=!~*()[]{}$#")
}

// collector gathers packages once per (normalised name, version), with Dev
// true only when every occurrence is a development dependency.
type collector struct {
	manager model.PackageManager
	index   map[[2]string]int
	pkgs    []model.Package
}

func newCollector(m model.PackageManager) *collector {
	return &collector{manager: m, index: map[[2]string]int{}}
}

// add records one package; invalid names and versions are ignored.
func (c *collector) add(name, version string, dev bool) error {
	name, version = strings.TrimSpace(name), strings.TrimSpace(version)
	if !ValidName(name) || !validVersion(version) {
		return nil
	}
	k := [2]string{NormalizeName(name), version}
	if i, ok := c.index[k]; ok {
		c.pkgs[i].Dev = c.pkgs[i].Dev && dev
		return nil
	}
	if len(c.pkgs) >= maxPackages {
		return errTooManyPackages
	}
	c.index[k] = len(c.pkgs)
	c.pkgs = append(c.pkgs, model.Package{
		Ecosystem: model.EcosystemPyPI,
		Name:      name,
		Version:   version,
		PURL:      PURL(name, version),
		Manager:   c.manager,
		Dev:       dev,
	})
	return nil
}

// result returns the packages sorted by normalised name and version.
func (c *collector) result() []model.Package {
	sort.Slice(c.pkgs, func(i, j int) bool {
		a, b := NormalizeName(c.pkgs[i].Name), NormalizeName(c.pkgs[j].Name)
		if a != b {
			return a < b
		}
		return c.pkgs[i].Version < c.pkgs[j].Version
	})
	return c.pkgs
}

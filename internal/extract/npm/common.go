package npm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const (
	// maxLockfileSize bounds the bytes read from one lockfile.
	maxLockfileSize = 64 << 20
	// maxManifestSize bounds the bytes read from one installed package.json.
	maxManifestSize = 4 << 20
	// maxPackages bounds the packages reported from one file.
	maxPackages = 500_000
	// maxDepth bounds the nesting of package-lock v1 dependency trees.
	maxDepth = 512
)

// errTooManyPackages is returned when a file lists more than maxPackages.
var errTooManyPackages = fmt.Errorf("more than %d packages", maxPackages)

// readAll reads the whole input (without a copy when the walker holds it
// in memory), failing with a LimitError past limit bytes.
func readAll(in *extract.Input, limit int64) ([]byte, error) {
	return extract.ReadAll(in, limit)
}

// PURL returns the package URL of an npm package: the scope, with its "@",
// is the purl namespace ("pkg:npm/%40babel/core@7.0.0"). As the purl
// specification asks, scope and name are lower-cased (legacy packages such
// as "JSONStream" keep their spelling in Package.Name).
func PURL(name, version string) string {
	ns, n := "", strings.ToLower(name)
	if strings.HasPrefix(n, "@") {
		if i := strings.IndexByte(n, '/'); i > 0 {
			ns, n = n[:i], n[i+1:]
		}
	}
	return packageurl.NewPackageURL(packageurl.TypeNPM, ns, n, version, nil, "").ToString()
}

// ProjectDir returns the directory of the project a lockfile describes (the
// directory holding it). For an installed package.json it is the
// directory of the node_modules tree's owner ("/app" for
// "/app/node_modules/a/node_modules/b/package.json"), so that a walker can
// tell that the installed packages and the project's lockfile describe the
// same tree.
func ProjectDir(p string) string {
	if i := strings.Index(p, "/node_modules/"); i >= 0 {
		if i == 0 {
			return "/"
		}
		return p[:i]
	}
	return path.Dir(p)
}

// splitSpec splits "name@rest" where name may carry a scope ("@s/n@1").
// ok is false when there is no version part.
func splitSpec(s string) (name, rest string, ok bool) {
	if len(s) < 2 {
		return "", "", false
	}
	i := strings.IndexByte(s[1:], '@')
	if i < 0 {
		return s, "", false
	}
	return s[:i+1], s[i+2:], true
}

// validName reports whether s is plausible as an npm package name: not
// empty, bounded, a scope followed by one path segment at most, no spaces.
func validName(s string) bool {
	if s == "" || len(s) > 214*2 || strings.ContainsAny(s, " \t\r\n\"'") {
		return false
	}
	if strings.HasPrefix(s, "@") {
		i := strings.IndexByte(s, '/')
		return i > 1 && i < len(s)-1 && !strings.Contains(s[i+1:], "/")
	}
	return !strings.Contains(s, "/")
}

// collector gathers (name, version) pairs once each, with Dev true only
// when every occurrence was a development dependency. Occurrences are
// appended to a compact list and merged by sorting (the result is sorted
// anyway), which allocates far less than a map and a []model.Package
// grown one element at a time; the list is merged whenever it doubles, so
// a file repeating the same packages stays bounded in memory.
type collector struct {
	manager model.PackageManager
	entries []entry
	// merged is the length of entries after the last merge.
	merged int
}

// entry is one occurrence of a package.
type entry struct {
	name, version string
	dev           bool
}

// minMerge is the number of occurrences gathered before the first merge.
const minMerge = 1 << 16

func newCollector(m model.PackageManager) *collector {
	return &collector{manager: m}
}

// add records one occurrence; it fails once more than maxPackages distinct
// packages were seen.
func (c *collector) add(name, version string, dev bool) error {
	if !validName(name) || version == "" || len(version) > 1024 {
		return nil
	}
	if len(c.entries) >= max(minMerge, 2*c.merged) {
		if err := c.merge(); err != nil {
			return err
		}
	}
	c.entries = append(c.entries, entry{name, version, dev})
	return nil
}

// merge sorts the occurrences by name and version and folds duplicates.
func (c *collector) merge() error {
	slices.SortFunc(c.entries, func(a, b entry) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.version, b.version))
	})
	out := c.entries[:0]
	for _, e := range c.entries {
		if n := len(out); n > 0 && out[n-1].name == e.name && out[n-1].version == e.version {
			out[n-1].dev = out[n-1].dev && e.dev
			continue
		}
		out = append(out, e)
	}
	clear(c.entries[len(out):])
	c.entries, c.merged = out, len(out)
	if len(out) > maxPackages {
		return errTooManyPackages
	}
	return nil
}

// result returns the packages sorted by name and version.
func (c *collector) result() ([]model.Package, error) {
	if err := c.merge(); err != nil {
		return nil, err
	}
	if len(c.entries) == 0 {
		return nil, nil
	}
	pkgs := make([]model.Package, len(c.entries))
	for i, e := range c.entries {
		pkgs[i] = model.Package{
			Ecosystem: model.EcosystemNPM,
			Name:      e.name,
			Version:   e.version,
			PURL:      PURL(e.name, e.version),
			Manager:   c.manager,
			Dev:       e.dev,
		}
	}
	return pkgs, nil
}

// inNodeModules reports whether p lies inside a node_modules directory.
func inNodeModules(p string) bool {
	return strings.Contains(p, "/node_modules/") || strings.HasPrefix(p, "node_modules/")
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

package npm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
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

// readAll reads the whole input, failing with a LimitError past limit bytes.
func readAll(in *extract.Input, limit int64) ([]byte, error) {
	if in == nil || in.Reader == nil {
		return nil, errors.New("no input")
	}
	if in.Size > limit {
		return nil, &extract.LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	// Size the buffer from the file's size, so a large lockfile is not
	// copied over and over while the buffer doubles.
	buf := bytes.NewBuffer(make([]byte, 0, max(in.Size, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(in.Reader, limit+1)); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if int64(len(b)) > limit {
		return nil, &extract.LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	return b, nil
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

// collector gathers (name, version) pairs once each, in first-seen order,
// with Dev true only when every occurrence was a development dependency.
type collector struct {
	manager model.PackageManager
	index   map[[2]string]int
	pkgs    []model.Package
}

func newCollector(m model.PackageManager) *collector {
	return &collector{manager: m, index: map[[2]string]int{}}
}

// add records one occurrence; it fails once maxPackages is exceeded.
func (c *collector) add(name, version string, dev bool) error {
	if !validName(name) || version == "" || len(version) > 1024 {
		return nil
	}
	k := [2]string{name, version}
	if i, ok := c.index[k]; ok {
		c.pkgs[i].Dev = c.pkgs[i].Dev && dev
		return nil
	}
	if len(c.pkgs) >= maxPackages {
		return errTooManyPackages
	}
	c.index[k] = len(c.pkgs)
	c.pkgs = append(c.pkgs, model.Package{
		Ecosystem: model.EcosystemNPM,
		Name:      name,
		Version:   version,
		PURL:      PURL(name, version),
		Manager:   c.manager,
		Dev:       dev,
	})
	return nil
}

// result returns the packages sorted by name and version.
func (c *collector) result() []model.Package {
	sort.Slice(c.pkgs, func(i, j int) bool {
		if c.pkgs[i].Name != c.pkgs[j].Name {
			return c.pkgs[i].Name < c.pkgs[j].Name
		}
		return c.pkgs[i].Version < c.pkgs[j].Version
	})
	return c.pkgs
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

package npm

import (
	"context"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// PNPMLockName is the name of the pnpm-lock.yaml extractor.
const PNPMLockName = "javascript/pnpmlock"

// NewPNPMLock returns the extractor for pnpm-lock.yaml, lockfile versions
// 5.x ("/name/1.2.3" keys), 6.x ("/name@1.2.3(peer@1)") and 9.x ("packages"
// plus "snapshots", keys "name@1.2.3"). Dev comes from the packages' "dev"
// field up to 6.x; from 9.0 on, a package is Dev when it is reachable only
// from the importers' devDependencies.
func NewPNPMLock() extract.Extractor { return pnpmLock{} }

type pnpmLock struct{}

// Name returns the extractor's stable name.
func (pnpmLock) Name() string { return PNPMLockName }

// Version is bumped whenever the output for the same input may change.
func (pnpmLock) Version() int { return 1 }

// Required wants pnpm-lock.yaml outside node_modules.
func (pnpmLock) Required(f extract.FileInfo) bool {
	return path.Base(f.Path) == "pnpm-lock.yaml" && !inNodeModules(f.Path)
}

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e pnpmLock) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxLockfileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	pkgs, err := ParsePNPMLock(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return pkgs, nil
}

// pnpmFile is the part of a pnpm-lock.yaml vigil reads.
type pnpmFile struct {
	LockfileVersion string                  `yaml:"lockfileVersion"`
	Importers       map[string]pnpmImporter `yaml:"importers"`
	Packages        map[string]pnpmPackage  `yaml:"packages"`
	Snapshots       map[string]pnpmSnapshot `yaml:"snapshots"`
}

type pnpmImporter struct {
	Dependencies         map[string]pnpmRef `yaml:"dependencies"`
	DevDependencies      map[string]pnpmRef `yaml:"devDependencies"`
	OptionalDependencies map[string]pnpmRef `yaml:"optionalDependencies"`
}

// pnpmRef is an importer's dependency: a plain version (5.x) or a map with
// "specifier" and "version" (6.x and later).
type pnpmRef struct{ Version string }

// UnmarshalYAML accepts both forms of an importer's dependency.
func (r *pnpmRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Version = n.Value
		return nil
	}
	var m struct {
		Version string `yaml:"version"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	r.Version = m.Version
	return nil
}

type pnpmPackage struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
	Dev     *bool  `yaml:"dev"`
}

type pnpmSnapshot struct {
	Dependencies         map[string]string `yaml:"dependencies"`
	OptionalDependencies map[string]string `yaml:"optionalDependencies"`
}

// ParsePNPMLock parses the content of a pnpm-lock.yaml.
func ParsePNPMLock(ctx context.Context, b []byte) ([]model.Package, error) {
	var f pnpmFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if len(f.Packages) > maxPackages || len(f.Snapshots) > maxPackages {
		return nil, errTooManyPackages
	}
	major := lockMajor(f.LockfileVersion)
	var devOnly map[string]bool
	if major >= 9 {
		devOnly = pnpmDevOnly(f)
	}
	c := newCollector(model.ManagerPNPM)
	n := 0
	for key, p := range f.Packages {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		name, version, ok := pnpmKey(key, major)
		if p.Name != "" {
			name = p.Name
		}
		if !ok || !startsWithDigit(version) {
			version = p.Version
		}
		if name == "" || version == "" {
			continue // a local directory without a version
		}
		dev := p.Dev != nil && *p.Dev
		if devOnly != nil {
			dev = devOnly[stripPeers(key)]
		}
		if err := c.add(name, version, dev); err != nil {
			return nil, err
		}
	}
	return c.result()
}

// lockMajor returns the major lockfile version ("5.4" → 5, "9.0" → 9); 0
// when unknown.
func lockMajor(v string) int {
	v = strings.Trim(v, "'\" ")
	if i := strings.IndexByte(v, '.'); i >= 0 {
		v = v[:i]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// pnpmKey splits a packages key into name and version. Up to 5.x keys are
// "/name/1.2.3_peer@2" ("/@scope/name/1.2.3"); later ones are
// "/name@1.2.3(peer@2)" (6.x) or "name@1.2.3" (9.x).
func pnpmKey(key string, major int) (string, string, bool) {
	key = strings.TrimPrefix(key, "/")
	if (major > 0 && major < 6) || (major == 0 && !strings.Contains(strings.TrimPrefix(key, "@"), "@")) {
		segs := strings.Split(key, "/")
		i := 1
		if strings.HasPrefix(key, "@") {
			i = 2
		}
		if len(segs) != i+1 {
			return "", "", false
		}
		v, _, _ := strings.Cut(segs[i], "_")
		return strings.Join(segs[:i], "/"), v, true
	}
	return splitSpec(stripPeers(key))
}

// stripPeers removes the peer suffix "(peer@1)(other@2)" of a key and its
// leading slash.
func stripPeers(key string) string {
	key = strings.TrimPrefix(key, "/")
	if i := strings.IndexByte(key, '('); i > 0 {
		return key[:i]
	}
	return key
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// pnpmDevOnly walks the 9.x dependency graph from the importers and returns
// the packages keys ("name@1.2.3") reachable from devDependencies only.
func pnpmDevOnly(f pnpmFile) map[string]bool {
	var prodRoots, devRoots []string
	for _, imp := range f.Importers {
		for name, r := range imp.Dependencies {
			prodRoots = appendRef(prodRoots, name, r.Version)
		}
		for name, r := range imp.OptionalDependencies {
			prodRoots = appendRef(prodRoots, name, r.Version)
		}
		for name, r := range imp.DevDependencies {
			devRoots = appendRef(devRoots, name, r.Version)
		}
	}
	prod := pnpmReach(f.Snapshots, prodRoots)
	dev := pnpmReach(f.Snapshots, devRoots)
	out := make(map[string]bool, len(dev))
	for k := range dev {
		if !prod[k] {
			out[k] = true
		}
	}
	return out
}

// appendRef appends the snapshot key a dependency reference points at:
// "name@version(peers)", or the alias target "real@1.2.3"; links to local
// directories are left out.
func appendRef(keys []string, name, version string) []string {
	if version == "" || strings.HasPrefix(version, "link:") {
		return keys
	}
	if !startsWithDigit(version) {
		if n, _, ok := splitSpec(version); ok && validName(n) && !strings.ContainsAny(n, "():") {
			return append(keys, version)
		}
	}
	return append(keys, name+"@"+version)
}

// pnpmReach returns the packages keys (peer suffixes stripped) reachable
// from the root snapshot keys. Each snapshot is visited once, so the walk
// is bounded by the number of snapshots.
func pnpmReach(snaps map[string]pnpmSnapshot, roots []string) map[string]bool {
	seen := make(map[string]bool, len(roots))
	out := make(map[string]bool, len(roots))
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		k := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[k] {
			continue
		}
		seen[k] = true
		out[stripPeers(k)] = true
		s, ok := snaps[k]
		if !ok {
			continue
		}
		for name, v := range s.Dependencies {
			queue = appendRef(queue, name, v)
		}
		for name, v := range s.OptionalDependencies {
			queue = appendRef(queue, name, v)
		}
	}
	return out
}

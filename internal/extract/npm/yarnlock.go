package npm

import (
	"bufio"
	"bytes"
	"context"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// YarnLockName is the name of the yarn.lock extractor.
const YarnLockName = "javascript/yarnlock"

// maxLine bounds one line of a text lockfile.
const maxLine = 1 << 20

// NewYarnLock returns the extractor for yarn.lock, both the classic (v1)
// format and the berry (v2+) format that starts with "__metadata".
func NewYarnLock() extract.Extractor { return yarnLock{} }

type yarnLock struct{}

// Name returns the extractor's stable name.
func (yarnLock) Name() string { return YarnLockName }

// Version is bumped whenever the output for the same input may change.
func (yarnLock) Version() int { return 1 }

// Required wants yarn.lock outside node_modules.
func (yarnLock) Required(f extract.FileInfo) bool {
	return path.Base(f.Path) == "yarn.lock" && !inNodeModules(f.Path)
}

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e yarnLock) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxLockfileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	pkgs, err := ParseYarnLock(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return pkgs, nil
}

// yarnEntry is one top-level block of a yarn.lock.
type yarnEntry struct {
	keys       string // the header line without its ":"
	version    string
	resolution string // berry only
}

// ParseYarnLock parses the content of a yarn.lock, classic or berry.
func ParseYarnLock(ctx context.Context, b []byte) ([]model.Package, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	c := newCollector(model.ManagerYarn)
	var (
		cur   *yarnEntry
		berry bool
		n     int
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		e := cur
		cur = nil
		name, version, ok := yarnPackage(e, berry)
		if !ok {
			return nil
		}
		return c.add(name, version, false)
	}
	for sc.Scan() {
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(strings.TrimLeft(line, " "), "#") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			if err := flush(); err != nil {
				return nil, err
			}
			if !strings.HasSuffix(line, ":") {
				continue
			}
			keys := strings.TrimSuffix(line, ":")
			if keys == "__metadata" {
				berry = true
				continue
			}
			cur = &yarnEntry{keys: keys}
			continue
		}
		if cur == nil {
			continue
		}
		// Fields of an entry are indented by exactly two spaces; deeper
		// lines belong to nested maps (dependencies, dependenciesMeta).
		if !strings.HasPrefix(line, "  ") || (len(line) > 2 && (line[2] == ' ' || line[2] == '\t')) {
			continue
		}
		k, v := yarnField(line[2:])
		switch k {
		case "version":
			cur.version = v
		case "resolution":
			cur.resolution = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return c.result()
}

// yarnField splits `key "value"` (classic) or `key: value` (berry).
func yarnField(s string) (string, string) {
	var k, v string
	if i := strings.IndexAny(s, ": "); i >= 0 {
		k, v = s[:i], strings.TrimLeft(s[i+1:], ": ")
	} else {
		return s, ""
	}
	return unquote(k), unquote(strings.TrimSpace(v))
}

// unquote strips one pair of surrounding double quotes.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// yarnSkipProtocols are resolutions of the project's own code.
var yarnSkipProtocols = []string{"workspace:", "link:", "portal:"}

// yarnPackage returns the name and version an entry describes. Berry
// entries are named by their resolution ("@s/n@npm:1.2.3"); classic entries
// by the first descriptor of their header, where "alias@npm:real@^1"
// names the real package.
func yarnPackage(e *yarnEntry, berry bool) (string, string, bool) {
	if e.version == "" {
		return "", "", false
	}
	spec := e.resolution
	if spec == "" {
		first, _, _ := strings.Cut(e.keys, ",")
		spec = unquote(strings.TrimSpace(first))
	}
	name, rest, ok := splitSpec(spec)
	if !ok {
		return "", "", false
	}
	for _, p := range yarnSkipProtocols {
		if strings.HasPrefix(rest, p) {
			return "", "", false
		}
	}
	if !berry || e.resolution == "" {
		// Classic aliases: "alias@npm:real@^1.0.0".
		if r, ok := strings.CutPrefix(rest, "npm:"); ok {
			if real, _, ok := splitSpec(r); ok {
				name = real
			}
		}
	}
	return name, e.version, true
}

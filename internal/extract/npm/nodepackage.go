package npm

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// NodePackageName is the name of the installed package.json extractor.
const NodePackageName = "javascript/packagejson"

// NewNodePackage returns the extractor for the package.json of a package
// installed under node_modules ("…/node_modules/name/package.json" or
// "…/node_modules/@scope/name/package.json"). Files without both a name
// and a version yield nothing.
func NewNodePackage() extract.Extractor { return nodePackage{} }

type nodePackage struct{}

// Name returns the extractor's stable name.
func (nodePackage) Name() string { return NodePackageName }

// Version is bumped whenever the output for the same input may change.
func (nodePackage) Version() int { return 1 }

// Required wants package.json files at the top of an installed package's
// directory. Deeper package.json files (test fixtures, "type" markers in
// sub-directories) are not packages.
func (nodePackage) Required(f extract.FileInfo) bool {
	i := strings.LastIndex(f.Path, "/node_modules/")
	if i < 0 {
		return false
	}
	rest, ok := strings.CutSuffix(f.Path[i+len("/node_modules/"):], "/package.json")
	if !ok || rest == "" {
		return false
	}
	if strings.HasPrefix(rest, "@") {
		s, n, ok := strings.Cut(rest, "/")
		return ok && len(s) > 1 && n != "" && !strings.Contains(n, "/")
	}
	return !strings.Contains(rest, "/") && !strings.HasPrefix(rest, ".")
}

// manifest is the part of a package.json vigil reads.
type manifest struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	License json.RawMessage `json:"license"`
}

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e nodePackage) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxManifestSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, ok, err := ParseNodePackage(b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	if !ok {
		return nil, nil
	}
	return []model.Package{p}, nil
}

// ParseNodePackage reads an installed package's package.json. ok is false
// when the file lacks a name or a version.
func ParseNodePackage(b []byte) (p model.Package, ok bool, err error) {
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return model.Package{}, false, err
	}
	m.Name, m.Version = strings.TrimSpace(m.Name), strings.TrimSpace(m.Version)
	if !validName(m.Name) || m.Version == "" || len(m.Version) > 256 {
		return model.Package{}, false, nil
	}
	p = model.Package{
		Ecosystem: model.EcosystemNPM,
		Name:      m.Name,
		Version:   m.Version,
		PURL:      PURL(m.Name, m.Version),
		Manager:   model.ManagerNodePkg,
	}
	if l := license(m.License); l != "" {
		p.Licenses = []string{l}
	}
	return p, true, nil
}

// license reads "license": "MIT" or the legacy "license": {"type": "MIT"}.
func license(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return boundLicense(s)
	}
	var o struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return boundLicense(o.Type)
	}
	return ""
}

func boundLicense(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 256 {
		return ""
	}
	return s
}

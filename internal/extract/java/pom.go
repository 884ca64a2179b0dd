package java

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// PomName is the name of the pom.xml extractor.
const PomName = "java/pomxml"

const (
	// maxProperties bounds the <properties> of one pom.
	maxProperties = 10_000
	// maxDependencies bounds the dependencies of one pom.
	maxDependencies = 50_000
	// maxInterpolation bounds nested ${…} expansion rounds.
	maxInterpolation = 8
	// maxValueLen bounds an expanded value.
	maxValueLen = 1024
)

// UnresolvedError lists the dependencies of a pom.xml whose version could
// not be resolved without the parent pom or an imported BOM. It is returned
// with the packages that were resolved.
type UnresolvedError struct {
	// Path is the pom.xml.
	Path string
	// Dependencies are "groupId:artifactId" (with the raw version, if any,
	// after '@').
	Dependencies []string
}

// Error implements error.
func (e *UnresolvedError) Error() string {
	return fmt.Sprintf("%s: %d dependencies with unresolved versions (parent or BOM not available): %s",
		e.Path, len(e.Dependencies), strings.Join(e.Dependencies, ", "))
}

type pomProject struct {
	GroupID    string        `xml:"groupId"`
	ArtifactID string        `xml:"artifactId"`
	Version    string        `xml:"version"`
	Parent     pomCoordinate `xml:"parent"`
	Properties pomProps      `xml:"properties"`
	Deps       []pomDep      `xml:"dependencies>dependency"`
	Managed    []pomDep      `xml:"dependencyManagement>dependencies>dependency"`
}

type pomCoordinate struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
}

type pomDep struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Scope      string `xml:"scope"`
	Type       string `xml:"type"`
}

// pomProps collects <properties> children as name → text.
type pomProps map[string]string

// UnmarshalXML implements xml.Unmarshaler.
func (p *pomProps) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	if *p == nil {
		*p = pomProps{}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			if len(*p) >= maxProperties {
				return fmt.Errorf("more than %d properties", maxProperties)
			}
			(*p)[t.Name.Local] = strings.TrimSpace(v)
		case xml.EndElement:
			return nil
		}
	}
}

type pomExtractor struct{}

// NewPom returns the pom.xml extractor.
func NewPom() extract.Extractor { return pomExtractor{} }

// Name implements extract.Extractor.
func (pomExtractor) Name() string { return PomName }

// Version implements extract.Extractor.
func (pomExtractor) Version() int { return 1 }

// Required implements extract.Extractor: files named pom.xml, except the
// copies Maven puts in a jar's META-INF/maven/ (they declare the library's
// own dependencies, not what is installed; the archive extractor reads that
// jar). Repository *.pom descriptors in ~/.m2 are not read for the same
// reason.
func (pomExtractor) Required(f extract.FileInfo) bool {
	return path.Base(f.Path) == "pom.xml" && !strings.Contains(f.Path, "/META-INF/maven/")
}

// Extract implements extract.Extractor. Dependencies whose version cannot
// be resolved are skipped and reported in an *UnresolvedError returned with
// the other packages.
func (pomExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readText(in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pkgs, unresolved, err := parsePom(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: PomName, Path: in.Path, Err: err}
	}
	if len(unresolved) > 0 {
		return pkgs, &UnresolvedError{Path: in.Path, Dependencies: unresolved}
	}
	return pkgs, nil
}

// parsePom returns the resolved dependencies and the unresolved ones.
func parsePom(b []byte) ([]model.Package, []string, error) {
	var p pomProject
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	if err := d.Decode(&p); err != nil {
		return nil, nil, err
	}
	if len(p.Deps)+len(p.Managed) > maxDependencies {
		return nil, nil, fmt.Errorf("more than %d dependencies", maxDependencies)
	}
	r := newResolver(&p)
	managed := map[string]string{}
	for _, m := range p.Managed {
		if m.Scope == "import" {
			continue
		}
		g, a, v := r.expand(m.GroupID), r.expand(m.ArtifactID), r.expand(m.Version)
		if validCoord(g) && validCoord(a) && validCoord(v) {
			if _, dup := managed[g+":"+a]; !dup {
				managed[g+":"+a] = v
			}
		}
	}
	var out []model.Package
	var unresolved []string
	seen := map[string]bool{}
	for _, dep := range p.Deps {
		g, a := r.expand(dep.GroupID), r.expand(dep.ArtifactID)
		v := r.expand(dep.Version)
		if strings.TrimSpace(dep.Version) == "" {
			v = managed[g+":"+a]
		}
		if !validCoord(g) || !validCoord(a) || !validCoord(v) {
			u := strings.TrimSpace(dep.GroupID) + ":" + strings.TrimSpace(dep.ArtifactID)
			if dv := strings.TrimSpace(dep.Version); dv != "" {
				u += "@" + dv
			}
			unresolved = append(unresolved, u)
			continue
		}
		key := g + ":" + a + ":" + v
		if seen[key] {
			continue
		}
		seen[key] = true
		pkg := newPackage(g, a, v, model.ManagerPOM)
		pkg.Dev = strings.TrimSpace(dep.Scope) == "test"
		out = append(out, pkg)
	}
	return out, unresolved, nil
}

// resolver expands ${name} references from one pom's own data.
type resolver struct {
	props map[string]string
}

func newResolver(p *pomProject) *resolver {
	props := map[string]string{}
	for k, v := range p.Properties {
		props[k] = v
	}
	version := strings.TrimSpace(p.Version)
	if version == "" {
		version = strings.TrimSpace(p.Parent.Version)
	}
	group := strings.TrimSpace(p.GroupID)
	if group == "" {
		group = strings.TrimSpace(p.Parent.GroupID)
	}
	builtin := map[string]string{
		"project.version":           version,
		"pom.version":               version,
		"version":                   version,
		"project.groupId":           group,
		"pom.groupId":               group,
		"groupId":                   group,
		"project.artifactId":        strings.TrimSpace(p.ArtifactID),
		"project.parent.version":    strings.TrimSpace(p.Parent.Version),
		"parent.version":            strings.TrimSpace(p.Parent.Version),
		"project.parent.groupId":    strings.TrimSpace(p.Parent.GroupID),
		"parent.groupId":            strings.TrimSpace(p.Parent.GroupID),
		"project.parent.artifactId": strings.TrimSpace(p.Parent.ArtifactID),
	}
	for k, v := range builtin {
		if _, set := props[k]; !set && v != "" {
			props[k] = v
		}
	}
	return &resolver{props: props}
}

// expand replaces ${name} references, a bounded number of rounds; an
// unknown name is left in place (and makes the value invalid).
func (r *resolver) expand(s string) string {
	s = strings.TrimSpace(s)
	for range maxInterpolation {
		if !strings.Contains(s, "${") {
			return s
		}
		var b strings.Builder
		rest := s
		changed := false
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				b.WriteString(rest)
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				b.WriteString(rest)
				break
			}
			name := rest[i+2 : i+j]
			b.WriteString(rest[:i])
			if v, ok := r.props[name]; ok {
				b.WriteString(v)
				changed = true
			} else {
				b.WriteString(rest[i : i+j+1])
			}
			rest = rest[i+j+1:]
			if b.Len() > maxValueLen {
				return s
			}
		}
		s = b.String()
		if !changed {
			return s
		}
	}
	return s
}

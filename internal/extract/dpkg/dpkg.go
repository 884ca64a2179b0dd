package dpkg

import (
	"context"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Name is the extractor's name.
const Name = "os/dpkg"

// Paths the extractor reads.
const (
	StatusPath = "/var/lib/dpkg/status"
	StatusDir  = "/var/lib/dpkg/status.d"
)

// skippedSuffixes are the control files kept beside status.d stanzas.
var skippedSuffixes = []string{
	".md5sums", ".conffiles", ".list", ".preinst", ".postinst", ".prerm",
	".postrm", ".shlibs", ".symbols", ".triggers", ".templates", ".config",
}

// Extractor reads dpkg status databases.
type Extractor struct{}

// New returns the dpkg extractor.
func New() extract.Extractor { return Extractor{} }

// Name implements extract.Extractor.
func (Extractor) Name() string { return Name }

// Version implements extract.Extractor.
func (Extractor) Version() int { return 1 }

// Required implements extract.Extractor: the status file and the
// per-package files of status.d.
func (Extractor) Required(f extract.FileInfo) bool {
	if f.Path == StatusPath {
		return true
	}
	dir, base := path.Split(f.Path)
	if dir != StatusDir+"/" || base == "" || strings.HasPrefix(base, ".") {
		return false
	}
	for _, s := range skippedSuffixes {
		if strings.HasSuffix(base, s) {
			return false
		}
	}
	return true
}

// Extract implements extract.Extractor.
func (e Extractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	statusD := in.Path != StatusPath
	stanzas, err := parse(ctx, in.Reader)
	if err != nil {
		return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: err}
	}
	var out []model.Package
	for _, s := range stanzas {
		if p, ok := toPackage(s, statusD); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// toPackage turns an installed stanza into a package.
func toPackage(s stanza, statusD bool) (model.Package, bool) {
	if s.name == "" || s.version == "" {
		return model.Package{}, false
	}
	if !installed(s.status, statusD) {
		return model.Package{}, false
	}
	p := model.Package{
		Ecosystem: model.EcosystemDebian,
		Name:      s.name,
		Version:   s.version,
		Arch:      s.arch,
		Manager:   model.ManagerOS,
		Extractor: Name,
	}
	if src := strings.TrimSpace(s.source); src != "" {
		name, ver, _ := strings.Cut(src, " ")
		p.SourceName = name
		p.SourceVersion = p.Version
		ver = strings.TrimSpace(ver)
		if strings.HasPrefix(ver, "(") && strings.HasSuffix(ver, ")") {
			if v := strings.TrimSpace(ver[1 : len(ver)-1]); v != "" {
				p.SourceVersion = v
			}
		}
	}
	p.PURL = purl(&p, "debian", "")
	return p, true
}

// installed reports whether a Status field ("want flag state") means the
// package's files are on disk.
func installed(status string, statusD bool) bool {
	f := strings.Fields(status)
	if len(f) == 0 {
		return statusD
	}
	if len(f) != 3 {
		return false
	}
	switch f[2] {
	case "installed", "triggers-awaited", "triggers-pending":
		return true
	}
	return false
}

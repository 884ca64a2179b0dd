package apk

import (
	"context"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Name is the extractor's name.
const Name = "os/apk"

// InstalledPath is the apk database the extractor reads; UsrInstalledPath
// is where apk-tools 3 on merged-/usr systems keeps it.
const (
	InstalledPath    = "/lib/apk/db/installed"
	UsrInstalledPath = "/usr/lib/apk/db/installed"
)

// Extractor reads apk databases.
type Extractor struct{}

// New returns the apk extractor.
func New() extract.Extractor { return Extractor{} }

// Name implements extract.Extractor.
func (Extractor) Name() string { return Name }

// Version implements extract.Extractor.
func (Extractor) Version() int { return 1 }

// Required implements extract.Extractor.
func (Extractor) Required(f extract.FileInfo) bool {
	return f.Path == InstalledPath || f.Path == UsrInstalledPath
}

// Extract implements extract.Extractor.
func (Extractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	records, err := parse(ctx, in.Reader)
	if err != nil {
		return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: err}
	}
	var out []model.Package
	for _, r := range records {
		if r.name == "" || r.version == "" {
			continue
		}
		p := model.Package{
			Ecosystem: model.EcosystemAlpine,
			Name:      r.name,
			Version:   r.version,
			Arch:      r.arch,
			Manager:   model.ManagerOS,
			Extractor: Name,
		}
		if r.origin != "" {
			p.SourceName, p.SourceVersion = r.origin, r.version
		}
		if r.license != "" {
			p.Licenses = []string{r.license}
		}
		p.PURL = purl(&p, "alpine", "")
		out = append(out, p)
	}
	return out, nil
}

package cargo

import (
	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/model"
)

// newPackage builds a crates.io package with its purl.
func newPackage(name, version string, m model.PackageManager) model.Package {
	return model.Package{
		Ecosystem: model.EcosystemCrates,
		Name:      name,
		Version:   version,
		PURL:      packageurl.NewPackageURL(packageurl.TypeCargo, "", name, version, nil, "").ToString(),
		Manager:   m,
	}
}

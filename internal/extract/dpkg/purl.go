package dpkg

import (
	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/model"
)

// purl builds pkg:deb/<namespace>/name@version with arch, distro and
// upstream (source package, "name@version" when its version differs)
// qualifiers.
func purl(p *model.Package, namespace, distro string) string {
	var q packageurl.Qualifiers
	if p.Arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: p.Arch})
	}
	if distro != "" {
		q = append(q, packageurl.Qualifier{Key: "distro", Value: distro})
	}
	if p.SourceName != "" && (p.SourceName != p.Name || p.SourceVersion != p.Version) {
		up := p.SourceName
		if p.SourceVersion != "" && p.SourceVersion != p.Version {
			up += "@" + p.SourceVersion
		}
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: up})
	}
	return packageurl.NewPackageURL(packageurl.TypeDebian, namespace, p.Name, p.Version, q, "").ToString()
}

// Qualify completes a dpkg package once the OS is known: Ubuntu packages
// move to the Ubuntu ecosystem, and the purl gets the OS ID as namespace
// ("debian", "ubuntu", or a derivative's ID) and a distro qualifier
// "<id>-<version id>" ("debian-12", "ubuntu-22.04"). A nil or ID-less OS
// leaves the package as extracted.
func Qualify(p *model.Package, os *model.OS) {
	if p == nil || os == nil || os.ID == "" {
		return
	}
	if os.Ecosystem == model.EcosystemUbuntu {
		p.Ecosystem = model.EcosystemUbuntu
	}
	distro := os.ID
	if os.VersionID != "" {
		distro += "-" + os.VersionID
	}
	p.PURL = purl(p, os.ID, distro)
}

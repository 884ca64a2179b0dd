package apk

import (
	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/model"
)

// purl builds pkg:apk/<namespace>/name@version with arch, distro and
// upstream (origin, when it differs from the name) qualifiers.
func purl(p *model.Package, namespace, distro string) string {
	var q packageurl.Qualifiers
	if p.Arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: p.Arch})
	}
	if distro != "" {
		q = append(q, packageurl.Qualifier{Key: "distro", Value: distro})
	}
	if p.SourceName != "" && p.SourceName != p.Name {
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: p.SourceName})
	}
	return packageurl.NewPackageURL(packageurl.TypeApk, namespace, p.Name, p.Version, q, "").ToString()
}

// Qualify completes an apk package once the OS is known: Wolfi and
// Chainguard packages move to their ecosystems, and the purl gets the OS ID
// as namespace ("alpine", "wolfi", "chainguard") and a distro qualifier
// "<id>-<version id>" ("alpine-3.18.4"). A nil or ID-less OS leaves the
// package as extracted.
func Qualify(p *model.Package, os *model.OS) {
	if p == nil || os == nil || os.ID == "" {
		return
	}
	switch os.Ecosystem {
	case model.EcosystemWolfi, model.EcosystemChainguard:
		p.Ecosystem = os.Ecosystem
	}
	distro := os.ID
	if os.VersionID != "" {
		distro += "-" + os.VersionID
	}
	p.PURL = purl(p, os.ID, distro)
}

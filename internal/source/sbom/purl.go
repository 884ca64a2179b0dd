package sbom

import (
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract/osinfo"
	"github.com/vigilsec/vigil/internal/model"
)

// purlEcosystems maps purl types to ecosystems for language packages.
var purlEcosystems = map[string]model.Ecosystem{
	packageurl.TypeNPM:      model.EcosystemNPM,
	packageurl.TypePyPi:     model.EcosystemPyPI,
	packageurl.TypeMaven:    model.EcosystemMaven,
	packageurl.TypeGolang:   model.EcosystemGo,
	packageurl.TypeCargo:    model.EcosystemCrates,
	packageurl.TypeGem:      model.EcosystemRubyGems,
	packageurl.TypeComposer: model.EcosystemPackagist,
	packageurl.TypeNuget:    model.EcosystemNuGet,
	packageurl.TypeHex:      model.EcosystemHex,
	"pub":                   model.EcosystemPub,
}

var purlManagers = map[string]model.PackageManager{
	packageurl.TypeNPM: model.ManagerNPM, packageurl.TypePyPi: model.ManagerPip, packageurl.TypeMaven: model.ManagerJar,
	packageurl.TypeGolang: model.ManagerGoBinary, packageurl.TypeCargo: model.ManagerCargo, packageurl.TypeGem: model.ManagerBundler,
	packageurl.TypeComposer: model.ManagerComposer, packageurl.TypeNuget: model.ManagerNuGet,
	packageurl.TypeDebian: model.ManagerOS, packageurl.TypeRPM: model.ManagerOS, packageurl.TypeApk: model.ManagerOS,
}

// distroEcosystems maps an os-release ID (as used in purl namespaces and
// `distro` qualifiers) to the distribution's ecosystem.
var distroEcosystems = map[string]model.Ecosystem{
	"debian": model.EcosystemDebian, "ubuntu": model.EcosystemUbuntu, "alpine": model.EcosystemAlpine,
	"rhel": model.EcosystemRedHat, "redhat": model.EcosystemRedHat, "rocky": model.EcosystemRocky,
	"almalinux": model.EcosystemAlmaLinux, "sles": model.EcosystemSUSE, "suse": model.EcosystemSUSE,
	"opensuse": model.EcosystemOpenSUSE, "opensuse-leap": model.EcosystemOpenSUSE, "wolfi": model.EcosystemWolfi,
	"chainguard": model.EcosystemChainguard, "amzn": model.EcosystemAmazon, "amazon": model.EcosystemAmazon,
	"ol": model.EcosystemOracle, "oracle": model.EcosystemOracle, "fedora": model.EcosystemFedora,
	"mariner": model.EcosystemMariner, "azurelinux": model.EcosystemMariner,
}

// UnsupportedError says why a purl gives no package.
type UnsupportedError struct {
	PURL   string
	Reason string
}

func (e *UnsupportedError) Error() string { return fmt.Sprintf("purl %s: %s", e.PURL, e.Reason) }

// pkgFromPURL builds a package from a purl. distro is the distro qualifier
// value when the purl has one ("debian-12", "ubuntu-22.04").
func pkgFromPURL(s string) (model.Package, string, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return model.Package{}, "", &UnsupportedError{PURL: s, Reason: err.Error()}
	}
	if p.Version == "" {
		return model.Package{}, "", &UnsupportedError{PURL: s, Reason: "no version"}
	}
	q := p.Qualifiers.Map()
	pkg := model.Package{Name: p.Name, Version: p.Version, PURL: s, Manager: purlManagers[p.Type], Arch: q["arch"]}
	switch p.Type {
	case packageurl.TypeDebian, packageurl.TypeRPM, packageurl.TypeApk:
		eco, ok := distroEcosystems[strings.ToLower(p.Namespace)]
		if !ok {
			if d := q["distro"]; d != "" {
				eco, ok = distroEcosystems[distroID(d)]
			}
		}
		if !ok {
			return model.Package{}, "", &UnsupportedError{PURL: s, Reason: "unknown distribution " + p.Namespace}
		}
		pkg.Ecosystem = eco
		if p.Type == packageurl.TypeRPM {
			if e := q["epoch"]; e != "" && e != "0" && !strings.Contains(pkg.Version, ":") {
				pkg.Version = e + ":" + pkg.Version
			}
		}
		if up := q["upstream"]; up != "" {
			name, ver, _ := strings.Cut(up, "@")
			if p.Type == packageurl.TypeRPM {
				name, ver = splitSRPM(name, ver)
			}
			pkg.SourceName = name
			pkg.SourceVersion = ver
		}
		return pkg, q["distro"], nil
	}
	eco, ok := purlEcosystems[p.Type]
	if !ok {
		return model.Package{}, "", &UnsupportedError{PURL: s, Reason: "purl type " + p.Type + " is not matched by vigil"}
	}
	pkg.Ecosystem = eco
	switch p.Type {
	case packageurl.TypeMaven:
		pkg.Name = p.Namespace + ":" + p.Name
	case packageurl.TypeGolang, packageurl.TypeNPM, packageurl.TypeComposer:
		if p.Namespace != "" {
			pkg.Name = p.Namespace + "/" + p.Name
		}
		if p.Type == packageurl.TypeGolang && p.Name == "stdlib" && p.Namespace == "" {
			pkg.Version = strings.TrimPrefix(pkg.Version, "go")
		}
	}
	return pkg, "", nil
}

// splitSRPM turns syft's rpm upstream qualifier ("openssl-3.0.7-27.el9.src.rpm")
// into source name and version.
func splitSRPM(name, ver string) (string, string) {
	if ver != "" {
		return name, ver
	}
	n := strings.TrimSuffix(name, ".src.rpm")
	if n == name {
		return name, ""
	}
	// name-version-release: the last two dashes separate version and release.
	i := strings.LastIndexByte(n, '-')
	if i <= 0 {
		return n, ""
	}
	j := strings.LastIndexByte(n[:i], '-')
	if j <= 0 {
		return n, ""
	}
	return n[:j], n[j+1:]
}

// distroID takes "debian-12" or "ubuntu-22.04" and returns "debian".
func distroID(d string) string {
	i := strings.IndexByte(d, '-')
	if i < 0 {
		return strings.ToLower(d)
	}
	return strings.ToLower(d[:i])
}

// distroOS turns a distro qualifier ("debian-12", "alpine-3.18.4") into an
// OS, through the same os-release rules the index stage uses.
func distroOS(d string) *model.OS {
	id, ver, _ := strings.Cut(d, "-")
	return osFromIDVersion(strings.ToLower(id), ver)
}

// osFromIDVersion builds the OS (ecosystem and OSV release) for an
// os-release ID and VERSION_ID.
func osFromIDVersion(id, ver string) *model.OS {
	return osinfo.Detect(map[string][]byte{
		"/etc/os-release": []byte(fmt.Sprintf("ID=%q\nVERSION_ID=%q\n", id, ver)),
	})
}

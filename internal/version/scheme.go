package version

import "strings"

// Scheme identifies a version comparison scheme: the ordering rules of one
// ecosystem's reference implementation.
type Scheme uint8

// The comparison schemes. Unknown is the zero value and parses nothing.
const (
	Unknown   Scheme = iota // no scheme; Parse rejects every input
	Dpkg                    // Debian, Ubuntu: dpkg's verrevcmp with epochs and revisions
	RPM                     // Red Hat family, SUSE, Azure Linux…: rpm's EVR comparison
	APK                     // Alpine, Wolfi, Chainguard: apk-tools' apk_version_compare
	PEP440                  // PyPI: pypa/packaging's Version
	SemVer                  // npm, crates.io, Hex, Pub: Semantic Versioning 2.0.0 precedence
	Go                      // Go modules and toolchain: golang.org/x/mod/semver
	Maven                   // Maven: maven-artifact's ComparableVersion
	RubyGems                // RubyGems: Gem::Version
	NuGet                   // NuGet: NuGetVersion
	Packagist               // Packagist: PHP version_compare after Composer's "v" stripping
)

var schemeNames = [...]string{
	Unknown:   "unknown",
	Dpkg:      "dpkg",
	RPM:       "rpm",
	APK:       "apk",
	PEP440:    "pep440",
	SemVer:    "semver",
	Go:        "go",
	Maven:     "maven",
	RubyGems:  "rubygems",
	NuGet:     "nuget",
	Packagist: "packagist",
}

// String returns the scheme's lower-case name ("dpkg", "pep440", …).
func (s Scheme) String() string {
	if int(s) < len(schemeNames) {
		return schemeNames[s]
	}
	return "unknown"
}

// ecosystemSchemes maps an OSV ecosystem's base name (the part before the
// first ':') to its scheme.
var ecosystemSchemes = map[string]Scheme{
	"Debian":                       Dpkg,
	"Ubuntu":                       Dpkg,
	"AlmaLinux":                    RPM,
	"Rocky Linux":                  RPM,
	"Red Hat":                      RPM,
	"SUSE":                         RPM,
	"openSUSE":                     RPM,
	"Azure Linux":                  RPM,
	"Mariner":                      RPM,
	"Mageia":                       RPM,
	"openEuler":                    RPM,
	"Oracle Linux":                 RPM,
	"Amazon Linux":                 RPM,
	"Fedora":                       RPM,
	"Photon OS":                    RPM,
	"Alpine":                       APK,
	"Wolfi":                        APK,
	"Chainguard":                   APK,
	"Alpaquita":                    APK,
	"BellSoft Hardened Containers": APK,
	"PyPI":                         PEP440,
	"npm":                          SemVer,
	"crates.io":                    SemVer,
	"Hex":                          SemVer,
	"Pub":                          SemVer,
	"Go":                           Go,
	"Maven":                        Maven,
	"RubyGems":                     RubyGems,
	"NuGet":                        NuGet,
	"Packagist":                    Packagist,
}

// SchemeFor maps an OSV ecosystem string, with or without its release
// suffix ("Debian", "Debian:12", "Ubuntu:Pro:18.04:LTS",
// "Red Hat:enterprise_linux:9::appstream", "Alpine:v3.18"), to its scheme.
// An ecosystem vigil cannot compare returns *UnsupportedEcosystemError.
func SchemeFor(ecosystem string) (Scheme, error) {
	base, _, _ := strings.Cut(ecosystem, ":")
	if s, ok := ecosystemSchemes[base]; ok {
		return s, nil
	}
	return Unknown, &UnsupportedEcosystemError{Ecosystem: ecosystem}
}

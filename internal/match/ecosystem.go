package match

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// ecoKey is the index key of an OSV ecosystem: its base name (with a
// variant such as Ubuntu's "Pro" folded into it) and its normalised
// release. Language ecosystems have an empty release.
type ecoKey struct {
	base    string
	release string
}

// family groups distributions that share packaging rules.
type family uint8

const (
	famLanguage family = iota // language ecosystem: match by name
	famDeb                    // Debian, Ubuntu: match by source package
	famAPK                    // Alpine, Wolfi, Chainguard: match by origin
	famRPM                    // RPM distributions: match by binary name
)

// families maps OSV ecosystem base names to their family.
var families = map[string]family{
	"Debian":                       famDeb,
	"Ubuntu":                       famDeb,
	"Alpine":                       famAPK,
	"Wolfi":                        famAPK,
	"Chainguard":                   famAPK,
	"Alpaquita":                    famAPK,
	"BellSoft Hardened Containers": famAPK,
	"AlmaLinux":                    famRPM,
	"Rocky Linux":                  famRPM,
	"Red Hat":                      famRPM,
	"SUSE":                         famRPM,
	"openSUSE":                     famRPM,
	"Azure Linux":                  famRPM,
	"Mariner":                      famRPM,
	"Mageia":                       famRPM,
	"openEuler":                    famRPM,
	"Oracle Linux":                 famRPM,
	"Amazon Linux":                 famRPM,
	"Fedora":                       famRPM,
	"Photon OS":                    famRPM,
}

func familyOf(base string) family { return families[base] }

// LookupName returns the name matching looks p up by (not normalised):
// the source package of a Debian-, Ubuntu- or APK-family package that
// names one, the package's own name otherwise. The package index keys its
// rows by it (store.HeldRefs), so that a rematch after an advisory update
// finds exactly the inventories whose matches the advisory's names can
// change.
func LookupName(p *model.Package) string {
	if bySource(familyOf(string(p.Ecosystem)), p) {
		return p.SourceName
	}
	return p.Name
}

// bySource says whether matching looks p, of family fam, up by its source
// package.
func bySource(fam family, p *model.Package) bool {
	return (fam == famDeb || fam == famAPK) && p.SourceName != ""
}

// isDistro reports whether an OSV ecosystem base names a distribution.
func isDistro(base string) bool { return familyOf(base) != famLanguage }

// keyOf normalises an OSV ecosystem string from a record ("Debian:12",
// "Ubuntu:Pro:18.04:LTS", "Alpine:v3.18", "AlmaLinux:9",
// "Red Hat:enterprise_linux:9::appstream", "PyPI") into an index key.
func keyOf(eco string) ecoKey {
	base, rest, _ := strings.Cut(eco, ":")
	if rest == "" {
		return ecoKey{base: base}
	}
	switch base {
	case "Ubuntu":
		return ubuntuKey(rest)
	case "Alpine":
		return ecoKey{base: base, release: alpineRelease(rest)}
	case "Debian", "AlmaLinux", "Rocky Linux", "Oracle Linux", "Mageia", "Azure Linux", "Mariner":
		return ecoKey{base: base, release: majorRelease(rest)}
	case "Red Hat":
		return redHatKey(rest)
	}
	return ecoKey{base: base, release: rest}
}

// ubuntuKey handles "22.04:LTS", "24.10", "Pro:18.04:LTS" and FIPS
// variants ("Pro:FIPS-updates:18.04:LTS"): the numeric release becomes
// the release, every other word except LTS joins the base.
func ubuntuKey(rest string) ecoKey {
	base := "Ubuntu"
	release := ""
	for part := range strings.SplitSeq(rest, ":") {
		switch {
		case part == "" || part == "LTS":
		case part[0] >= '0' && part[0] <= '9':
			release = part
		default:
			base += ":" + part
		}
	}
	return ecoKey{base: base, release: release}
}

// alpineRelease turns "v3.18", "3.18" or "3.18.4" into "v3.18".
func alpineRelease(r string) string {
	r = strings.TrimPrefix(r, "v")
	if i := strings.IndexByte(r, '.'); i >= 0 {
		if j := strings.IndexByte(r[i+1:], '.'); j >= 0 {
			r = r[:i+1+j]
		}
	}
	return "v" + r
}

// majorRelease turns "12", "12.4" or "8.10" into the major release.
func majorRelease(r string) string {
	if i := strings.IndexByte(r, '.'); i > 0 {
		return r[:i]
	}
	return r
}

// redHatKey keys "enterprise_linux:9::appstream" by its major release;
// other streams (rhel_eus:8.4…) keep their full text and so only match a
// host whose release names them.
func redHatKey(rest string) ecoKey {
	if r, ok := strings.CutPrefix(rest, "enterprise_linux:"); ok {
		r, _, _ = strings.Cut(r, ":")
		return ecoKey{base: "Red Hat", release: majorRelease(r)}
	}
	return ecoKey{base: "Red Hat", release: rest}
}

// osKeys returns the keys a distribution package of os is looked up under:
// the release's own, Ubuntu Pro's when asked for, and the release-less
// key (records of rolling distributions such as Wolfi, or records that
// name no release, apply to every release).
func osKeys(dst []ecoKey, base string, os *model.OS, opts *Options) []ecoKey {
	if os == nil || string(os.Ecosystem) != base || os.Release == "" {
		return append(dst, ecoKey{base: base})
	}
	k := keyOf(os.OSVEcosystem())
	dst = append(dst, k)
	if base == "Ubuntu" && opts.UbuntuPro && k.base == "Ubuntu" {
		dst = append(dst, ecoKey{base: "Ubuntu:Pro", release: k.release})
	}
	if k.release != "" {
		dst = append(dst, ecoKey{base: base})
	}
	return dst
}

// normName normalises a package name for the index, per ecosystem. It
// returns name itself, without allocating, when name is already normal.
func normName(base, name string) string {
	switch base {
	case "PyPI":
		return pep503(name)
	case "NuGet", "Packagist", "Hex":
		return lowerASCII(name)
	case "crates.io":
		return crateName(name)
	}
	return name
}

// pep503 lower-cases name and collapses runs of '-', '_' and '.' into a
// single '-'.
func pep503(name string) string {
	clean := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' || c == '_' || c == '.' || c == '-' && i+1 < len(name) && isSep(name[i+1]) {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isSep(c) {
			sep = true
			continue
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// lowerASCII lower-cases ASCII letters, allocating only when it must.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// crateName folds case and '_' to '-': crates.io treats such names as the
// same crate.
func crateName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c == '_' {
			return strings.ReplaceAll(strings.ToLower(s), "_", "-")
		}
	}
	return s
}

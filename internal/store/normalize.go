package store

import (
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// NormalizeName returns the form of a package name used by the package
// index, per OSV base ecosystem, so that an advisory's spelling finds an
// inventory's: PEP 503 for PyPI, lower case for NuGet, Packagist and Hex,
// lower case with '_' as '-' for crates.io, unchanged otherwise.
func NormalizeName(ecosystem, name string) string {
	switch ecosystem {
	case "PyPI":
		return pep503(name)
	case "NuGet", "Packagist", "Hex":
		return strings.ToLower(name)
	case "crates.io":
		return strings.ReplaceAll(strings.ToLower(name), "_", "-")
	}
	return name
}

func pep503(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// PackageRefs returns the sorted, distinct, normalised references an
// inventory is indexed under: each package's name and, for distribution
// packages, its source package name (advisories name source packages).
func PackageRefs(inv *model.Inventory) []PackageRef {
	refs := make([]PackageRef, 0, len(inv.Packages)+len(inv.Packages)/2)
	for i := range inv.Packages {
		p := &inv.Packages[i]
		eco := string(p.Ecosystem)
		if eco == "" || p.Name == "" {
			continue
		}
		refs = append(refs, PackageRef{Ecosystem: eco, Name: NormalizeName(eco, p.Name)})
		if p.SourceName != "" && p.SourceName != p.Name {
			refs = append(refs, PackageRef{Ecosystem: eco, Name: NormalizeName(eco, p.SourceName)})
		}
	}
	slices.SortFunc(refs, comparePackageRef)
	return slices.Compact(refs)
}

func comparePackageRef(a, b PackageRef) int {
	if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

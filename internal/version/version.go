package version

import "strings"

// Version is a parsed version of one scheme.
//
// Compare returns -1, 0 or +1 and does not allocate. Versions of different
// schemes are ordered by their Scheme value, so a mixed comparison is
// deterministic and never panics.
type Version interface {
	// Compare orders the receiver against other: -1 if it sorts before,
	// 0 if it is equivalent, +1 if it sorts after.
	Compare(other Version) int
	// String returns the version as it was given to Parse, minus
	// surrounding white space.
	String() string
	// Scheme returns the scheme the version was parsed with.
	Scheme() Scheme
}

// Parse parses v as a version of scheme s. An input the scheme does not
// accept returns *InvalidVersionError; Parse never panics.
//
// The literal "0" is OSV's "from the beginning" sentinel: every scheme
// accepts it and orders it below every other version (see the package
// documentation).
func Parse(s Scheme, v string) (Version, error) {
	if len(v) > maxLen {
		return nil, invalid(s, v[:64]+"…", "longer than 1024 bytes")
	}
	t := strings.TrimSpace(v)
	if t == "" {
		return nil, invalid(s, v, "empty")
	}
	if t == "0" && s != Unknown && int(s) < len(schemeNames) {
		return zeroVersion{scheme: s}, nil
	}
	switch s {
	case Dpkg:
		return parseDpkg(t)
	case RPM:
		return parseRPM(t)
	case APK:
		return parseAPK(t)
	case PEP440:
		return parsePEP440(t)
	case SemVer:
		return parseSemVer(t)
	case Go:
		return parseGo(t)
	case Maven:
		return parseMaven(t)
	case RubyGems:
		return parseRubyGems(t)
	case NuGet:
		return parseNuGet(t)
	case Packagist:
		return parsePackagist(t)
	}
	return nil, invalid(s, v, "unknown scheme")
}

// Compare parses a and b as versions of scheme s and compares them.
func Compare(s Scheme, a, b string) (int, error) {
	va, err := Parse(s, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(s, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// maxLen bounds the input Parse accepts; no real version comes close.
const maxLen = 1024

// zeroVersion is the OSV sentinel "0" in any scheme.
type zeroVersion struct{ scheme Scheme }

func (z zeroVersion) Compare(other Version) int {
	if other == nil {
		return 1
	}
	if os := other.Scheme(); os != z.scheme {
		return cmpInt(int(z.scheme), int(os))
	}
	if _, ok := other.(zeroVersion); ok {
		return 0
	}
	return -1
}

func (z zeroVersion) String() string { return "0" }
func (z zeroVersion) Scheme() Scheme { return z.scheme }

// crossScheme handles the comparisons every implementation shares: a
// version of another scheme (ordered by scheme), a nil other (sorts first)
// and the sentinel zero (sorts below everything but itself). It reports
// whether it decided the comparison.
func crossScheme(s Scheme, other Version) (int, bool) {
	if other == nil {
		return 1, true
	}
	if os := other.Scheme(); os != s {
		return cmpInt(int(s), int(os)), true
	}
	if _, ok := other.(zeroVersion); ok {
		return 1, true
	}
	return 0, false
}

// foreign orders a same-scheme version of an unexpected concrete type by
// its string, so Compare stays total and panic-free.
func foreign(self, other Version) int {
	return strings.Compare(self.String(), other.String())
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

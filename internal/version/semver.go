package version

import "strings"

// semverVersion is a Semantic Versioning 2.0.0 version.
type semverVersion struct {
	raw                 string
	major, minor, patch string // digit strings, leading zeros trimmed
	pre                 string // pre-release, without the '-'; "" for a release
}

// parseSemVer accepts SemVer 2.0.0 with node-semver's loose extras: a
// leading "v" or "=" (and spaces after it), missing minor or patch ("1.2"
// is 1.2.0) and leading zeros in numbers. Build metadata is kept in the
// string and ignored by Compare.
func parseSemVer(s string) (Version, error) {
	t := s
	if t[0] == 'v' || t[0] == 'V' || t[0] == '=' {
		t = strings.TrimLeft(t[1:], " \t")
	}
	c, err := splitSemVer(t, true)
	if err != "" {
		return nil, invalid(SemVer, s, err)
	}
	c.raw = s
	return c, nil
}

// splitSemVer parses MAJOR[.MINOR[.PATCH]][-PRE][+BUILD]. With partial
// false, all three numbers are required.
func splitSemVer(t string, partial bool) (semverVersion, string) {
	var v semverVersion
	core := t
	if i := strings.IndexByte(core, '+'); i >= 0 {
		if !validIdents(core[i+1:]) {
			return v, "invalid build metadata"
		}
		core = core[:i]
	}
	if i := strings.IndexByte(core, '-'); i >= 0 {
		v.pre = core[i+1:]
		if !validIdents(v.pre) {
			return v, "invalid pre-release"
		}
		core = core[:i]
	}
	nums := [3]string{"", "0", "0"}
	n := 0
	for part := range strings.SplitSeq(core, ".") {
		if n == 3 {
			return v, "more than three version numbers"
		}
		if !allDigits(part) {
			return v, "version number is not a number"
		}
		nums[n] = trimZeros(part)
		n++
	}
	if n < 3 && !partial {
		return v, "want MAJOR.MINOR.PATCH"
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	return v, ""
}

// validIdents reports whether s is a non-empty dot-separated list of
// non-empty [0-9A-Za-z-] identifiers.
func validIdents(s string) bool {
	if s == "" {
		return false
	}
	prev := byte('.')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
		case isAlnum(c) || c == '-':
		default:
			return false
		}
		prev = c
	}
	return prev != '.'
}

func (v semverVersion) String() string { return v.raw }
func (v semverVersion) Scheme() Scheme { return SemVer }

func (v semverVersion) Compare(other Version) int {
	if c, ok := crossScheme(SemVer, other); ok {
		return c
	}
	o, ok := other.(semverVersion)
	if !ok {
		return foreign(v, other)
	}
	return v.cmp(o)
}

func (v semverVersion) cmp(o semverVersion) int {
	if c := cmpDigits(v.major, o.major); c != 0 {
		return c
	}
	if c := cmpDigits(v.minor, o.minor); c != 0 {
		return c
	}
	if c := cmpDigits(v.patch, o.patch); c != 0 {
		return c
	}
	return cmpPrerelease(v.pre, o.pre, false)
}

// nextIdent splits the first dot-separated identifier off s.
func nextIdent(s string) (string, string) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// cmpPrerelease orders pre-release strings by SemVer 2.0.0 §11: a release
// ("") sorts after any pre-release; identifiers compare left to right,
// numeric ones numerically and below alphanumeric ones, alphanumeric ones
// in ASCII order (case-insensitively when fold is set, as NuGet does); a
// shorter list that is a prefix of a longer one sorts first.
func cmpPrerelease(a, b string, fold bool) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	for a != "" || b != "" {
		if a == "" {
			return -1
		}
		if b == "" {
			return 1
		}
		var x, y string
		x, a = nextIdent(a)
		y, b = nextIdent(b)
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			c = cmpDigits(x, y)
		case xn:
			c = -1
		case yn:
			c = 1
		case fold:
			c = cmpFold(x, y)
		default:
			c = cmpStr(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// cmpFold compares ASCII strings ignoring case, as .NET's
// StringComparer.OrdinalIgnoreCase does (both sides upper-cased).
func cmpFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := upper(a[i]), upper(b[i])
		if x != y {
			return cmpInt(int(x), int(y))
		}
	}
	return cmpInt(len(a), len(b))
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

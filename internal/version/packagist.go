package version

import "strings"

// packagistVersion is a Composer package version compared as PHP's
// version_compare compares it.
type packagistVersion struct {
	raw   string
	canon string // php_canonicalize_version of raw without its "v" prefix
}

// parsePackagist strips a leading "v" or "V" (as Composer and OSV do) and
// canonicalises the rest as PHP's version_compare does: '-', '_', '+' and
// any other non-alphanumeric character become '.', and a '.' is inserted
// at every digit/non-digit switch; a trailing '.' is dropped. Any
// non-empty string is accepted.
func parsePackagist(raw string) (Version, error) {
	s := raw
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	// PHP reads a trailing separator ("1.0-") as an empty last part that
	// sorts below everything, which makes version_compare("1.", "1.A")
	// and its reverse both -1; dropping it keeps Compare antisymmetric.
	canon := strings.TrimSuffix(phpCanonicalize(s), ".")
	return packagistVersion{raw: raw, canon: canon}, nil
}

func phpCanonicalize(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(2 * len(s))
	b.WriteByte(s[0])
	last := s[0] // previous input byte
	out := s[0]  // previous output byte
	put := func(c byte) { b.WriteByte(c); out = c }
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_' || c == '+':
			if out != '.' {
				put('.')
			}
		case (isNonDigit(last) && isDigit(c)) || (isDigit(last) && isNonDigit(c)):
			if out != '.' {
				put('.')
			}
			put(c)
		case !isAlnum(c):
			if out != '.' {
				put('.')
			}
		default:
			put(c)
		}
		last = c
	}
	return b.String()
}

// isNonDigit is PHP's isndig: neither a digit nor '.'.
func isNonDigit(c byte) bool { return !isDigit(c) && c != '.' }

func (v packagistVersion) String() string { return v.raw }
func (v packagistVersion) Scheme() Scheme { return Packagist }

func (v packagistVersion) Compare(other Version) int {
	if c, ok := crossScheme(Packagist, other); ok {
		return c
	}
	o, ok := other.(packagistVersion)
	if !ok {
		return foreign(v, other)
	}
	if v.canon == o.canon {
		// PHP's own walk can call a version with a trailing separator
		// ("1.") smaller than itself; equal canonical forms are equal.
		return 0
	}
	return phpVersionCompare(v.canon, o.canon)
}

// phpNumber stands for "any number" in PHP's special-form comparison.
const phpNumber = "#N#"

// phpSpecialOrder ranks a non-numeric part as PHP's
// compare_special_version_forms does: by prefix, dev < alpha = a <
// beta = b < RC = rc < # (a number) < pl = p; anything else first.
func phpSpecialOrder(s string) int {
	for _, f := range [...]struct {
		name  string
		order int
	}{
		{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
		{"RC", 3}, {"rc", 3}, {"#", 4}, {"pl", 5}, {"p", 5},
	} {
		if strings.HasPrefix(s, f.name) {
			return f.order
		}
	}
	return -6
}

// phpVersionCompare is PHP's php_version_compare on canonical strings
// (or phpNumber), walking dot-separated parts without allocating.
func phpVersionCompare(a, b string) int {
	if a == "" || b == "" {
		switch {
		case a == "" && b == "":
			return 0
		case a != "":
			return 1
		}
		return -1
	}
	var p1, p2 string // current parts
	r1, r2 := a, b    // the rest after the current parts
	more1, more2 := true, true
	c := 0
	for r1 != "" && r2 != "" && more1 && more2 {
		if i := strings.IndexByte(r1, '.'); i >= 0 {
			p1, r1 = r1[:i], r1[i+1:]
		} else {
			p1, r1, more1 = r1, "", false
		}
		if i := strings.IndexByte(r2, '.'); i >= 0 {
			p2, r2 = r2[:i], r2[i+1:]
		} else {
			p2, r2, more2 = r2, "", false
		}
		d1, d2 := p1 != "" && isDigit(p1[0]), p2 != "" && isDigit(p2[0])
		switch {
		case d1 && d2:
			c = cmpDigits(digitsAt(p1), digitsAt(p2))
		case !d1 && !d2:
			c = cmpInt(phpSpecialOrder(p1), phpSpecialOrder(p2))
		case d1:
			c = cmpInt(phpSpecialOrder(phpNumber), phpSpecialOrder(p2))
		default:
			c = cmpInt(phpSpecialOrder(p1), phpSpecialOrder(phpNumber))
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case more1:
		if r1 != "" && isDigit(r1[0]) {
			return 1
		}
		return phpVersionCompare(r1, phpNumber)
	case more2:
		if r2 != "" && isDigit(r2[0]) {
			return -1
		}
		return phpVersionCompare(phpNumber, r2)
	}
	return 0
}

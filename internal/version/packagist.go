package version

import "strings"

// packagistVersion is a Composer package version compared as PHP's
// version_compare compares it.
type packagistVersion struct {
	raw   string
	canon string    // php_canonicalize_version of raw without its "v" prefix
	parts []phpPart // canon split at '.'
}

// phpPart is one dot-separated part of a canonical PHP version.
type phpPart struct {
	digit bool   // starts with a digit: compared as a number
	num   string // digit: the leading digits, leading zeros trimmed
	order int    // non-digit: phpSpecialOrder of the part
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
	v := packagistVersion{raw: raw, canon: canon}
	if canon != "" {
		for p := range strings.SplitSeq(canon, ".") {
			if p != "" && isDigit(p[0]) {
				v.parts = append(v.parts, phpPart{digit: true, num: trimZeros(digitsAt(p))})
			} else {
				v.parts = append(v.parts, phpPart{order: phpSpecialOrder(p)})
			}
		}
	}
	return v, nil
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
	return phpCompareParts(v.parts, o.parts)
}

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

// phpNumberOrder is the special-form order of a number ("#N#").
const phpNumberOrder = 4

func phpCmpPart(a, b phpPart) int {
	switch {
	case a.digit && b.digit:
		return cmpDigits(a.num, b.num)
	case a.digit:
		return cmpInt(phpNumberOrder, b.order)
	case b.digit:
		return cmpInt(a.order, phpNumberOrder)
	}
	return cmpInt(a.order, b.order)
}

// phpCompareParts is PHP's php_version_compare on canonical versions split
// into parts: parts compare pairwise; then the longer version wins if its
// next part is a number, and otherwise its rest is compared with a number
// (so "1.0rc1" < "1.0" < "1.0pl1").
func phpCompareParts(a, b []phpPart) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return -1
	case len(b) == 0:
		return 1
	}
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if c := phpCmpPart(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) > n:
		if a[n].digit {
			return 1
		}
		return phpCompareNumber(a[n:])
	case len(b) > n:
		if b[n].digit {
			return -1
		}
		return -phpCompareNumber(b[n:])
	}
	return 0
}

// phpCompareNumber is php_version_compare(rest, "#N#"): the rest of a
// version against "any number", unrolling PHP's tail recursion.
func phpCompareNumber(x []phpPart) int {
	for {
		// a number equals "#N#"; anything else compares by its order
		if !x[0].digit {
			if c := cmpInt(x[0].order, phpNumberOrder); c != 0 {
				return c
			}
		}
		if len(x) == 1 {
			return 0
		}
		if x[1].digit {
			return 1
		}
		x = x[1:]
	}
}

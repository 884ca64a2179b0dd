package version

import "strings"

// dpkgVersion is a Debian package version: [epoch:]upstream[-revision].
type dpkgVersion struct {
	raw      string
	epoch    string // digits, leading zeros trimmed; "" is epoch 0
	upstream string
	revision string
}

// parseDpkg follows dpkg's parseversion (lib/dpkg/parsehelp.c): the epoch
// is everything before the first ':', the revision everything after the
// last '-'. It rejects what dpkg rejects (empty parts, a non-numeric or
// huge epoch, embedded spaces, characters outside dpkg's set) but accepts
// an upstream version that does not start with a digit, which dpkg only
// warns about.
func parseDpkg(s string) (Version, error) {
	v := dpkgVersion{raw: s}
	rest := s
	if e, after, ok := strings.Cut(s, ":"); ok {
		if e == "" {
			return nil, invalid(Dpkg, s, "empty epoch")
		}
		if !allDigits(e) {
			return nil, invalid(Dpkg, s, "epoch is not a number")
		}
		v.epoch = trimZeros(e)
		if len(v.epoch) > 10 || (len(v.epoch) == 10 && v.epoch > "2147483647") {
			return nil, invalid(Dpkg, s, "epoch is too big")
		}
		rest = after
	}
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		v.upstream, v.revision = rest[:i], rest[i+1:]
	} else {
		v.upstream = rest
	}
	if v.upstream == "" {
		return nil, invalid(Dpkg, s, "empty upstream version")
	}
	for i := 0; i < len(v.upstream); i++ {
		c := v.upstream[i]
		if !isDigit(c) && !isAlpha(c) && !strings.ContainsRune(".-+~:", rune(c)) {
			return nil, invalid(Dpkg, s, "invalid character in upstream version")
		}
	}
	for i := 0; i < len(v.revision); i++ {
		c := v.revision[i]
		if !isDigit(c) && !isAlpha(c) && !strings.ContainsRune(".+~", rune(c)) {
			return nil, invalid(Dpkg, s, "invalid character in revision")
		}
	}
	return v, nil
}

func (v dpkgVersion) String() string { return v.raw }
func (v dpkgVersion) Scheme() Scheme { return Dpkg }

func (v dpkgVersion) Compare(other Version) int {
	if c, ok := crossScheme(Dpkg, other); ok {
		return c
	}
	o, ok := other.(dpkgVersion)
	if !ok {
		return foreign(v, other)
	}
	if c := cmpDigits(v.epoch, o.epoch); c != 0 {
		return c
	}
	if c := verrevcmp(v.upstream, o.upstream); c != 0 {
		return c
	}
	return verrevcmp(v.revision, o.revision)
}

// dpkgOrder is the weight of one non-digit character in dpkg's ordering:
// '~' sorts before the end of the string, letters before other symbols.
func dpkgOrder(c byte) int {
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	case c != 0:
		return int(c) + 256
	}
	return 0
}

// at returns s[i], or 0 past the end (C string semantics).
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// verrevcmp compares two upstream versions or revisions the way dpkg's
// verrevcmp does: alternating runs of non-digits (compared by dpkgOrder)
// and digits (compared numerically).
func verrevcmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := dpkgOrder(at(a, i)), dpkgOrder(at(b, j))
			if ac != bc {
				return cmpInt(ac, bc)
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		si, sj := i, j
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if c := cmpDigits(a[si:i], b[sj:j]); c != 0 {
			return c
		}
	}
	return 0
}

package version

import "strings"

// rpmVersion is an rpm [epoch:]version[-release] (EVR).
type rpmVersion struct {
	raw     string
	epoch   string // digits, leading zeros trimmed; "" is epoch 0
	version string
	release string
	hasRel  bool
}

// parseRPM splits an EVR the way rpm's parseEVR does: an epoch only when
// the string starts with digits followed by ':', a release after the last
// '-'. rpm compares any string, so everything non-empty is accepted.
func parseRPM(s string) (Version, error) {
	v := rpmVersion{raw: s}
	rest := s
	d := 0
	for d < len(s) && isDigit(s[d]) {
		d++
	}
	if d < len(s) && s[d] == ':' {
		v.epoch = trimZeros(s[:d])
		rest = s[d+1:]
	}
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		v.version, v.release = rest[:i], rest[i+1:]
	} else {
		v.version = rest
	}
	return v, nil
}

func (v rpmVersion) String() string { return v.raw }
func (v rpmVersion) Scheme() Scheme { return RPM }

// Compare orders EVRs as rpm's rpmVersionCompare: epoch numerically (a
// missing epoch is 0), then version, then release with rpmvercmp. A
// missing release compares as the empty string, so "1.0" < "1.0-1".
func (v rpmVersion) Compare(other Version) int {
	if c, ok := crossScheme(RPM, other); ok {
		return c
	}
	o, ok := other.(rpmVersion)
	if !ok {
		return foreign(v, other)
	}
	if c := cmpDigits(v.epoch, o.epoch); c != 0 {
		return c
	}
	if c := rpmvercmp(v.version, o.version); c != 0 {
		return c
	}
	return rpmvercmp(v.release, o.release)
}

func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// rpmvercmp is rpm's segment comparison (lib/rpmvercmp.c) including the
// '~' (sorts before everything) and '^' (sorts after the base version but
// before any further segment) operators. Non-ASCII bytes are separators.
func rpmvercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		ca, cb := at(a, i), at(b, j)
		if ca == '~' || cb == '~' {
			if ca != '~' {
				return 1
			}
			if cb != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		if ca == '^' || cb == '^' {
			if i >= len(a) {
				return -1
			}
			if j >= len(b) {
				return 1
			}
			if ca != '^' {
				return 1
			}
			if cb != '^' {
				return -1
			}
			i++
			j++
			continue
		}
		if i >= len(a) || j >= len(b) {
			break
		}
		si, sj := i, j
		num := isDigit(a[i])
		if num {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		if j == sj {
			// segments of different kinds: a number beats letters
			if num {
				return 1
			}
			return -1
		}
		if num {
			if c := cmpDigits(a[si:i], b[sj:j]); c != 0 {
				return c
			}
		} else if c := cmpStr(a[si:i], b[sj:j]); c != 0 {
			return c
		}
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i < len(a):
		return 1
	}
	return -1
}

package version

import "strings"

// pep440Version is a Python version as pypa/packaging's Version sees it.
type pep440Version struct {
	raw     string
	epoch   string   // digits, leading zeros trimmed
	release []string // digit strings, leading zeros trimmed, trailing zeros dropped
	preRank int8     // -1: below everything (dev-only release), 0 a, 1 b, 2 rc, 3 none
	preNum  string
	hasPost bool
	postNum string
	hasDev  bool
	devNum  string
	local   []string // lower-cased segments; nil when absent
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// digitsAt returns the run of ASCII digits at the start of s.
func digitsAt(s string) string {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i]
}

// labelAt returns the first of labels that s starts with, optionally
// after one separator, and the rest of s after it.
func labelAt(s string, labels ...string) (string, string, bool) {
	t := s
	if t != "" && isSep(t[0]) {
		t = t[1:]
	}
	for _, l := range labels {
		if strings.HasPrefix(t, l) {
			return l, t[len(l):], true
		}
	}
	return "", s, false
}

// numberAfter reads the optional "[-_.]N" after a pre, post or dev label.
func numberAfter(s string) (string, string) {
	if s != "" && isSep(s[0]) && len(s) > 1 && isDigit(s[1]) {
		s = s[1:]
	}
	n := digitsAt(s)
	return n, s[len(n):]
}

// parsePEP440 follows packaging's VERSION_PATTERN, case-insensitively,
// with its normalisations: a "v" prefix, "-", "_" or "." separators,
// alpha/beta/c/pre/preview spellings, implicit numbers ("1.0a" is 1.0a0),
// implicit post releases ("1.0-1") and "rev"/"r" for post. Legacy
// (non-PEP 440) versions are rejected, as packaging ≥ 22 rejects them.
func parsePEP440(raw string) (Version, error) {
	for i := 0; i < len(raw); i++ {
		if raw[i] >= 0x80 {
			return nil, invalid(PEP440, raw, "non-ASCII character")
		}
	}
	s := strings.ToLower(raw)
	v := pep440Version{raw: raw, preRank: 3}
	s = strings.TrimPrefix(s, "v")
	if d := digitsAt(s); d != "" && len(s) > len(d) && s[len(d)] == '!' {
		v.epoch = trimZeros(d)
		s = s[len(d)+1:]
	}
	// release
	for {
		d := digitsAt(s)
		if d == "" {
			return nil, invalid(PEP440, raw, "release segment must be numbers separated by dots")
		}
		v.release = append(v.release, trimZeros(d))
		s = s[len(d):]
		if len(s) >= 2 && s[0] == '.' && isDigit(s[1]) {
			s = s[1:]
			continue
		}
		break
	}
	for len(v.release) > 1 && v.release[len(v.release)-1] == "" {
		v.release = v.release[:len(v.release)-1]
	}
	// pre-release
	if l, rest, ok := labelAt(s, "alpha", "a", "beta", "b", "preview", "pre", "c", "rc"); ok {
		switch l {
		case "alpha", "a":
			v.preRank = 0
		case "beta", "b":
			v.preRank = 1
		default:
			v.preRank = 2
		}
		v.preNum, s = numberAfter(rest)
	}
	// post-release
	if len(s) >= 2 && s[0] == '-' && isDigit(s[1]) {
		v.hasPost = true
		v.postNum = digitsAt(s[1:])
		s = s[1+len(v.postNum):]
	} else if _, rest, ok := labelAt(s, "post", "rev", "r"); ok {
		v.hasPost = true
		v.postNum, s = numberAfter(rest)
	}
	// dev release
	if _, rest, ok := labelAt(s, "dev"); ok {
		v.hasDev = true
		v.devNum, s = numberAfter(rest)
	}
	if v.preRank == 3 && !v.hasPost && v.hasDev {
		v.preRank = -1
	}
	// local version
	if strings.HasPrefix(s, "+") {
		loc := s[1:]
		start := 0
		for i := 0; i <= len(loc); i++ {
			if i == len(loc) || isSep(loc[i]) {
				if i == start {
					return nil, invalid(PEP440, raw, "empty local version segment")
				}
				v.local = append(v.local, loc[start:i])
				start = i + 1
				continue
			}
			if !isDigit(loc[i]) && !('a' <= loc[i] && loc[i] <= 'z') {
				return nil, invalid(PEP440, raw, "invalid character in local version")
			}
		}
		s = ""
	}
	if s != "" {
		return nil, invalid(PEP440, raw, "unexpected "+quoteShort(s))
	}
	return v, nil
}

func quoteShort(s string) string {
	if len(s) > 16 {
		s = s[:16] + "…"
	}
	return `"` + s + `"`
}

func (v pep440Version) String() string { return v.raw }
func (v pep440Version) Scheme() Scheme { return PEP440 }

// Compare orders as packaging's Version._cmpkey: epoch, release (trailing
// zeros ignored), pre-release (a dev-only release sorts before any
// pre-release), post-release, dev release, then the local version
// (absent sorts first; numeric segments above alphanumeric ones).
func (v pep440Version) Compare(other Version) int {
	if c, ok := crossScheme(PEP440, other); ok {
		return c
	}
	o, ok := other.(pep440Version)
	if !ok {
		return foreign(v, other)
	}
	if c := cmpDigits(v.epoch, o.epoch); c != 0 {
		return c
	}
	for i := 0; i < len(v.release) || i < len(o.release); i++ {
		var a, b string
		if i < len(v.release) {
			a = v.release[i]
		}
		if i < len(o.release) {
			b = o.release[i]
		}
		if c := cmpDigits(a, b); c != 0 {
			return c
		}
	}
	if c := cmpInt(int(v.preRank), int(o.preRank)); c != 0 {
		return c
	}
	if c := cmpDigits(v.preNum, o.preNum); c != 0 {
		return c
	}
	if v.hasPost != o.hasPost {
		if v.hasPost {
			return 1
		}
		return -1
	}
	if c := cmpDigits(v.postNum, o.postNum); c != 0 {
		return c
	}
	if v.hasDev != o.hasDev {
		if v.hasDev {
			return -1
		}
		return 1
	}
	if c := cmpDigits(v.devNum, o.devNum); c != 0 {
		return c
	}
	return cmpLocal(v.local, o.local)
}

func cmpLocal(a, b []string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		an, bn := allDigits(a[i]), allDigits(b[i])
		var c int
		switch {
		case an && bn:
			c = cmpDigits(a[i], b[i])
		case an:
			c = 1
		case bn:
			c = -1
		default:
			c = cmpStr(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

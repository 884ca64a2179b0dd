package version

// apkVersion is an Alpine package version: a Gentoo-style version
// {digit}{.digit}...{letter}{_suffix{#}}...{-r#}.
type apkVersion struct{ raw string }

// parseAPK accepts any string without white space or control characters:
// apk-tools compares versions it would call invalid too (it stops at the
// first invalid token), and Alpine advisories are compared the same way.
func parseAPK(s string) (Version, error) {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return nil, invalid(APK, s, "white space or control character")
		}
	}
	return apkVersion{raw: s}, nil
}

func (v apkVersion) String() string { return v.raw }
func (v apkVersion) Scheme() Scheme { return APK }

func (v apkVersion) Compare(other Version) int {
	if c, ok := crossScheme(APK, other); ok {
		return c
	}
	o, ok := other.(apkVersion)
	if !ok {
		return foreign(v, other)
	}
	return apkCompare(v.raw, o.raw)
}

// Token types of apk-tools' version tokenizer, in its order.
const (
	apkInvalid = iota - 1
	apkDigitOrZero
	apkDigit
	apkLetter
	apkSuffix
	apkSuffixNo
	apkRevisionNo
	apkEnd
)

// apkValue is a token's value: small holds suffix indexes, letters and
// negative zero counts; digits holds a digit run of any length (compared
// numerically, where apk-tools would overflow an int).
type apkValue struct {
	small  int
	digits string
}

func (a apkValue) cmp(b apkValue) int {
	if a.digits != "" || b.digits != "" {
		// a run of digits is never negative, so a negative small value
		// sorts first; otherwise compare the numbers.
		if a.digits == "" && a.small < 0 {
			return -1
		}
		if b.digits == "" && b.small < 0 {
			return 1
		}
		return cmpDigits(a.digits, b.digits)
	}
	return cmpInt(a.small, b.small)
}

var (
	apkPreSuffixes  = [...]string{"alpha", "beta", "pre", "rc"}
	apkPostSuffixes = [...]string{"cvs", "svn", "git", "hg", "p"}
)

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// apkNextToken classifies the separator at s[0] and advances past it, as
// apk-tools' next_token does.
func apkNextToken(typ int, s string) (int, string) {
	n := apkInvalid
	switch {
	case s == "":
		n = apkEnd
	case (typ == apkDigit || typ == apkDigitOrZero) && 'a' <= s[0] && s[0] <= 'z':
		n = apkLetter
	case typ == apkLetter && isDigit(s[0]):
		n = apkDigit
	case typ == apkSuffix && isDigit(s[0]):
		n = apkSuffixNo
	default:
		switch s[0] {
		case '.':
			n = apkDigitOrZero
		case '_':
			n = apkSuffix
		case '-':
			if len(s) > 1 && s[1] == 'r' {
				n = apkRevisionNo
				s = s[1:]
			}
		}
		s = s[1:]
	}
	if n < typ {
		if !((n == apkDigitOrZero && typ == apkDigit) ||
			(n == apkSuffix && typ == apkSuffixNo) ||
			(n == apkDigit && typ == apkLetter)) {
			n = apkInvalid
		}
	}
	return n, s
}

// apkGetToken reads one token of type typ from s, as apk-tools'
// get_token does, and returns its value, the next type and the rest.
func apkGetToken(typ int, s string) (apkValue, int, string) {
	if s == "" {
		return apkValue{}, apkEnd, s
	}
	var v apkValue
	i := 0
	nt := apkInvalid
	switch typ {
	case apkDigitOrZero, apkDigit, apkSuffixNo, apkRevisionNo:
		if typ == apkDigitOrZero && s[0] == '0' {
			for i < len(s) && s[i] == '0' {
				i++
			}
			nt = apkDigit
			v.small = -i
			break
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		v.digits = trimZeros(s[:i])
	case apkLetter:
		v.small = int(s[0])
		i = 1
	case apkSuffix:
		found := false
		for k, p := range apkPreSuffixes {
			if hasPrefix(s, p) {
				v.small, i, found = k-len(apkPreSuffixes), len(p), true
				break
			}
		}
		if !found {
			for k, p := range apkPostSuffixes {
				if hasPrefix(s, p) {
					v.small, i, found = k, len(p), true
					break
				}
			}
		}
		if !found {
			return apkValue{small: -1}, apkInvalid, s
		}
	default:
		return apkValue{small: -1}, apkInvalid, s
	}
	s = s[i:]
	switch {
	case s == "":
		return v, apkEnd, s
	case nt != apkInvalid:
		return v, nt, s
	}
	typ, s = apkNextToken(typ, s)
	return v, typ, s
}

// apkCompare is apk-tools' apk_version_compare (version.c of apk-tools
// 2.x): tokens are compared pairwise while their types agree; then a
// pre-release suffix sorts first and otherwise the longer version wins.
func apkCompare(a, b string) int {
	at, bt := apkDigit, apkDigit
	var av, bv apkValue
	for at == bt && at != apkEnd && at != apkInvalid && av.cmp(bv) == 0 {
		av, at, a = apkGetToken(at, a)
		bv, bt, b = apkGetToken(bt, b)
	}
	if c := av.cmp(bv); c != 0 {
		return c
	}
	if at == bt {
		return 0
	}
	if at == apkSuffix {
		if v, _, _ := apkGetToken(at, a); v.digits == "" && v.small < 0 {
			return -1
		}
	}
	if bt == apkSuffix {
		if v, _, _ := apkGetToken(bt, b); v.digits == "" && v.small < 0 {
			return 1
		}
	}
	switch {
	case at > bt:
		return -1
	case bt > at:
		return 1
	}
	return 0
}

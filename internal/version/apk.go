package version

// apkVersion is an Alpine package version: a Gentoo-style version
// {digit}{.digit}...{letter}{_suffix{#}}...{-r#}. Its token stream is
// computed once at parse time: apk-tools tokenises each version on its own,
// so Compare only has to walk two precomputed streams.
type apkVersion struct {
	raw    string
	tokens []apkToken
}

// apkToken is one get_token result: the token's value and the type of the
// token that follows it.
type apkToken struct {
	val  apkValue
	next int
}

// apkTokenize runs apk-tools' tokenizer over s until the end or the first
// invalid token.
func apkTokenize(s string) []apkToken {
	var out []apkToken
	typ := apkDigit
	for {
		v, nt, rest := apkGetToken(typ, s)
		out = append(out, apkToken{val: v, next: nt})
		if nt == apkEnd || nt == apkInvalid {
			return out
		}
		typ, s = nt, rest
	}
}

// parseAPK accepts any string without white space or control characters:
// apk-tools compares versions it would call invalid too (it stops at the
// first invalid token), and Alpine advisories are compared the same way.
func parseAPK(s string) (Version, error) {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return nil, invalid(APK, s, "white space or control character")
		}
	}
	return apkVersion{raw: s, tokens: apkTokenize(s)}, nil
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
	return apkCompareTokens(v.tokens, o.tokens)
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

// apkCompareTokens is apk-tools' apk_version_compare (version.c of
// apk-tools 2.x) over precomputed token streams: tokens are compared
// pairwise while their types agree; then a pre-release suffix sorts first
// and otherwise the longer version wins.
func apkCompareTokens(a, b []apkToken) int {
	at, bt := apkDigit, apkDigit
	var av, bv apkValue
	i := 0
	for at == bt && at != apkEnd && at != apkInvalid && av.cmp(bv) == 0 {
		av, at = a[i].val, a[i].next
		bv, bt = b[i].val, b[i].next
		i++
	}
	if c := av.cmp(bv); c != 0 {
		return c
	}
	if at == bt {
		return 0
	}
	// the token after a suffix separator: a pre-release (or invalid)
	// suffix has a negative value.
	if at == apkSuffix && i < len(a) && a[i].val.digits == "" && a[i].val.small < 0 {
		return -1
	}
	if bt == apkSuffix && i < len(b) && b[i].val.digits == "" && b[i].val.small < 0 {
		return 1
	}
	switch {
	case at > bt:
		return -1
	case bt > at:
		return 1
	}
	return 0
}

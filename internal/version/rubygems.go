package version

import "strings"

// gemSegment is one segment of a Gem::Version: a number (digits, leading
// zeros trimmed) or a string.
type gemSegment struct {
	num  bool
	text string
}

// rubyGemsVersion is a RubyGems Gem::Version.
type rubyGemsVersion struct {
	raw  string
	segs []gemSegment // canonical segments
}

// parseRubyGems follows Gem::Version: the string must match
// [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)? ; a '-' is
// read as ".pre."; segments are runs of digits or of letters; trailing
// zero segments are dropped from the numeric part and from the string part
// (Gem::Version#canonical_segments).
func parseRubyGems(raw string) (Version, error) {
	if !validGem(raw) {
		return nil, invalid(RubyGems, raw, "malformed version number string")
	}
	s := strings.ReplaceAll(raw, "-", ".pre.")
	var segs []gemSegment
	for i := 0; i < len(s); {
		switch {
		case isDigit(s[i]):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			segs = append(segs, gemSegment{num: true, text: trimZeros(s[i:j])})
			i = j
		case isAlpha(s[i]):
			j := i
			for j < len(s) && isAlpha(s[j]) {
				j++
			}
			segs = append(segs, gemSegment{text: s[i:j]})
			i = j
		default:
			i++
		}
	}
	// canonical: split at the first string segment, drop trailing zeros
	// of each part.
	split := len(segs)
	for i, sg := range segs {
		if !sg.num {
			split = i
			break
		}
	}
	nums, strs := segs[:split], segs[split:]
	for len(nums) > 0 && nums[len(nums)-1].text == "" {
		nums = nums[:len(nums)-1]
	}
	for len(strs) > 0 && strs[len(strs)-1].num && strs[len(strs)-1].text == "" {
		strs = strs[:len(strs)-1]
	}
	canon := append(nums[:len(nums):len(nums)], strs...)
	return rubyGemsVersion{raw: raw, segs: canon}, nil
}

// validGem matches Gem::Version's ANCHORED_VERSION_PATTERN (after Parse
// has trimmed white space).
func validGem(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	if i == len(s) {
		return true
	}
	if s[i] != '-' {
		return false
	}
	i++
	for {
		j := i
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == i {
			return false
		}
		if j == len(s) {
			return true
		}
		if s[j] != '.' {
			return false
		}
		i = j + 1
	}
}

func (v rubyGemsVersion) String() string { return v.raw }
func (v rubyGemsVersion) Scheme() Scheme { return RubyGems }

// Compare is Gem::Version#<=> on canonical segments: missing segments are
// 0; a string sorts before a number; numbers compare numerically, strings
// bytewise.
func (v rubyGemsVersion) Compare(other Version) int {
	if c, ok := crossScheme(RubyGems, other); ok {
		return c
	}
	o, ok := other.(rubyGemsVersion)
	if !ok {
		return foreign(v, other)
	}
	zero := gemSegment{num: true}
	for i := 0; i < len(v.segs) || i < len(o.segs); i++ {
		a, b := zero, zero
		if i < len(v.segs) {
			a = v.segs[i]
		}
		if i < len(o.segs) {
			b = o.segs[i]
		}
		switch {
		case a.num && b.num:
			if c := cmpDigits(a.text, b.text); c != 0 {
				return c
			}
		case a.num:
			return 1
		case b.num:
			return -1
		default:
			if c := cmpStr(a.text, b.text); c != 0 {
				return c
			}
		}
	}
	return 0
}

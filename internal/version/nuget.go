package version

import "strings"

// nugetVersion is a NuGetVersion: up to four numbers, a pre-release and
// ignored metadata.
type nugetVersion struct {
	raw  string
	nums [4]string // digit strings, leading zeros trimmed
	pre  string
}

// parseNuGet accepts what NuGetVersion.Parse accepts: 1 to 4 dot-separated
// numbers (missing ones are 0), an optional "-prerelease" of dot-separated
// [0-9A-Za-z-] labels and optional "+metadata". Numbers may be of any
// length (NuGet limits them to int32).
func parseNuGet(raw string) (Version, error) {
	v := nugetVersion{raw: raw}
	core := raw
	if i := strings.IndexByte(core, '+'); i >= 0 {
		if !validIdents(core[i+1:]) {
			return nil, invalid(NuGet, raw, "invalid metadata")
		}
		core = core[:i]
	}
	if i := strings.IndexByte(core, '-'); i >= 0 {
		v.pre = core[i+1:]
		if !validIdents(v.pre) {
			return nil, invalid(NuGet, raw, "invalid pre-release")
		}
		core = core[:i]
	}
	n := 0
	for part := range strings.SplitSeq(core, ".") {
		if n == 4 {
			return nil, invalid(NuGet, raw, "more than four version numbers")
		}
		if !allDigits(part) {
			return nil, invalid(NuGet, raw, "version number is not a number")
		}
		v.nums[n] = trimZeros(part)
		n++
	}
	return v, nil
}

func (v nugetVersion) String() string { return v.raw }
func (v nugetVersion) Scheme() Scheme { return NuGet }

// Compare is VersionComparer.Default: the four numbers, then the release
// above any pre-release, pre-release labels compared case-insensitively
// (numeric labels numerically and below alphanumeric ones); metadata is
// ignored.
func (v nugetVersion) Compare(other Version) int {
	if c, ok := crossScheme(NuGet, other); ok {
		return c
	}
	o, ok := other.(nugetVersion)
	if !ok {
		return foreign(v, other)
	}
	for i := range v.nums {
		if c := cmpDigits(v.nums[i], o.nums[i]); c != 0 {
			return c
		}
	}
	return cmpPrerelease(v.pre, o.pre, true)
}

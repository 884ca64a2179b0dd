package version

import "strings"

// goVersion is a Go module version (golang.org/x/mod/semver rules).
type goVersion struct {
	raw string
	sv  semverVersion
}

// parseGo accepts a module version with or without the leading "v"
// ("v1.2.3", "1.2.3", "v1.2.3-pre", "v2.0.0+incompatible", pseudo-versions),
// x/mod's shorthands "v1" and "v1.2", and Go toolchain versions with or
// without "go" ("go1.21rc2", "1.21rc2"; normalised by ParseGoToolchain). Unlike node-semver it rejects leading
// zeros in numbers and in numeric pre-release identifiers, as x/mod does.
func parseGo(s string) (Version, error) {
	t := s
	if strings.HasPrefix(t, "go") {
		n, err := ParseGoToolchain(t)
		if err != nil {
			return nil, invalid(Go, s, "invalid toolchain version")
		}
		t = n
	} else if t[0] == 'v' {
		t = t[1:]
	}
	sv, reason := splitSemVer(t, true)
	if reason != "" && t == s {
		// a toolchain version without its "go" prefix, as OSV's stdlib
		// records spell some ("1.21rc2")
		if n, err := ParseGoToolchain(s); err == nil && n != s {
			v, err := parseGo(n)
			gv, ok := v.(goVersion)
			if err != nil || !ok {
				return nil, invalid(Go, s, "invalid toolchain version")
			}
			gv.raw = s
			return gv, nil
		}
	}
	if reason != "" {
		return nil, invalid(Go, s, reason)
	}
	core, _, _ := strings.Cut(t, "+")
	core, _, _ = strings.Cut(core, "-")
	if strings.Count(core, ".") < 2 && core != t {
		// x/mod: the shorthands "v1" and "v1.2" take no suffix.
		return nil, invalid(Go, s, "shorthand version with a suffix")
	}
	for part := range strings.SplitSeq(core, ".") {
		if len(part) > 1 && part[0] == '0' {
			return nil, invalid(Go, s, "leading zero in a version number")
		}
	}
	for id := range strings.SplitSeq(sv.pre, ".") {
		if len(id) > 1 && id[0] == '0' && allDigits(id) {
			return nil, invalid(Go, s, "leading zero in a numeric pre-release identifier")
		}
	}
	return goVersion{raw: s, sv: sv}, nil
}

func (v goVersion) String() string { return v.raw }
func (v goVersion) Scheme() Scheme { return Go }

// Compare orders as x/mod's semver.Compare: build metadata, including
// "+incompatible", is ignored.
func (v goVersion) Compare(other Version) int {
	if c, ok := crossScheme(Go, other); ok {
		return c
	}
	o, ok := other.(goVersion)
	if !ok {
		return foreign(v, other)
	}
	return v.sv.cmp(o.sv)
}

// ParseGoToolchain normalises a Go toolchain version to the semantic
// version OSV's stdlib and toolchain records use: "go1.22.0" → "1.22.0",
// "go1.21rc2" → "1.21.0-rc.2", "go1.20" → "1.20.0", "go1" → "1.0.0",
// "go1.19beta1" → "1.19.0-beta.1". The "go" prefix is optional. An input
// that is not a Go release name returns *InvalidVersionError.
func ParseGoToolchain(v string) (string, error) {
	if len(v) > maxLen {
		return "", invalid(Go, v[:64]+"…", "longer than 1024 bytes")
	}
	s := strings.TrimPrefix(strings.TrimSpace(v), "go")
	bad := func(r string) (string, error) { return "", invalid(Go, v, r) }
	// numbers: 1 to 3 dot-separated, then an optional alpha/beta/rc N.
	end := 0
	for end < len(s) && (isDigit(s[end]) || s[end] == '.') {
		end++
	}
	nums, suffix := s[:end], s[end:]
	parts := strings.Split(nums, ".")
	if len(parts) > 3 {
		return bad("more than three version numbers")
	}
	for _, p := range parts {
		if !allDigits(p) || (len(p) > 1 && p[0] == '0') {
			return bad("version number is not a number")
		}
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	out := strings.Join(parts, ".")
	if suffix == "" {
		return out, nil
	}
	for _, kind := range [...]string{"alpha", "beta", "rc"} {
		if n, ok := strings.CutPrefix(suffix, kind); ok {
			if !allDigits(n) || (len(n) > 1 && n[0] == '0') {
				return bad("pre-release number is not a number")
			}
			return out + "-" + kind + "." + n, nil
		}
	}
	if strings.HasPrefix(suffix, "-") {
		// already semantic ("1.21.0-rc.2", "1.13.0-0")
		if _, r := splitSemVer(s, false); r != "" {
			return bad(r)
		}
		if _, err := parseGo(s); err != nil {
			return bad("invalid semantic version")
		}
		return s, nil
	}
	return bad("unknown suffix")
}

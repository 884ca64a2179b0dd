package gobinary

import "strings"

// ToolchainVersion turns a Go toolchain name into the semantic version OSV
// uses for the "stdlib" package: "go1.22.0" → "1.22.0", "go1.20" →
// "1.20.0", "go1.21rc2" → "1.21.0-rc.2", "go1.18beta1" → "1.18.0-beta.1".
// Build suffixes (" X:boringcrypto", "-bigcorp") are dropped. It returns ""
// for development builds ("devel go1.23-abc") and anything unrecognised.
func ToolchainVersion(goVersion string) string {
	v, ok := strings.CutPrefix(goVersion, "go")
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, " ")
	v, _, _ = strings.Cut(v, "-")
	pre := ""
	for _, kind := range []string{"rc", "beta", "alpha"} {
		if i := strings.Index(v, kind); i > 0 {
			n := v[i+len(kind):]
			if !digits(n) {
				return ""
			}
			v, pre = v[:i], "-"+kind+"."+n
			break
		}
	}
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return ""
	}
	for _, p := range parts {
		if !digits(p) {
			return ""
		}
	}
	if len(parts) == 2 {
		parts = append(parts, "0")
	}
	return strings.Join(parts, ".") + pre
}

func digits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

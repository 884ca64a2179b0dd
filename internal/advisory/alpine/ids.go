package alpine

import "strings"

// issueIDs reads one secfixes entry ("CVE-2016-9932 XSA-200") into the
// ids it names, the first being the record's id. It returns nil when the
// first word is not an advisory id.
func issueIDs(entry string) []string {
	words := strings.Fields(entry)
	if len(words) == 0 {
		return nil
	}
	first, ok := normalizeID(words[0])
	if !ok {
		return nil
	}
	ids := []string{first}
	for _, w := range words[1:] {
		if id, ok := normalizeID(w); ok && id != first {
			ids = append(ids, id)
		}
	}
	return ids
}

// normalizeID returns the advisory id a word names. CVE ids are cut to
// CVE-YYYY-NNNN (dropping suffixes like ".patch" or "-1") and may be
// written with "CVE_"; other ids must look like PREFIX-PART[-PART…]
// ("XSA-207", "TALOS-2017-0488", "wnpa-sec-2017-18").
func normalizeID(w string) (string, bool) {
	if len(w) > 64 {
		return "", false
	}
	if rest, ok := cutCVEPrefix(w); ok {
		year, num := leadingDigits(rest)
		if len(year) != 4 || len(num) < 4 {
			return "", false
		}
		return "CVE-" + year + "-" + num, true
	}
	parts := strings.Split(w, "-")
	if len(parts) < 2 || parts[0] == "" || !isLetter(parts[0][0]) {
		return "", false
	}
	for _, p := range parts {
		if p == "" {
			return "", false
		}
		for i := 0; i < len(p); i++ {
			if !isLetter(p[i]) && !isDigit(p[i]) {
				return "", false
			}
		}
	}
	return w, true
}

func cutCVEPrefix(w string) (string, bool) {
	if len(w) < 4 || !strings.EqualFold(w[:3], "CVE") || (w[3] != '-' && w[3] != '_') {
		return "", false
	}
	return w[4:], true
}

// leadingDigits reads "YYYY-NNNN…" from the start of s.
func leadingDigits(s string) (year, num string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	year = s[:i]
	if i >= len(s) || s[i] != '-' {
		return year, ""
	}
	j := i + 1
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return year, s[i+1 : j]
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// validVersion accepts an apk version key: it starts with a digit and
// holds only version characters. "0" is handled before this.
func validVersion(v string) bool {
	if v == "" || len(v) > 128 || !isDigit(v[0]) {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) && !isLetter(c) && !strings.ContainsRune("._-+~", rune(c)) {
			return false
		}
	}
	return true
}

// validName accepts an apk package name.
func validName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !isLetter(c) && !strings.ContainsRune("._-+", rune(c)) {
			return false
		}
	}
	return true
}

// validBranch accepts "v3.10"-style branch names and "edge".
func validBranch(s string) bool {
	if s == "edge" {
		return true
	}
	rest, ok := strings.CutPrefix(s, "v")
	if !ok || rest == "" || len(rest) > 16 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !isDigit(rest[i]) && rest[i] != '.' {
			return false
		}
	}
	return isDigit(rest[0])
}

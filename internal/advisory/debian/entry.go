package debian

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// entry is one "[release] - package version-or-marker (note)" line.
type entry struct {
	release string // codename, "bullseye"
	eco     string // "Debian:11"
	pkg     string // source package
	version string // fixed version, empty for a marker
	marker  string // "not-affected", "unfixed", … without brackets
	note    string // text inside the trailing parentheses
}

// markerStates maps tracker markers (other than not-affected) to fix states.
var markerStates = map[string]model.FixState{
	"unfixed":      model.FixStateNotFixed,
	"postponed":    model.FixStateNotFixed,
	"undetermined": model.FixStateNotFixed,
	"end-of-life":  model.FixStateWontFix,
	"no-dsa":       model.FixStateWontFix,
	"ignored":      model.FixStateWontFix,
	"removed":      model.FixStateWontFix,
}

const notAffected = "not-affected"

func parseEntry(s string) (entry, *ParseError) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return entry{}, &ParseError{Reason: "release has no closing bracket: " + quote(s)}
	}
	var e entry
	e.release = strings.TrimSpace(s[1:end])
	num, ok := ReleaseNumber(e.release)
	if !ok {
		return entry{}, &ParseError{Reason: "unknown Debian release " + quote(e.release)}
	}
	e.eco = "Debian:" + num
	rest, ok := strings.CutPrefix(strings.TrimSpace(s[end+1:]), "-")
	if !ok {
		return entry{}, &ParseError{Reason: "no \"-\" after the release: " + quote(s)}
	}
	rest = strings.TrimSpace(rest)
	e.pkg, rest = cutField(rest)
	if !validName(e.pkg) {
		return entry{}, &ParseError{Reason: "invalid source package name " + quote(e.pkg)}
	}
	var v string
	v, rest = cutField(rest)
	switch {
	case v == "":
		return entry{}, &ParseError{Reason: "no version after the package: " + quote(s)}
	case v[0] == '<':
		m, ok := strings.CutSuffix(v[1:], ">")
		_, known := markerStates[m]
		if !ok || (!known && m != notAffected) {
			return entry{}, &ParseError{Reason: "unknown marker " + quote(v)}
		}
		e.marker = m
	case validVersion(v):
		e.version = v
	default:
		return entry{}, &ParseError{Reason: "invalid version " + quote(v)}
	}
	if rest != "" {
		note, ok := strings.CutPrefix(rest, "(")
		note, ok2 := strings.CutSuffix(note, ")")
		if !ok || !ok2 {
			return entry{}, &ParseError{Reason: "text after the version is not a (note): " + quote(rest)}
		}
		e.note = strings.ToValidUTF8(strings.TrimSpace(note), "\uFFFD")
	}
	return e, nil
}

// cutField splits off the first whitespace-separated field of s.
func cutField(s string) (field, rest string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// validName accepts Debian source package names (policy 5.6.1), also
// upper case, which old entries use.
func validName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// validVersion accepts the characters of a Debian version (policy 5.6.12).
func validVersion(s string) bool {
	if len(s) > 256 || !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && !strings.ContainsRune(".+-~:_", rune(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// noteParts reads a note like "bug #322591; bug #334833; medium" into its
// bug numbers and urgency ("low**" is read as "low").
func noteParts(note string) (bugs []string, urgency string) {
	for part := range strings.FieldsFuncSeq(note, func(r rune) bool { return r == ';' || r == ',' }) {
		part = strings.TrimSpace(part)
		if b, ok := strings.CutPrefix(part, "bug #"); ok && allDigits(b) {
			bugs = append(bugs, b)
			continue
		}
		switch u := strings.TrimRight(part, "*"); u {
		case "unimportant", "low", "medium", "high":
			urgency = u
		}
	}
	return bugs, urgency
}

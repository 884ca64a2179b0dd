package debian

import (
	"strings"
	"time"
)

// header is the first line of an advisory:
// "[29 Mar 2023] DSA-5380-1 xorg-server - security update".
type header struct {
	id      string
	date    time.Time
	summary string
}

func parseHeader(line, kind string) (header, *ParseError) {
	if line[0] != '[' {
		return header{}, &ParseError{Reason: "advisory line does not start with a [date]: " + quote(line)}
	}
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return header{}, &ParseError{Reason: "advisory date has no closing bracket: " + quote(line)}
	}
	date, err := time.Parse("2 Jan 2006", strings.TrimSpace(line[1:end]))
	if err != nil {
		return header{}, &ParseError{Reason: "advisory date is not like \"29 Mar 2023\": " + quote(line), Err: err}
	}
	fields := strings.Fields(line[end+1:])
	if len(fields) == 0 {
		return header{}, &ParseError{Reason: "advisory line has no id: " + quote(line)}
	}
	id := fields[0]
	if !validID(id, kind) {
		return header{}, &ParseError{Reason: "advisory id " + quote(id) + " is not a " + kind + " id"}
	}
	return header{
		id:      id,
		date:    date.UTC(),
		summary: strings.ToValidUTF8(strings.Join(fields[1:], " "), "\uFFFD"),
	}, nil
}

// validID reports whether id is kind-NUMBER or kind-NUMBER-NUMBER.
func validID(id, kind string) bool {
	rest, ok := strings.CutPrefix(id, kind+"-")
	if !ok || len(rest) > 32 {
		return false
	}
	num, ext, hasExt := strings.Cut(rest, "-")
	return allDigits(num) && (!hasExt || allDigits(ext))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package kev

import "fmt"

// ParseError reports a catalog that Parse refuses. Entry is the index of
// the offending vulnerabilities[] entry, or -1 when the problem is with the
// catalog as a whole; CVE is the entry's id when known.
type ParseError struct {
	Entry  int
	CVE    string
	Reason string
	Err    error
}

// Error describes the problem and where it is.
func (e *ParseError) Error() string {
	msg := "KEV catalog"
	if e.Entry >= 0 {
		msg += fmt.Sprintf(" entry %d", e.Entry)
		if e.CVE != "" {
			msg += " (" + e.CVE + ")"
		}
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

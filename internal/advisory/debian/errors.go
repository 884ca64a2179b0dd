package debian

import "fmt"

// ParseError reports a line of a tracker list that ParseTrackerList cannot
// read, or a bound that the input exceeds. Line is 1-based; 0 when the
// error is not about one line.
type ParseError struct {
	Line   int
	Reason string
	Err    error
}

// Error describes the problem and where it is.
func (e *ParseError) Error() string {
	msg := "debian tracker list"
	if e.Line > 0 {
		msg += fmt.Sprintf(" line %d", e.Line)
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

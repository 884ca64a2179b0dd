package alpine

// ParseError reports a secdb file that ParseSecDB cannot read.
type ParseError struct {
	Reason string
	Err    error
}

// Error describes the problem and where it is.
func (e *ParseError) Error() string {
	msg := "alpine secdb: " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

package nvd

// ParseError reports an NVD response that Parse refuses. CVE names the
// record at fault, when there is one.
type ParseError struct {
	CVE    string
	Reason string
	Err    error
}

// Error describes the problem and where it is.
func (e *ParseError) Error() string {
	msg := "NVD response"
	if e.CVE != "" {
		msg += " " + e.CVE
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

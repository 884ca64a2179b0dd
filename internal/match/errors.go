package match

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// RecordsError wraps an error met while reading the records an index is
// built from.
type RecordsError struct{ Err error }

// Error describes the problem.
func (e *RecordsError) Error() string { return "reading advisory records: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RecordsError) Unwrap() error { return e.Err }

// FormatError says a persisted index could not be used: wrong magic,
// format version, snapshot or a corrupt body. Load rebuilds on it.
type FormatError struct {
	Path   string
	Reason string
	Err    error
}

// Error describes the problem.
func (e *FormatError) Error() string {
	msg := "match index " + e.Path + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *FormatError) Unwrap() error { return e.Err }

// PartialError is returned by Match together with complete results for
// everything else when some packages could only be partly evaluated (an
// installed version its scheme rejects: ranges cannot be checked, explicit
// version lists still are). Issues lists them.
type PartialError struct {
	Issues []model.Issue
}

// Error describes the problem.
func (e *PartialError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "matching was partial for %d package(s)", len(e.Issues))
	for i, is := range e.Issues {
		if i == 3 {
			b.WriteString("; …")
			break
		}
		b.WriteString("; " + is.Reason)
	}
	return b.String()
}

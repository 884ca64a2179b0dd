package version

import "fmt"

// InvalidVersionError reports a string that is not a version in a scheme.
type InvalidVersionError struct {
	Scheme Scheme // the scheme asked for
	Input  string // the rejected input, as given
	Reason string // why it was rejected
}

// Error implements error.
func (e *InvalidVersionError) Error() string {
	return fmt.Sprintf("version: invalid %s version %q: %s", e.Scheme, e.Input, e.Reason)
}

// UnsupportedEcosystemError reports an OSV ecosystem with no known scheme.
type UnsupportedEcosystemError struct {
	Ecosystem string // the ecosystem string, as given
}

// Error implements error.
func (e *UnsupportedEcosystemError) Error() string {
	return fmt.Sprintf("version: unsupported ecosystem %q", e.Ecosystem)
}

func invalid(s Scheme, input, reason string) error {
	return &InvalidVersionError{Scheme: s, Input: input, Reason: reason}
}

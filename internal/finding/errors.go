package finding

import "fmt"

// ObservationError says an observation cannot become a finding (no check
// id, a target part that does not match its type).
type ObservationError struct {
	Index  int
	Reason string
}

func (e *ObservationError) Error() string {
	return fmt.Sprintf("observation %d: %s", e.Index, e.Reason)
}

// ResourceError says the resource given to Reconcile is unusable (no id,
// no account).
type ResourceError struct{ Reason string }

func (e *ResourceError) Error() string { return "reconcile: resource: " + e.Reason }

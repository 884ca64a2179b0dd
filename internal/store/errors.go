package store

import "fmt"

// NotFoundError says an object does not exist or is outside the scope;
// the two are deliberately indistinguishable.
type NotFoundError struct {
	Kind string // "account", "resource", "job", …
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, e.ID) }

// ConflictError says a write collides with existing state (a duplicate
// name, a second delegated admin).
type ConflictError struct {
	Kind   string
	ID     string
	Reason string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %q: conflict: %s", e.Kind, e.ID, e.Reason)
}

// ScopeError says a write names an account outside the sub-store's scope.
type ScopeError struct {
	Kind    string
	Account string
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s: account %q is outside the scope", e.Kind, e.Account)
}

// InvalidError says an argument is malformed.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// LeaseLostError says a lease token no longer holds its job: the job was
// acknowledged, or the lease expired and another worker took it.
type LeaseLostError struct {
	Job   int64
	Token string
}

func (e *LeaseLostError) Error() string { return fmt.Sprintf("job %d: lease lost", e.Job) }

// SchemaTooNewError says the database was migrated by a newer vigil; this
// binary refuses to use it rather than corrupt it.
type SchemaTooNewError struct {
	Database int // highest applied migration
	Known    int // highest migration this binary knows
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this binary knows (%d): upgrade vigil", e.Database, e.Known)
}

// BusyError says an optional operation was skipped because other
// transactions held what it needs; it is worth trying again later.
type BusyError struct {
	What string
}

func (e *BusyError) Error() string { return e.What + ": busy, try again later" }

package job

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/model"
)

// Handler does the work of one job kind. It must honour ctx and be
// idempotent: a job may be delivered more than once.
type Handler interface {
	Handle(ctx context.Context, j model.Job) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, j model.Job) error

// Handle implements Handler.
func (f HandlerFunc) Handle(ctx context.Context, j model.Job) error { return f(ctx, j) }

// PermanentError marks a failure that retrying cannot fix (a malformed
// payload, a resource that no longer exists); the job goes dead at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so that the pool buries the job instead of
// retrying it.
func Permanent(err error) error { return &PermanentError{Err: err} }

// PanicError is what a handler's panic becomes.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

package source

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/model"
)

// Source is a resolved target: an *Image, a *Function or a *Dir.
type Source interface {
	// Target describes the resource for the inventory.
	Target() model.Target
	// Close releases open files.
	Close() error
}

// Error reports a target that cannot be opened.
type Error struct {
	Target string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("source %s: %v", e.Target, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// ScanConfigStore holds each account's scan configuration and when each
// image's rescan window started, and changes coverage the way applying a
// configuration needs (compare and swap).
type ScanConfigStore interface {
	// Get returns the account's configuration, or
	// model.DefaultScanConfig (Default true) when it stored none. The
	// account must be in scope (*ScopeError otherwise).
	Get(ctx context.Context, acct model.AccountID) (model.ScanConfig, error)
	// Put normalises and stores c (replacing the account's configuration;
	// UpdatedAt set from the store's clock) and returns what was stored.
	Put(ctx context.Context, c model.ScanConfig) (model.ScanConfig, error)
	// List returns the stored configurations of the scope, by account.
	List(ctx context.Context) ([]model.ScanConfig, error)
	// SetEligibleSince records when a resource's rescan window starts (an
	// image was pushed or a scan of it was requested).
	SetEligibleSince(ctx context.Context, id model.ResourceID, at time.Time) error
	// EligibleSince returns the recorded window starts of the resources
	// in scope among ids; resources without one are absent.
	EligibleSince(ctx context.Context, ids []model.ResourceID) (map[model.ResourceID]time.Time, error)
	// SwapCoverage sets a resource's coverage to next when its stored
	// status and reason are still prev's and reports whether it did;
	// nothing is written when another transaction changed them since prev
	// was read. Coverage changes that announce themselves (an event) go
	// through it, so that two writers never both announce one change.
	SwapCoverage(ctx context.Context, id model.ResourceID, prev, next model.Coverage) (bool, error)
}

package store

import (
	"context"

	"github.com/vigilsec/vigil/internal/model"
)

// UpsertResult says what an upsert changed.
type UpsertResult struct {
	Created bool
	// DigestChanged is true when an existing resource got a different
	// non-empty digest (its content changed: rescan).
	DigestChanged bool
}

// ResourceFilter selects resources for List.
type ResourceFilter struct {
	Type model.ResourceType // "" for any
	// Tags must all be present with these values.
	Tags map[string]string
	// Coverage status and reason, "" for any.
	Status model.CoverageStatus
	Reason model.CoverageReason
	// After is the cursor: only ids greater than After.
	After model.ResourceID
	// Limit bounds the page; 0 means 100, at most 1000.
	Limit int
}

// ResourceStore holds resources and their coverage.
type ResourceStore interface {
	// Upsert creates the resource (AccountID, Type, Name) or updates its
	// digest and tags. Coverage is set only on creation (default INACTIVE
	// PENDING_INITIAL_SCAN); use SetCoverage afterwards.
	Upsert(ctx context.Context, r model.Resource) (model.Resource, UpsertResult, error)
	Get(ctx context.Context, id model.ResourceID) (model.Resource, error)
	Find(ctx context.Context, account model.AccountID, typ model.ResourceType, name string) (model.Resource, error)
	// List returns a page ordered by id.
	List(ctx context.Context, f ResourceFilter) ([]model.Resource, error)
	SetTags(ctx context.Context, id model.ResourceID, tags map[string]string) (model.Resource, error)
	SetCoverage(ctx context.Context, id model.ResourceID, c model.Coverage) (model.Resource, error)
	// Delete removes the resource and its inventory.
	Delete(ctx context.Context, id model.ResourceID) error
}

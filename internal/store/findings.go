package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// SortField names what ListFindings orders by.
type SortField string

// Sort fields. Ties are broken by finding id, in the same direction.
const (
	SortSeverity        SortField = "SEVERITY"
	SortScore           SortField = "SCORE"
	SortEPSS            SortField = "EPSS"
	SortFirstObservedAt SortField = "FIRST_OBSERVED_AT"
	SortLastObservedAt  SortField = "LAST_OBSERVED_AT"
)

// SortOrder is ASC or DESC.
type SortOrder string

// Sort orders.
const (
	Asc  SortOrder = "ASC"
	Desc SortOrder = "DESC"
)

// FindingSort orders a findings listing. The zero value sorts by severity,
// most severe first. Findings without a score or EPSS sort as below every
// finding that has one.
type FindingSort struct {
	Field SortField
	Order SortOrder
}

// CursorError says a pagination cursor is malformed or was issued for
// another sort.
type CursorError struct{ Reason string }

func (e *CursorError) Error() string { return "invalid cursor: " + e.Reason }

// FindingStore holds findings. Every read is limited to the scope; every
// write needs the finding's account in scope. The lifecycle rules live in
// internal/finding; the store persists and queries.
type FindingStore interface {
	// Get returns one finding (*NotFoundError when absent or out of scope).
	Get(ctx context.Context, id model.FindingID) (model.Finding, error)
	// ForResource returns every stored finding of a resource, any status,
	// ordered by id.
	ForResource(ctx context.Context, id model.ResourceID) ([]model.Finding, error)
	// States returns the reconciliation state of every stored finding of a
	// resource, any status, ordered by id: cheaper than ForResource.
	States(ctx context.Context, id model.ResourceID) ([]FindingState, error)
	// PackageStates returns the reconciliation state of the stored
	// findings, any status, of the resources ids whose vulnerable package
	// is named one of names (exactly as findings store it), ordered by
	// resource then id: what a rematch of some packages compares.
	PackageStates(ctx context.Context, ids []model.ResourceID, names []string) ([]FindingState, error)
	// GetMany returns the findings with the given ids that exist in the
	// scope, ordered by id.
	GetMany(ctx context.Context, ids []model.FindingID) ([]model.Finding, error)
	// Put inserts the findings, or replaces the stored ones with the same
	// id, in batches. An id determines its finding's account, resource,
	// type, check and package (internal/finding.Key): a replacement keeps
	// the stored ones.
	Put(ctx context.Context, fs ...model.Finding) error
	// Insert inserts findings that are not stored, in batches: cheaper
	// than Put where the caller knows them to be new. It fails with a
	// ConflictError when one is stored; the transaction must then roll
	// back (some of the others may have been written).
	Insert(ctx context.Context, fs ...model.Finding) error
	// Touch moves lastObservedAt to at and records scanID and snapshotID
	// on findings that were observed again unchanged (the cheap path of
	// reconciliation).
	Touch(ctx context.Context, ids []model.FindingID, at time.Time, scanID, snapshotID string) error
	// List returns up to limit findings (0 means 100, at most 1000)
	// matching the filter in the given order, starting after cursor ("" for
	// the first page), and the cursor of the next page ("" after the last).
	// Cursors are opaque and keyset-based: a page never repeats or skips a
	// finding whose sort value did not change between requests.
	List(ctx context.Context, f model.FindingFilter, sort FindingSort, cursor string, limit int) ([]model.Finding, string, error)
	// Count returns how many findings match the filter.
	Count(ctx context.Context, f model.FindingFilter) (int, error)
	// Aggregate groups the findings matching the filter by one dimension
	// and counts them by severity; groups are ordered by critical, high,
	// then total counts (descending), then key; at most limit groups (0
	// means 100, at most 1000). Findings without the dimension (a host has
	// no image repository) are left out.
	Aggregate(ctx context.Context, by model.AggregationType, f model.FindingFilter, limit int) ([]model.FindingAggregate, error)
	// Purge deletes CLOSED findings closed before closedBefore and returns
	// how many it deleted.
	Purge(ctx context.Context, closedBefore time.Time) (int, error)
	// PruneDictionaries deletes the dictionaries findings' contents are
	// compressed with that no stored finding names any more (their
	// findings purged, or rewritten with a newer version of their
	// vulnerability) and returns how many it deleted. It reads every
	// finding's header: run it now and then (the server does daily).
	// System scope only: dictionaries are shared by every account. It
	// does not wait for writers that rely on stored dictionaries
	// (PostgreSQL): while there are some, it returns a *BusyError.
	PruneDictionaries(ctx context.Context) (int, error)
}

// FindingState is what reconciliation compares of a stored finding.
type FindingState struct {
	ID         model.FindingID
	ResourceID model.ResourceID
	// Package is model.Package.Key of the finding's (first) vulnerable
	// package; "" for findings of other types.
	Package      string
	Status       model.FindingStatus
	SuppressedBy model.SuppressionRuleID
	// Fingerprint is model.Finding.Fingerprint as of the last write.
	Fingerprint string
}

// SuppressionRuleStore holds suppression rules (saved filters). Reads set
// each rule's State from the store's clock.
type SuppressionRuleStore interface {
	// Create adds a rule; ID is generated when empty, CreatedAt and
	// UpdatedAt are set.
	Create(ctx context.Context, r model.SuppressionRule) (model.SuppressionRule, error)
	Get(ctx context.Context, id model.SuppressionRuleID) (model.SuppressionRule, error)
	// Update replaces a rule's name, description, action, reason, owner,
	// filter and expiry.
	Update(ctx context.Context, r model.SuppressionRule) (model.SuppressionRule, error)
	Delete(ctx context.Context, id model.SuppressionRuleID) error
	// List returns up to limit rules (0 means 100, at most 1000) with ids
	// after after, ordered by id; expired rules are included, marked
	// EXPIRED.
	List(ctx context.Context, after model.SuppressionRuleID, limit int) ([]model.SuppressionRule, error)
}

package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// PackageRef names a package across inventories: the OSV base ecosystem
// ("Debian", "PyPI") and the name. Stores normalise Name with
// NormalizeName on both sides.
type PackageRef struct {
	Ecosystem string
	Name      string
}

// ResourceRef names a resource together with its account.
type ResourceRef struct {
	AccountID  model.AccountID
	ResourceID model.ResourceID
}

// InventoryInfo describes a stored inventory without decoding it.
type InventoryInfo struct {
	ResourceID model.ResourceID
	AccountID  model.AccountID
	// Hash is the SHA-256 (hex) of the inventory's canonical encoding,
	// IndexedAt excluded: equal hashes mean equal content.
	Hash      string
	Packages  int
	Bytes     int // stored (compressed) size
	IndexedAt time.Time
	SavedAt   time.Time
}

// SaveResult says what Save did.
type SaveResult struct {
	Info InventoryInfo
	// Changed is false when the stored inventory had the same hash.
	Changed bool
}

// InventoryStore holds the latest inventory of each resource.
type InventoryStore interface {
	// Save replaces the resource's inventory and its package index.
	Save(ctx context.Context, id model.ResourceID, inv *model.Inventory) (SaveResult, error)
	Load(ctx context.Context, id model.ResourceID) (*model.Inventory, InventoryInfo, error)
	Info(ctx context.Context, id model.ResourceID) (InventoryInfo, error)
	// ResourcesWithPackages returns the resources in scope whose
	// inventory holds any of refs (by binary or source package name),
	// sorted by account then resource, without reading inventories.
	ResourcesWithPackages(ctx context.Context, refs []PackageRef) ([]ResourceRef, error)
	Delete(ctx context.Context, id model.ResourceID) error
}

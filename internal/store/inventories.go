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
	// Stage replaces the resource's inventory like Save but leaves its
	// package index (one row per package, at random places in the index)
	// to IndexStaged, for the caller that queues a scan of it in the same
	// transaction: the scan writes the index of a batch of inventories in
	// one transaction. Until then the inventory is staged: the package
	// index queries (ResourcesWithPackages, PackagesHeld…) pass the
	// resource by — its queued scan matches it with the newest snapshot —
	// and its previous inventory's rows stay until they are replaced. An
	// unchanged inventory's index is left as it is.
	// The inventory comes encoded (EncodeForStage), so that a caller
	// holding a grouped transaction encodes it before, not inside it.
	Stage(ctx context.Context, id model.ResourceID, enc *EncodedInventory) (SaveResult, error)
	// IndexStaged writes the package index of the staged inventories
	// given, each only when the inventory staged is still the one given
	// (same hash: when another was staged since, its own scan indexes
	// it), and returns how many it indexed. The rows of all of them are
	// written in one pass in index order, so that the rows of a batch's
	// inventories that share index pages change each page once.
	IndexStaged(ctx context.Context, items ...StagedInventory) (int, error)
	// Staged lists the resources in scope whose inventory was staged
	// before the time, at most limit, oldest first: those whose scan
	// never indexed them (a job that failed for good, a scan the
	// configuration skipped).
	Staged(ctx context.Context, before time.Time, limit int) ([]ResourceRef, error)
	Load(ctx context.Context, id model.ResourceID) (*model.Inventory, InventoryInfo, error)
	Info(ctx context.Context, id model.ResourceID) (InventoryInfo, error)
	// ResourcesWithPackages returns the resources in scope whose
	// inventory holds any of refs, sorted by account then resource,
	// without reading inventories. A ref names packages by the name
	// matching looks them up by (match.LookupName: a Debian- or
	// APK-family package by its source, when it has one; inventories
	// indexed before that rule also answer to the binary name).
	ResourcesWithPackages(ctx context.Context, refs []PackageRef) ([]ResourceRef, error)
	// PackagesHeld returns, for each resource in scope whose inventory
	// holds any of refs, the packages refs name (with the inventory's
	// target and OS), sorted by account then resource, reading the package
	// index only.
	PackagesHeld(ctx context.Context, refs []PackageRef) ([]HeldPackages, error)
	// PackagesHeldBy is PackagesHeld limited to the resources ids (a page
	// of ResourcesWithPackages).
	PackagesHeldBy(ctx context.Context, refs []PackageRef, ids []model.ResourceID) ([]HeldPackages, error)
	// Rematched records that the inventories of ids were matched again at
	// at: each resource keeps its coverage status and reason and gets at
	// as its last scan time. Ids out of scope or unknown are skipped.
	Rematched(ctx context.Context, ids []model.ResourceID, at time.Time) error
	Delete(ctx context.Context, id model.ResourceID) error
}

// StagedInventory names a staged inventory to index: the resource, the
// hash it was loaded with and the inventory.
type StagedInventory struct {
	ID        model.ResourceID
	Hash      string
	Inventory *model.Inventory
	// Index, when set, is HeldIndexOf(Inventory), made by the caller
	// before its transaction; IndexStaged makes it when nil.
	Index *HeldIndex
}

// EncodedInventory is an inventory in its stored forms, made before the
// transaction that stages it (EncodeForStage).
type EncodedInventory struct {
	Inventory *model.Inventory
	// Data and Hash are EncodeInventory's; Head is EncodeHead's.
	Data []byte
	Hash string
	Head []byte
}

// EncodeForStage encodes inv for InventoryStore.Stage.
func EncodeForStage(inv *model.Inventory) (*EncodedInventory, error) {
	data, hash, err := EncodeInventory(inv)
	if err != nil {
		return nil, err
	}
	head, err := EncodeHead(inv)
	if err != nil {
		return nil, err
	}
	return &EncodedInventory{Inventory: inv, Data: data, Hash: hash, Head: head}, nil
}

// HeldPackages is what one stored inventory holds of some package
// references, read from the package index without decoding the inventory.
type HeldPackages struct {
	ResourceRef
	// Resource is the resource as stored when the packages were read.
	Resource model.Resource
	// Target and OS are the inventory's.
	Target model.Target
	OS     *model.OS
	// Packages are the inventory's packages the references name (by name
	// or source name), in inventory order, each once.
	Packages []model.Package
	// Complete is false when the inventory was stored before the package
	// index carried package data: Packages, Target and OS are then empty
	// and the inventory must be loaded whole.
	Complete bool
}

-- Staged inventories (InventoryStore.Stage): stored by a push whose scan
-- is queued, their package index not yet written. The scan writes the
-- index of a batch of inventories in one transaction (one row per package
-- at random places in the index: written for one push at a time, most of
-- a push's commit). The package index queries pass staged resources by.
CREATE TABLE inventory_staged (
	resource_id TEXT PRIMARY KEY REFERENCES inventories(resource_id) ON DELETE CASCADE,
	account_id TEXT NOT NULL,
	hash TEXT NOT NULL,
	staged_at INTEGER NOT NULL
) WITHOUT ROWID;

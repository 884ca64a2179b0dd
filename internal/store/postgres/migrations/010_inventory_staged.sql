-- Staged inventories (InventoryStore.Stage): stored by a push whose scan
-- is queued, their package index not yet written; the scan writes the
-- index of a batch of inventories in one transaction. The package index
-- queries pass staged resources by. (The same schema as SQLite's.)
CREATE TABLE inventory_staged (
	resource_id TEXT PRIMARY KEY REFERENCES inventories(resource_id) ON DELETE CASCADE,
	account_id TEXT NOT NULL,
	hash TEXT NOT NULL,
	staged_at BIGINT NOT NULL
);

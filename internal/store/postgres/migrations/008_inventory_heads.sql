-- Each inventory's head (target and OS, store.EncodeHead) in a table of
-- its own rather than in a column after the inventory's data (the same
-- schema as SQLite's, where a column stored after a large blob is reached
-- only by reading the blob's overflow pages).
CREATE TABLE inventory_heads (
	resource_id TEXT PRIMARY KEY REFERENCES inventories(resource_id) ON DELETE CASCADE,
	head BYTEA NOT NULL
);
INSERT INTO inventory_heads (resource_id, head) SELECT resource_id, head FROM inventories WHERE head IS NOT NULL;
UPDATE inventories SET head = NULL WHERE head IS NOT NULL;

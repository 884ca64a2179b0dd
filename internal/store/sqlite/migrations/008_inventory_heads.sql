-- Each inventory's head (target and OS, store.EncodeHead) in a table of
-- its own rather than in a column after the inventory's data: a rematch
-- reads the heads of thousands of inventories, and SQLite reaches a
-- column stored after a large blob only by reading the blob's whole chain
-- of overflow pages.
CREATE TABLE inventory_heads (
	resource_id TEXT PRIMARY KEY REFERENCES inventories(resource_id) ON DELETE CASCADE,
	head BLOB NOT NULL
) WITHOUT ROWID;
INSERT INTO inventory_heads (resource_id, head) SELECT resource_id, head FROM inventories WHERE head IS NOT NULL;
UPDATE inventories SET head = NULL WHERE head IS NOT NULL;

-- The package index keyed by (ecosystem, name, seq), seq a number given
-- to each inventory when it is indexed (inventories.index_seq), from a
-- counter that only grows (inventory_index_seq). Keyed by resource id, a
-- batch of new inventories put its rows at random places within each
-- package's range, so that each commit rewrote most of the index's pages
-- (and the writer's cache held little of it); keyed by seq, they go to
-- the end of each package's range: a commit changes about one page per
-- package it touches, whatever the number of inventories already stored
-- (BENCHMARKS.md, "package index in indexing order"). Deleting an
-- inventory's rows goes by its seq (inventory_packages_seq, also written
-- at its end) instead of the random resource index.
ALTER TABLE inventories ADD COLUMN index_seq INTEGER NOT NULL DEFAULT 0;
UPDATE inventories SET index_seq = s.n
	FROM (SELECT resource_id, ROW_NUMBER() OVER (ORDER BY resource_id) AS n FROM inventories) AS s
	WHERE s.resource_id = inventories.resource_id;
CREATE TABLE inventory_index_seq (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last INTEGER NOT NULL
);
INSERT INTO inventory_index_seq (id, last) SELECT 1, COALESCE(MAX(index_seq), 0) FROM inventories;
CREATE TABLE inventory_packages_by_seq (
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	seq INTEGER NOT NULL,
	resource_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	packages BLOB,
	PRIMARY KEY (ecosystem, name, seq)
) WITHOUT ROWID;
INSERT INTO inventory_packages_by_seq (ecosystem, name, seq, resource_id, account_id, packages)
	SELECT ip.ecosystem, ip.name, i.index_seq, ip.resource_id, ip.account_id, ip.packages
	FROM inventory_packages ip JOIN inventories i ON i.resource_id = ip.resource_id;
DROP TABLE inventory_packages;
ALTER TABLE inventory_packages_by_seq RENAME TO inventory_packages;
CREATE INDEX inventory_packages_seq ON inventory_packages(seq);

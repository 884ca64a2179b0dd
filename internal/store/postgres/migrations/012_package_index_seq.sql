-- The package index keyed by (ecosystem, name, seq), seq a number given
-- to each inventory when it is indexed (inventories.index_seq) from a
-- sequence: new inventories' rows go to the end of each package's range
-- of the primary key instead of random places in it, and deleting an
-- inventory's rows goes by its seq. The same design as SQLite's
-- migration 012, which says why; a sequence here rather than a counter
-- row, which would serialise concurrent writers.
ALTER TABLE inventories ADD COLUMN index_seq BIGINT NOT NULL DEFAULT 0;
UPDATE inventories SET index_seq = s.n
	FROM (SELECT resource_id, ROW_NUMBER() OVER (ORDER BY resource_id) AS n FROM inventories) AS s
	WHERE s.resource_id = inventories.resource_id;
CREATE SEQUENCE inventory_index_seq;
SELECT setval('inventory_index_seq', COALESCE(MAX(index_seq), 0) + 1, false) FROM inventories;
ALTER TABLE inventory_packages ADD COLUMN seq BIGINT;
UPDATE inventory_packages ip SET seq = i.index_seq FROM inventories i WHERE i.resource_id = ip.resource_id;
DELETE FROM inventory_packages WHERE seq IS NULL;
ALTER TABLE inventory_packages ALTER COLUMN seq SET NOT NULL;
ALTER TABLE inventory_packages DROP CONSTRAINT inventory_packages_pkey;
ALTER TABLE inventory_packages ADD PRIMARY KEY (ecosystem, name, seq);
DROP INDEX inventory_packages_resource;
CREATE INDEX inventory_packages_seq ON inventory_packages(seq);

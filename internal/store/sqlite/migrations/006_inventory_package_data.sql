-- The packages each row of the package index names (store.EncodeHeld),
-- kept apart from the index and clustered by resource, and each
-- inventory's head (target and OS): a rematch after an advisory update
-- reads only the packages the update touched, without decoding whole
-- inventories, while a push writes its package data in a few contiguous
-- pages (the index itself, keyed by package name, is written at random
-- places). Inventories stored before this migration have neither: they
-- are loaded whole.
CREATE TABLE inventory_package_data (
	resource_id TEXT NOT NULL REFERENCES inventories(resource_id) ON DELETE CASCADE,
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	packages BLOB NOT NULL,
	PRIMARY KEY (resource_id, ecosystem, name)
) WITHOUT ROWID;
ALTER TABLE inventories ADD COLUMN head BLOB;
-- A rematch reads the findings of some packages of many resources
-- (FindingStore.PackageStates: resource_id IN … AND package_name IN …):
-- the resource index gains the package name, so that it finds them
-- without reading every finding of each resource; it still serves the
-- lookups by resource alone.
DROP INDEX findings_resource;
CREATE INDEX findings_resource_package ON findings(resource_id, package_name);

-- The package index carries the packages each of its rows names
-- (store.EncodeHeld) and each inventory its head (target and OS), so that
-- a rematch after an advisory update reads only the packages the update
-- touched, without decoding whole inventories. Rows written before this
-- migration have none (NULL): their inventories are loaded whole.
ALTER TABLE inventory_packages ADD COLUMN packages BLOB;
ALTER TABLE inventories ADD COLUMN head BLOB;
-- A rematch reads the findings of some packages of many resources
-- (FindingStore.PackageStates: resource_id IN … AND package_name IN …):
-- the resource index gains the package name, so that it finds them
-- without reading every finding of each resource; it still serves the
-- lookups by resource alone.
DROP INDEX findings_resource;
CREATE INDEX findings_resource_package ON findings(resource_id, package_name);

-- Each package index row carries its packages (store.EncodeHeld) instead
-- of a row of inventory_package_data clustered by resource. A rematch
-- after an advisory update reads the rows of the few packages the update
-- touched: kept with the index, one package's rows of thousands of
-- inventories are a few contiguous pages (with the data apart, each
-- inventory's row was on a page of its own, read cold: about half of the
-- rematch's reading). A push writes its rows at the same random places
-- as before, and one table less. Rows stored before migration 006 have
-- no packages (NULL): their inventories are loaded whole.
ALTER TABLE inventory_packages ADD COLUMN packages BLOB;
UPDATE inventory_packages SET packages = (SELECT d.packages FROM inventory_package_data d
	WHERE d.resource_id = inventory_packages.resource_id AND d.ecosystem = inventory_packages.ecosystem AND d.name = inventory_packages.name);
DROP TABLE inventory_package_data;

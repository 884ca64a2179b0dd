-- The packages of new package index rows are kept in chunks
-- (store.HeldIndex): inventory_held holds, per inventory, a few chunks
-- (id = index_seq × 1024 + part), each the encoded packages of up to 16
-- of its rows (more in inventories of over 16,384 package names), and
-- each new row names its chunk (part) instead of carrying its packages.
-- Every push writes its rows at as many places of the index as it has
-- package names; without their packages (about 160 bytes each) those
-- pages hold three times the rows and split a third as often, while the
-- chunks are appended in one place (BENCHMARKS.md, "package data in
-- chunks"). A rematch reads a row's one small chunk. Rows written before
-- keep their packages (packages set, part NULL) and are read as before.
ALTER TABLE inventory_packages ADD COLUMN part INTEGER;
CREATE TABLE inventory_held (
	id INTEGER PRIMARY KEY,
	data BLOB NOT NULL
);

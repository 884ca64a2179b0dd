-- The package index carries the packages each of its rows names
-- (store.EncodeHeld) and each inventory its head (target and OS), so that
-- a rematch after an advisory update reads only the packages the update
-- touched, without decoding whole inventories. Rows written before this
-- migration have none (NULL): their inventories are loaded whole.
ALTER TABLE inventory_packages ADD COLUMN packages BLOB;
ALTER TABLE inventories ADD COLUMN head BLOB;

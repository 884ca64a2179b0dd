package postgres_test

import (
	"testing"

	"github.com/vigilsec/vigil/internal/store/postgres"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

// TestMigration009InlinesPackageData puts a database back in schema 8's
// shape (each index row's packages in inventory_package_data) and checks
// that migration 009 moves them into the index rows.
func TestMigration009InlinesPackageData(t *testing.T) {
	f := storetest.NewUpgrade(t, newBackend(t), postgres.Migrations())
	f.Migrate(t, "009_inline_package_data.sql",
		`CREATE TABLE inventory_package_data (
			resource_id TEXT NOT NULL REFERENCES inventories(resource_id) ON DELETE CASCADE,
			ecosystem TEXT NOT NULL,
			name TEXT NOT NULL,
			packages BYTEA NOT NULL,
			PRIMARY KEY (resource_id, ecosystem, name)
		)`,
		`INSERT INTO inventory_package_data SELECT resource_id, ecosystem, name, packages FROM inventory_packages`,
		`ALTER TABLE inventory_packages DROP COLUMN packages`)
	if n := f.Count(t, `SELECT COUNT(*) FROM inventory_packages WHERE packages IS NULL`); n != 0 {
		t.Errorf("%d index rows without packages after migration 009", n)
	}
	if n := f.Count(t, `SELECT COUNT(*) FROM pg_tables WHERE tablename = 'inventory_package_data' AND schemaname = current_schema()`); n != 0 {
		t.Error("inventory_package_data still exists after migration 009")
	}
}

// TestMigration012KeysIndexBySeq puts a database back in schema 11's
// shape (the package index keyed by resource, no index_seq, no sequence)
// and checks that migration 012 numbers the inventories, moves every row
// under its inventory's number and starts the sequence above them.
func TestMigration012KeysIndexBySeq(t *testing.T) {
	f := storetest.NewUpgrade(t, newBackend(t), postgres.Migrations())
	f.Migrate(t, "012_package_index_seq.sql",
		`ALTER TABLE inventory_packages DROP CONSTRAINT inventory_packages_pkey`,
		`DROP INDEX inventory_packages_seq`,
		`ALTER TABLE inventory_packages DROP COLUMN seq`,
		`ALTER TABLE inventory_packages ADD PRIMARY KEY (ecosystem, name, resource_id)`,
		`CREATE INDEX inventory_packages_resource ON inventory_packages(resource_id)`,
		`DROP SEQUENCE inventory_index_seq`,
		`ALTER TABLE inventories DROP COLUMN index_seq`)
	f.CheckIndexSeq(t, `SELECT nextval('inventory_index_seq')`)
	if n := f.Count(t, `SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'inventory_packages_resource' AND schemaname = current_schema()`); n != 0 {
		t.Error("inventory_packages_resource still exists after migration 012")
	}
}

// TestMigration014KeepsInlineRows starts from schema 13's shape (each
// package index row with its packages, no chunks) and checks that after
// migration 014 the rows read as before, from their own packages.
func TestMigration014KeepsInlineRows(t *testing.T) {
	f := storetest.NewUpgrade(t, newBackend(t), postgres.Migrations())
	f.Migrate(t, "014_package_data_chunks.sql")
	if n := f.Count(t, `SELECT COUNT(*) FROM inventory_packages WHERE packages IS NULL OR part IS NOT NULL`); n != 0 {
		t.Errorf("%d index rows changed by migration 014", n)
	}
	if n := f.Count(t, `SELECT COUNT(*) FROM pg_tables WHERE tablename = 'inventory_held' AND schemaname = current_schema()`); n != 1 {
		t.Error("no inventory_held table after migration 014")
	}
}

package sqlite_test

import (
	"testing"

	"github.com/vigilsec/vigil/internal/store/sqlite"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

// newUpgrade is storetest.NewUpgrade on a fresh SQLite database.
func newUpgrade(t *testing.T) *storetest.Upgrade {
	return storetest.NewUpgrade(t, newBackend(t), sqlite.Migrations())
}

// TestMigration008MovesHeads puts a database back in schema 7's shape
// (each inventory's head in inventories.head, no inventory_heads table),
// runs migration 008 and checks that the heads moved: a rematch reads the
// inventory's packages from the index again, with its target and OS.
func TestMigration008MovesHeads(t *testing.T) {
	f := newUpgrade(t)
	f.Migrate(t, "008_inventory_heads.sql",
		`UPDATE inventories SET head = (SELECT head FROM inventory_heads h WHERE h.resource_id = inventories.resource_id)`,
		`DROP TABLE inventory_heads`)
	if left := f.Count(t, `SELECT COUNT(*) FROM inventories WHERE head IS NOT NULL`); left != 0 {
		t.Errorf("inventories.head still set on %d rows after migration 008", left)
	}
}

// TestMigration009InlinesPackageData puts a database back in schema 8's
// shape (each index row's packages in inventory_package_data) and checks
// that migration 009 moves them into the index rows: the inventory stays
// complete (re-matched from the index, not loaded whole).
func TestMigration009InlinesPackageData(t *testing.T) {
	f := newUpgrade(t)
	f.Migrate(t, "009_inline_package_data.sql",
		`CREATE TABLE inventory_package_data (
			resource_id TEXT NOT NULL REFERENCES inventories(resource_id) ON DELETE CASCADE,
			ecosystem TEXT NOT NULL,
			name TEXT NOT NULL,
			packages BLOB NOT NULL,
			PRIMARY KEY (resource_id, ecosystem, name)
		) WITHOUT ROWID`,
		`INSERT INTO inventory_package_data SELECT resource_id, ecosystem, name, packages FROM inventory_packages`,
		`ALTER TABLE inventory_packages DROP COLUMN packages`)
	if n := f.Count(t, `SELECT COUNT(*) FROM inventory_packages WHERE packages IS NULL`); n != 0 {
		t.Errorf("%d index rows without packages after migration 009", n)
	}
	if n := f.Count(t, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'inventory_package_data'`); n != 0 {
		t.Error("inventory_package_data still exists after migration 009")
	}
}

// TestMigration012KeysIndexBySeq puts a database back in schema 11's
// shape (the package index keyed by resource, no index_seq) and checks
// that migration 012 numbers the inventories and moves every row under
// its inventory's number, and that indexing afterwards goes on from the
// highest number.
func TestMigration012KeysIndexBySeq(t *testing.T) {
	f := newUpgrade(t)
	f.Migrate(t, "012_package_index_seq.sql",
		`CREATE TABLE inventory_packages_old (
			ecosystem TEXT NOT NULL,
			name TEXT NOT NULL,
			resource_id TEXT NOT NULL,
			account_id TEXT NOT NULL,
			packages BLOB,
			PRIMARY KEY (ecosystem, name, resource_id)
		) WITHOUT ROWID`,
		`INSERT INTO inventory_packages_old SELECT ecosystem, name, resource_id, account_id, packages FROM inventory_packages`,
		`DROP TABLE inventory_packages`,
		`ALTER TABLE inventory_packages_old RENAME TO inventory_packages`,
		`CREATE INDEX inventory_packages_resource ON inventory_packages(resource_id)`,
		`DROP TABLE inventory_index_seq`,
		`ALTER TABLE inventories DROP COLUMN index_seq`)
	f.CheckIndexSeq(t, `SELECT last + 1 FROM inventory_index_seq`)
	if n := f.Count(t, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'inventory_packages_resource'`); n != 0 {
		t.Error("inventory_packages_resource still exists after migration 012")
	}
}

// TestMigration014KeepsInlineRows starts from schema 13's shape (each
// package index row with its packages, no chunks) and checks that after
// migration 014 the rows read as before, from their own packages.
func TestMigration014KeepsInlineRows(t *testing.T) {
	f := newUpgrade(t)
	f.Migrate(t, "014_package_data_chunks.sql")
	if n := f.Count(t, `SELECT COUNT(*) FROM inventory_packages WHERE packages IS NULL OR part IS NOT NULL`); n != 0 {
		t.Errorf("%d index rows changed by migration 014", n)
	}
	if n := f.Count(t, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'inventory_held'`); n != 1 {
		t.Error("no inventory_held table after migration 014")
	}
}

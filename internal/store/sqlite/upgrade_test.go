package sqlite_test

import (
	"context"
	"database/sql"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/sqlite"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

// upgradeFixture is a store holding one host inventory, its backend and
// what PackagesHeld says of the inventory's first package.
type upgradeFixture struct {
	s    store.Store
	b    storetest.Backend
	held func() store.HeldPackages
}

func newUpgradeFixture(t *testing.T) upgradeFixture {
	t.Helper()
	ctx := context.Background()
	b := newBackend(t)
	s, err := b.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	inv := storetest.SampleInventory(t)
	var ref store.ResourceRef
	err = s.InTx(ctx, func(tx store.Tx) error {
		org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "o")
		if err != nil {
			return err
		}
		a, err := tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "a", DelegatedAdmin: true})
		if err != nil {
			return err
		}
		r, _, err := tx.Resources(store.AccountScope(a.ID)).Upsert(ctx, model.Resource{AccountID: a.ID, Type: model.ResourceHost, Name: "h"})
		if err != nil {
			return err
		}
		ref = store.ResourceRef{AccountID: a.ID, ResourceID: r.ID}
		_, err = tx.Inventories(store.AccountScope(a.ID)).Save(ctx, r.ID, inv)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	refs := []store.PackageRef{{Ecosystem: string(inv.Packages[0].Ecosystem), Name: inv.Packages[0].Name}}
	held := func() store.HeldPackages {
		t.Helper()
		var out []store.HeldPackages
		err := s.View(ctx, func(tx store.Tx) error {
			var err error
			out, err = tx.Inventories(store.SystemScope()).PackagesHeld(ctx, refs)
			return err
		})
		if err != nil || len(out) != 1 || out[0].ResourceRef != ref {
			t.Fatalf("PackagesHeld = %+v, %v; want one entry for %v", out, err, ref)
		}
		return out[0]
	}
	if !held().Complete {
		t.Fatal("a fresh inventory is not complete")
	}
	return upgradeFixture{s: s, b: b, held: held}
}

// migrate puts the database back in an earlier schema's shape with undo,
// runs the migration file and checks that PackagesHeld says the same as
// before.
func (f upgradeFixture) migrate(t *testing.T, file string, undo ...string) {
	t.Helper()
	ctx := context.Background()
	want := f.held()
	for _, q := range undo {
		if err := f.b.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	up, err := fs.ReadFile(sqlite.Migrations(), file)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.b.Exec(ctx, string(up)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, f.held()); diff != "" {
		t.Errorf("after %s (-before +after):\n%s", file, diff)
	}
}

// count runs a COUNT(*) query on the fixture's database file.
func (f upgradeFixture) count(t *testing.T, q string) int {
	t.Helper()
	db, err := sql.Open("sqlite", f.b.(backend).path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestMigration008MovesHeads puts a database back in schema 7's shape
// (each inventory's head in inventories.head, no inventory_heads table),
// runs migration 008 and checks that the heads moved: a rematch reads the
// inventory's packages from the index again, with its target and OS.
func TestMigration008MovesHeads(t *testing.T) {
	f := newUpgradeFixture(t)
	f.migrate(t, "008_inventory_heads.sql",
		`UPDATE inventories SET head = (SELECT head FROM inventory_heads h WHERE h.resource_id = inventories.resource_id)`,
		`DROP TABLE inventory_heads`)
	if left := f.count(t, `SELECT COUNT(*) FROM inventories WHERE head IS NOT NULL`); left != 0 {
		t.Errorf("inventories.head still set on %d rows after migration 008", left)
	}
}

// TestMigration009InlinesPackageData puts a database back in schema 8's
// shape (each index row's packages in inventory_package_data) and checks
// that migration 009 moves them into the index rows: the inventory stays
// complete (re-matched from the index, not loaded whole).
func TestMigration009InlinesPackageData(t *testing.T) {
	f := newUpgradeFixture(t)
	f.migrate(t, "009_inline_package_data.sql",
		`CREATE TABLE inventory_package_data (
			resource_id TEXT NOT NULL REFERENCES inventories(resource_id) ON DELETE CASCADE,
			ecosystem TEXT NOT NULL,
			name TEXT NOT NULL,
			packages BLOB NOT NULL,
			PRIMARY KEY (resource_id, ecosystem, name)
		) WITHOUT ROWID`,
		`INSERT INTO inventory_package_data SELECT resource_id, ecosystem, name, packages FROM inventory_packages`,
		`ALTER TABLE inventory_packages DROP COLUMN packages`)
	if n := f.count(t, `SELECT COUNT(*) FROM inventory_packages WHERE packages IS NULL`); n != 0 {
		t.Errorf("%d index rows without packages after migration 009", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'inventory_package_data'`); n != 0 {
		t.Error("inventory_package_data still exists after migration 009")
	}
}

// TestMigration012KeysIndexBySeq puts a database back in schema 11's
// shape (the package index keyed by resource, no index_seq) and checks
// that migration 012 numbers the inventories and moves every row under
// its inventory's number, and that indexing afterwards goes on from the
// highest number.
func TestMigration012KeysIndexBySeq(t *testing.T) {
	f := newUpgradeFixture(t)
	f.migrate(t, "012_package_index_seq.sql",
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
	rows := f.count(t, `SELECT COUNT(*) FROM inventory_packages`)
	if rows == 0 {
		t.Fatal("no package index rows after migration 012")
	}
	if n := f.count(t, `SELECT COUNT(*) FROM inventory_packages ip JOIN inventories i
		ON i.resource_id = ip.resource_id AND i.index_seq = ip.seq AND i.index_seq > 0`); n != rows {
		t.Errorf("%d of %d index rows under their inventory's index_seq", n, rows)
	}
	if n := f.count(t, `SELECT last FROM inventory_index_seq`); n != f.count(t, `SELECT MAX(index_seq) FROM inventories`) {
		t.Errorf("counter at %d, highest index_seq %d", n, f.count(t, `SELECT MAX(index_seq) FROM inventories`))
	}
	if n := f.count(t, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'inventory_packages_resource'`); n != 0 {
		t.Error("inventory_packages_resource still exists after migration 012")
	}
}

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

// TestMigration008MovesHeads puts a database back in schema 7's shape
// (each inventory's head in inventories.head, no inventory_heads table),
// runs migration 008 and checks that the heads moved: a rematch reads the
// inventory's packages from the index again, with its target and OS.
func TestMigration008MovesHeads(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t)
	s, err := b.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
	want := held()
	if !want.Complete {
		t.Fatal("a fresh inventory is not complete")
	}
	for _, q := range []string{
		`UPDATE inventories SET head = (SELECT head FROM inventory_heads h WHERE h.resource_id = inventories.resource_id)`,
		`DROP TABLE inventory_heads`,
	} {
		if err := b.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	up, err := fs.ReadFile(sqlite.Migrations(), "008_inventory_heads.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Exec(ctx, string(up)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, held()); diff != "" {
		t.Errorf("after migration 008 (-before +after):\n%s", diff)
	}
	db, err := sql.Open("sqlite", b.(backend).path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM inventories WHERE head IS NOT NULL`).Scan(&left); err != nil || left != 0 {
		t.Errorf("inventories.head still set on %d rows after migration 008 (%v)", left, err)
	}
}

package storetest

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Upgrade is a store holding one host inventory, for tests of a
// migration over existing data: the test puts the schema back in the
// shape before the migration (undo statements), runs the migration's file
// and checks that the inventory reads the same.
type Upgrade struct {
	b          Backend
	migrations fs.FS
	held       func() store.HeldPackages
	// want is what PackagesHeld said of the fresh inventory.
	want store.HeldPackages
}

// chunkMigrations are the migrations that moved new rows' package data
// into chunks (store.HeldIndex) and left the older rows alone in the
// index on seq. The fixture is in the shape before them (each row with
// its packages, no chunks), which the tests of older migrations start
// from; Migrate applies them after any older migration, since the store
// reads the package index in its newest shape.
var chunkMigrations = []string{"014_package_data_chunks.sql", "015_seq_index_legacy_rows.sql"}

// NewUpgrade opens b's store (migrated to the newest schema), stores a
// host's inventory in it, and returns the fixture; migrations holds the
// backend's migration files.
func NewUpgrade(t *testing.T, b Backend, migrations fs.FS) *Upgrade {
	t.Helper()
	ctx := context.Background()
	s, err := b.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	inv := SampleInventory(t)
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
	eco := string(inv.Packages[0].Ecosystem)
	refs := []store.PackageRef{{Ecosystem: eco, Name: store.NormalizeName(eco, match.LookupName(&inv.Packages[0]))}}
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
	u := &Upgrade{b: b, migrations: migrations, held: held, want: want}
	u.undoChunks(t, inv)
	return u
}

// undoChunks puts the package index in the shape before chunkMigrations:
// each row of inv (the only inventory) carries its packages, in the form
// rows had then (store.HeldRefs); no part column, no chunks.
func (u *Upgrade) undoChunks(t *testing.T, inv *model.Inventory) {
	t.Helper()
	ctx := context.Background()
	unhex := "unhex('%x')" // SQLite
	if _, err := u.b.QueryInt(ctx, `SELECT length(unhex('00'))`); err != nil {
		unhex = "decode('%x', 'hex')" // PostgreSQL
	}
	refs, err := store.HeldRefs(inv)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		q := fmt.Sprintf(`UPDATE inventory_packages SET packages = `+unhex+` WHERE ecosystem = '%s' AND name = '%s'`,
			r.Packages, strings.ReplaceAll(r.Ecosystem, "'", "''"), strings.ReplaceAll(r.Name, "'", "''"))
		if err := u.b.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{`DROP INDEX inventory_packages_seq`, `CREATE INDEX inventory_packages_seq ON inventory_packages(seq)`,
		`ALTER TABLE inventory_packages DROP COLUMN part`, `DROP TABLE inventory_held`} {
		if err := u.b.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if n := u.Count(t, `SELECT COUNT(*) FROM inventory_packages WHERE packages IS NULL`); n != 0 {
		t.Fatalf("%d package index rows left without packages", n)
	}
}

// Migrate puts the database back in an earlier schema's shape with undo,
// runs the migration file (then the chunkMigrations after it) and
// checks that PackagesHeld says what it said of the fresh inventory.
func (u *Upgrade) Migrate(t *testing.T, file string, undo ...string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range undo {
		if err := u.b.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	files := []string{file}
	for _, m := range chunkMigrations {
		if m > file {
			files = append(files, m)
		}
	}
	for _, f := range files {
		up, err := fs.ReadFile(u.migrations, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := u.b.Exec(ctx, string(up)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if diff := cmp.Diff(u.want, u.held()); diff != "" {
		t.Errorf("after %s (-before +after):\n%s", file, diff)
	}
}

// Count runs a query whose one row is one integer (NULL counts 0).
func (u *Upgrade) Count(t *testing.T, q string) int {
	t.Helper()
	n, err := u.b.QueryInt(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return int(n)
}

// CheckIndexSeq checks what migration 012 leaves, on any backend: every
// package index row under its inventory's index_seq, and next a number
// above every inventory's (next is the query giving the sequence's next
// number without taking it, or taking it).
func (u *Upgrade) CheckIndexSeq(t *testing.T, next string) {
	t.Helper()
	rows := u.Count(t, `SELECT COUNT(*) FROM inventory_packages`)
	if rows == 0 {
		t.Fatal("no package index rows after migration 012")
	}
	if n := u.Count(t, `SELECT COUNT(*) FROM inventory_packages ip JOIN inventories i
		ON i.resource_id = ip.resource_id AND i.index_seq = ip.seq AND i.index_seq > 0`); n != rows {
		t.Errorf("%d of %d index rows under their inventory's index_seq", n, rows)
	}
	if n, top := u.Count(t, next), u.Count(t, `SELECT MAX(index_seq) FROM inventories`); n <= top {
		t.Errorf("the next index_seq is %d, the highest given %d", n, top)
	}
}

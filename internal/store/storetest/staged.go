package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testStagedInventory checks Stage and IndexStaged: a staged inventory is
// stored and loads whole, but the package index queries pass it by until
// IndexStaged writes its rows (for the hash staged only); a staged
// inventory that replaces an indexed one keeps the old rows out of sight
// and replaces them when indexed; Save indexes at once and ends the
// staging; Staged lists what is left, oldest first, within the scope.
func testStagedInventory(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	inv := sampleInventory(t)
	// A package in the second half of the inventory whose row (its
	// source's, the name matching looks it up by) no package of the first
	// half shares: the changed inventory below, the first half, holds it
	// not.
	firstHalf := map[string]bool{}
	for i := range inv.Packages[:len(inv.Packages)/2] {
		firstHalf[match.LookupName(&inv.Packages[i])] = true
	}
	var pkg model.Package
	for _, p := range inv.Packages[len(inv.Packages)/2:] {
		if !firstHalf[match.LookupName(&p)] {
			pkg = p
			break
		}
	}
	if pkg.Name == "" {
		t.Fatal("no package of the sample's second half has a row of its own")
	}
	ref := store.PackageRef{Ecosystem: "Ubuntu", Name: match.LookupName(&pkg)}
	leftPad := store.PackageRef{Ecosystem: "npm", Name: "left-pad"}
	holders := func(tx store.Tx, r store.PackageRef) []model.ResourceID {
		t.Helper()
		refs, err := tx.Inventories(sb).ResourcesWithPackages(ctx, []store.PackageRef{r})
		if err != nil {
			t.Fatal(err)
		}
		held, err := tx.Inventories(sb).PackagesHeld(ctx, []store.PackageRef{r})
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != len(refs) {
			t.Errorf("%v: %d inventories hold it, %d listed", r, len(held), len(refs))
		}
		var ids []model.ResourceID
		for _, h := range refs {
			ids = append(ids, h.ResourceID)
		}
		return ids
	}
	var web, db model.Resource
	var first store.SaveResult
	e.tx(t, func(tx store.Tx) error {
		var err error
		if web, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web"}); err != nil {
			return err
		}
		if db, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "db"}); err != nil {
			return err
		}
		if first, err = tx.Inventories(sb).Stage(ctx, web.ID, encoded(t, inv)); err != nil {
			return err
		}
		if !first.Changed || first.Info.Packages != len(inv.Packages) {
			t.Errorf("Stage = %+v", first)
		}
		e.clock.Advance(time.Second)
		_, err = tx.Inventories(sb).Save(ctx, db.ID, inv)
		return err
	})
	e.view(t, func(tx store.Tx) error {
		got, info, err := tx.Inventories(sb).Load(ctx, web.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(inv, got); diff != "" {
			t.Errorf("staged inventory's round trip (-want +got):\n%s", diff)
		}
		if info.Hash != first.Info.Hash {
			t.Errorf("loaded hash %s, staged %s", info.Hash, first.Info.Hash)
		}
		if diff := cmp.Diff([]model.ResourceID{db.ID}, holders(tx, ref)); diff != "" {
			t.Errorf("holders with web staged (-want +got):\n%s", diff)
		}
		staged, err := tx.Inventories(sb).Staged(ctx, e.clock.Now().Add(time.Second), 10)
		if err != nil || len(staged) != 1 || staged[0].ResourceID != web.ID {
			t.Errorf("Staged = %v, %v; want web", staged, err)
		}
		if staged, err := tx.Inventories(sb).Staged(ctx, e.clock.Now().Add(-time.Hour), 10); err != nil || len(staged) != 0 {
			t.Errorf("Staged before it was staged = %v, %v", staged, err)
		}
		other, err := tx.Inventories(store.AccountScope(e.c.ID)).Staged(ctx, e.clock.Now().Add(time.Second), 10)
		if err != nil || len(other) != 0 {
			t.Errorf("Staged in another account = %v, %v", other, err)
		}
		return nil
	})
	e.tx(t, func(tx store.Tx) error {
		if n, err := tx.Inventories(sb).IndexStaged(ctx, store.StagedInventory{ID: web.ID, Hash: "not-the-hash", Inventory: inv}); err != nil || n != 0 {
			t.Errorf("IndexStaged with another hash = %v, %v; want not done", n, err)
		}
		if n, err := tx.Inventories(store.AccountScope(e.c.ID)).IndexStaged(ctx, store.StagedInventory{ID: web.ID, Hash: first.Info.Hash, Inventory: inv}); err != nil || n != 0 {
			t.Errorf("IndexStaged from another account = %v, %v; want not done", n, err)
		}
		n, err := tx.Inventories(sb).IndexStaged(ctx, store.StagedInventory{ID: web.ID, Hash: first.Info.Hash, Inventory: inv})
		if err != nil || n != 1 {
			t.Errorf("IndexStaged = %v, %v", n, err)
		}
		if n, err := tx.Inventories(sb).IndexStaged(ctx, store.StagedInventory{ID: web.ID, Hash: first.Info.Hash, Inventory: inv}); err != nil || n != 0 {
			t.Errorf("IndexStaged again = %v, %v; want nothing left to do", n, err)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		if diff := cmp.Diff(sortedIDs([]model.ResourceID{db.ID, web.ID}), sortedIDs(holders(tx, ref))); diff != "" {
			t.Errorf("holders after IndexStaged (-want +got):\n%s", diff)
		}
		held, err := tx.Inventories(sb).PackagesHeldBy(ctx, []store.PackageRef{ref}, []model.ResourceID{web.ID})
		if err != nil || len(held) != 1 || !held[0].Complete || !slices.ContainsFunc(held[0].Packages, func(p model.Package) bool { return p.Name == pkg.Name }) {
			t.Errorf("PackagesHeldBy web = %+v, %v; want it with %s", held, err, pkg.Name)
		}
		return nil
	})
	// A changed inventory staged over an indexed one: the old rows are out
	// of sight until the new ones replace them; an unchanged one staged
	// again stays indexed.
	changed := *inv
	changed.Packages = append([]model.Package{{Ecosystem: model.EcosystemNPM, Name: "left-pad", Version: "1.3.0"}}, inv.Packages[:len(inv.Packages)/2]...)
	var second store.SaveResult
	e.tx(t, func(tx store.Tx) error {
		r, err := tx.Inventories(sb).Stage(ctx, db.ID, encoded(t, inv))
		if err != nil || r.Changed {
			t.Errorf("Stage of the same content = %+v, %v", r, err)
		}
		second, err = tx.Inventories(sb).Stage(ctx, web.ID, encoded(t, &changed))
		return err
	})
	e.view(t, func(tx store.Tx) error {
		if diff := cmp.Diff([]model.ResourceID{db.ID}, holders(tx, ref)); diff != "" {
			t.Errorf("holders with a changed inventory staged (-want +got):\n%s", diff)
		}
		if got := holders(tx, leftPad); len(got) != 0 {
			t.Errorf("left-pad held by %v before indexing", got)
		}
		return nil
	})
	e.tx(t, func(tx store.Tx) error {
		n, err := tx.Inventories(sb).IndexStaged(ctx, store.StagedInventory{ID: web.ID, Hash: second.Info.Hash, Inventory: &changed})
		if err != nil || n != 1 {
			t.Errorf("IndexStaged of the change = %v, %v", n, err)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		if diff := cmp.Diff([]model.ResourceID{db.ID}, holders(tx, ref)); diff != "" {
			t.Errorf("holders of a package the change removed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]model.ResourceID{web.ID}, holders(tx, leftPad)); diff != "" {
			t.Errorf("holders of a package the change added (-want +got):\n%s", diff)
		}
		return nil
	})
	// Several at once, one of them staged again since it was loaded: the
	// others are indexed in one call.
	e.tx(t, func(tx store.Tx) error {
		rw, err := tx.Inventories(sb).Stage(ctx, web.ID, encoded(t, inv))
		if err != nil {
			return err
		}
		rd, err := tx.Inventories(sb).Stage(ctx, db.ID, encoded(t, &changed))
		if err != nil {
			return err
		}
		n, err := tx.Inventories(sb).IndexStaged(ctx,
			store.StagedInventory{ID: web.ID, Hash: rw.Info.Hash, Inventory: inv},
			store.StagedInventory{ID: db.ID, Hash: first.Info.Hash, Inventory: inv}, // not what is staged
		)
		if err != nil || n != 1 {
			t.Errorf("IndexStaged of two, one stale = %d, %v; want 1", n, err)
		}
		n, err = tx.Inventories(sb).IndexStaged(ctx, store.StagedInventory{ID: db.ID, Hash: rd.Info.Hash, Inventory: &changed})
		if err != nil || n != 1 {
			t.Errorf("IndexStaged of the other = %d, %v; want 1", n, err)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		if diff := cmp.Diff([]model.ResourceID{web.ID}, holders(tx, ref)); diff != "" {
			t.Errorf("holders after indexing two (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]model.ResourceID{db.ID}, holders(tx, leftPad)); diff != "" {
			t.Errorf("left-pad holders after indexing two (-want +got):\n%s", diff)
		}
		return nil
	})
	// Save of a staged inventory indexes it and ends the staging; so does
	// deleting the inventory.
	e.tx(t, func(tx store.Tx) error {
		if _, err := tx.Inventories(sb).Stage(ctx, web.ID, encoded(t, inv)); err != nil {
			return err
		}
		if _, err := tx.Inventories(sb).Save(ctx, web.ID, inv); err != nil {
			return err
		}
		if _, err := tx.Inventories(sb).Stage(ctx, db.ID, encoded(t, &changed)); err != nil {
			return err
		}
		return tx.Inventories(sb).Delete(ctx, db.ID)
	})
	e.view(t, func(tx store.Tx) error {
		if diff := cmp.Diff([]model.ResourceID{web.ID}, holders(tx, ref)); diff != "" {
			t.Errorf("holders after Save and Delete (-want +got):\n%s", diff)
		}
		if got := holders(tx, leftPad); len(got) != 0 {
			t.Errorf("left-pad held by %v after web saved without it and db deleted", got)
		}
		staged, err := tx.Inventories(sb).Staged(ctx, e.clock.Now().Add(time.Hour), 10)
		if err != nil || len(staged) != 0 {
			t.Errorf("Staged after Save and Delete = %v, %v", staged, err)
		}
		if _, err := tx.Inventories(sb).Staged(ctx, e.clock.Now(), 0); err == nil {
			t.Error("Staged with limit 0 succeeded")
		}
		return nil
	})
}

func sortedIDs(ids []model.ResourceID) []model.ResourceID {
	return slices.Sorted(slices.Values(ids))
}

// encoded is store.EncodeForStage(inv), failing t on an error.
func encoded(t *testing.T, inv *model.Inventory) *store.EncodedInventory {
	t.Helper()
	enc, err := store.EncodeForStage(inv)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

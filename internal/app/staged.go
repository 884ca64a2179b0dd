package app

import (
	"context"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// stagedGrace is how long a staged inventory (store.InventoryStore.Stage)
// waits for its scan to write its package index before maintenance does.
const stagedGrace = 15 * time.Minute

// stagedPage is how many staged inventories one round of indexStaged
// takes.
const stagedPage = 100

// indexStaged writes the package index of the inventories staged before
// the time that no scan indexed (a job that failed for good, a scan the
// scan configuration skipped): rematches pass staged inventories by. It
// returns how many it indexed.
func (a *App) indexStaged(ctx context.Context, before time.Time) (int, error) {
	sys := store.SystemScope()
	n := 0
	for {
		var refs []store.ResourceRef
		err := a.store.View(ctx, func(tx store.Tx) error {
			var err error
			refs, err = tx.Inventories(sys).Staged(ctx, before, stagedPage)
			return err
		})
		if err != nil || len(refs) == 0 {
			return n, err
		}
		done := 0
		for _, ref := range refs {
			err := a.store.InTx(ctx, func(tx store.Tx) error {
				sc := store.AccountScope(ref.AccountID)
				inv, info, err := tx.Inventories(sc).Load(ctx, ref.ResourceID)
				if err != nil {
					return err
				}
				k, err := tx.Inventories(sc).IndexStaged(ctx, store.StagedInventory{ID: ref.ResourceID, Hash: info.Hash, Inventory: inv})
				done += k
				return err
			})
			var nf *store.NotFoundError
			if err != nil && !errors.As(err, &nf) {
				return n + done, err
			}
		}
		n += done
		if len(refs) < stagedPage || done == 0 {
			return n, nil
		}
	}
}

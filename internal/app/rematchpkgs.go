package app

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
)

// rematchPackagesBatch is how many inventories one transaction of a
// package rematch reconciles: each costs little (a few packages), and
// larger transactions dirty fewer index pages per finding written.
const rematchPackagesBatch = 2000

// rematchPackages re-matches, in every stored inventory that holds one of
// refs, only the packages refs name, and reconciles only their findings:
// the rest of an inventory is untouched by an update that did not touch
// its packages. The packages are read from the package index, not by
// decoding inventories; inventories stored before the index carried
// packages are re-matched whole. It returns how many inventories it
// re-matched.
func (a *App) rematchPackages(ctx context.Context, refs []store.PackageRef, snapshot string) (int, error) {
	eng, snapID, err := a.matcher.get(ctx, snapshot)
	if err != nil {
		return 0, fmt.Errorf("no advisory snapshot to match with: %w", err)
	}
	var held []store.HeldPackages
	err = a.store.View(ctx, func(tx store.Tx) error {
		var err error
		held, err = tx.Inventories(store.SystemScope()).PackagesHeld(ctx, refs)
		return err
	})
	if err != nil {
		return 0, err
	}
	var whole []store.ResourceRef
	scoped := make([]store.HeldPackages, 0, len(held))
	for _, h := range held {
		if h.Complete {
			scoped = append(scoped, h)
		} else {
			whole = append(whole, h.ResourceRef)
		}
	}
	held = nil
	n := len(scoped) + len(whole)
	for len(scoped) > 0 {
		k := min(rematchPackagesBatch, len(scoped))
		if err := a.rematchHeld(ctx, eng, snapID, scoped[:k]); err != nil {
			return n, err
		}
		scoped = scoped[k:]
	}
	return n, a.rematchWhole(ctx, eng, snapID, whole)
}

// heldMatch is one inventory's rematched packages and their matches.
type heldMatch struct {
	inv *model.Inventory
	ms  []model.Match
	err error
}

// rematchHeld matches the held packages of a batch of inventories and
// reconciles their findings in one transaction.
func (a *App) rematchHeld(ctx context.Context, eng *scan.Engine, snapID string, batch []store.HeldPackages) error {
	items := make([]heldMatch, len(batch))
	var wg sync.WaitGroup
	sem := make(chan struct{}, rematchConcurrency)
	for i := range batch {
		h := &batch[i]
		items[i].inv = &model.Inventory{Target: h.Target, OS: h.OS, Packages: h.Packages}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			items[i].ms, items[i].err = eng.Match(ctx, items[i].inv)
		}()
	}
	wg.Wait()
	ids := make([]model.ResourceID, 0, len(batch))
	var names []string
	for i := range batch {
		ids = append(ids, batch[i].ResourceID)
		for _, p := range batch[i].Packages {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	now := a.now()
	scanID := store.NewID("scan") // one assessment of the batch
	return a.store.InTx(ctx, func(tx store.Tx) error {
		states, err := tx.Findings(store.SystemScope()).PackageStates(ctx, ids, names)
		if err != nil {
			return err
		}
		b := finding.NewBatch(tx, now)
		done := make([]model.ResourceID, 0, len(batch))
		for i := range batch {
			h, it := &batch[i], &items[i]
			if it.err != nil {
				return fmt.Errorf("match %s: %w", h.ResourceID, it.err)
			}
			if h.Resource.ID == "" {
				continue // deleted since
			}
			if h.Resource.Coverage.Reason.ConfigReason() {
				continue // out of the account's scan configuration: not assessed
			}
			// states is sorted by resource: take this one's.
			lo, _ := slices.BinarySearchFunc(states, h.ResourceID, func(s store.FindingState, id model.ResourceID) int {
				return compareIDs(s.ResourceID, id)
			})
			hi := lo
			for hi < len(states) && states[hi].ResourceID == h.ResourceID {
				hi++
			}
			obs := finding.ObservationsFromMatches(it.inv, it.ms)
			if err := b.AddPackages(ctx, store.AccountScope(h.AccountID), h.Resource, scanID, snapID, h.Packages, obs, states[lo:hi]); err != nil {
				return err
			}
			done = append(done, h.ResourceID)
		}
		if _, err := b.Flush(ctx); err != nil {
			return err
		}
		if err := tx.Inventories(store.SystemScope()).Rematched(ctx, done, now); err != nil {
			return err
		}
		a.matched.Add(int64(len(done)))
		return nil
	})
}

func compareIDs(a, b model.ResourceID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

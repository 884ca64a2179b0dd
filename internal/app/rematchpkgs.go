package app

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
)

// DefaultRematchBatch is how many inventories one transaction of a
// package rematch reconciles unless Config.RematchBatch says otherwise:
// each costs little (a few packages); larger transactions write the index
// pages their findings share once, smaller ones fill and drain the
// pipeline sooner.
const DefaultRematchBatch = 1000

// rematchAhead bounds the batches of a package rematch prepared (read and
// matched) at once, the committing one included.
const rematchAhead = 3

// rematchPackages re-matches, in every stored inventory that holds one of
// refs, only the packages refs name, and reconciles only their findings:
// the rest of an inventory is untouched by an update that did not touch
// its packages. The packages are read from the package index, not by
// decoding inventories; inventories stored before the index carried
// packages are re-matched whole. It returns how many inventories it
// re-matched.
//
// It works a batch at a time, in a pipeline: while one batch's
// transaction runs on the (single, on SQLite) writer, the next batch's
// packages are read on a reader connection and matched.
func (a *App) rematchPackages(ctx context.Context, refs []store.PackageRef, snapshot string) (int, error) {
	eng, snapID, err := a.matcher.get(ctx, snapshot)
	if err != nil {
		return 0, fmt.Errorf("no advisory snapshot to match with: %w", err)
	}
	var holders []store.ResourceRef
	err = a.store.View(ctx, func(tx store.Tx) error {
		var err error
		holders, err = tx.Inventories(store.SystemScope()).ResourcesWithPackages(ctx, refs)
		return err
	})
	if err != nil {
		return 0, err
	}
	size := a.cfg.RematchBatch
	if size <= 0 {
		size = DefaultRematchBatch
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Batches are prepared up to rematchAhead at once, ahead of the one
	// committing, and committed in order.
	pending := make(chan chan *heldBatch, rematchAhead-1)
	go func() {
		defer close(pending)
		// The first batches are smaller: the writer starts on a batch
		// prepared in a fraction of the time a full one takes, while the
		// next, larger ones are prepared.
		step := max(1, size/4)
		for len(holders) > 0 {
			k := min(step, len(holders))
			step = min(size, 2*step)
			page := holders[:k]
			holders = holders[k:]
			f := make(chan *heldBatch, 1)
			select {
			case pending <- f:
			case <-pctx.Done():
				return
			}
			go func() { f <- a.prepareHeld(pctx, eng, snapID, refs, page) }()
		}
	}()
	n := 0
	var whole []store.ResourceRef
	for f := range pending {
		b := <-f
		if b.err != nil {
			return n, b.err
		}
		whole = append(whole, b.whole...)
		if len(b.held) > 0 {
			if err := a.rematchHeld(ctx, b); err != nil {
				return n, err
			}
		}
		n += len(b.held) + len(b.whole)
	}
	return n, a.rematchWhole(ctx, eng, snapID, whole)
}

// heldBatch is a batch of a package rematch, read and matched.
type heldBatch struct {
	// held are the inventories whose packages were read from the package
	// index, with their matches (items, in the same order).
	held  []store.HeldPackages
	items []heldMatch
	// whole are the inventories to re-match whole (stored before the
	// package index carried packages).
	whole []store.ResourceRef
	// scanID, snapshotID and now are the batch's assessment.
	scanID, snapshotID string
	now                time.Time
	err                error
}

// heldMatch is one inventory's rematched packages, matched and prepared
// for reconciliation.
type heldMatch struct {
	prep *finding.Prepared
	err  error
}

// prepareHeld reads the packages refs name of the inventories of page and
// matches them.
func (a *App) prepareHeld(ctx context.Context, eng *scan.Engine, snapID string, refs []store.PackageRef, page []store.ResourceRef) *heldBatch {
	b := &heldBatch{snapshotID: snapID}
	ids := make([]model.ResourceID, len(page))
	for i, r := range page {
		ids[i] = r.ResourceID
	}
	var held []store.HeldPackages
	b.err = a.store.View(ctx, func(tx store.Tx) error {
		var err error
		held, err = tx.Inventories(store.SystemScope()).PackagesHeldBy(ctx, refs, ids)
		return err
	})
	if b.err != nil {
		return b
	}
	for _, h := range held {
		if h.Complete {
			b.held = append(b.held, h)
		} else {
			b.whole = append(b.whole, h.ResourceRef)
		}
	}
	b.scanID, b.now = store.NewID("scan"), a.now() // one assessment of the batch
	b.items = make([]heldMatch, len(b.held))
	var wg sync.WaitGroup
	sem := make(chan struct{}, rematchConcurrency)
	for i := range b.held {
		h := &b.held[i]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			it := &b.items[i]
			inv := &model.Inventory{Target: h.Target, OS: h.OS, Packages: h.Packages}
			ms, err := eng.Match(ctx, inv)
			if err != nil {
				it.err = fmt.Errorf("match %s: %w", h.ResourceID, err)
				return
			}
			if h.Resource.ID == "" {
				return // deleted since
			}
			it.prep, it.err = finding.Prepare(h.Resource, b.scanID, b.snapshotID, h.Packages, finding.ObservationsFromMatches(inv, ms), b.now)
		}()
	}
	wg.Wait()
	return b
}

// rematchHeld reconciles the findings of a matched batch in one
// transaction.
func (a *App) rematchHeld(ctx context.Context, hb *heldBatch) error {
	batch, items := hb.held, hb.items
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
	return a.store.InTx(ctx, func(tx store.Tx) error {
		states, err := tx.Findings(store.SystemScope()).PackageStates(ctx, ids, names)
		if err != nil {
			return err
		}
		b := finding.NewBatch(tx, hb.now)
		done := make([]model.ResourceID, 0, len(batch))
		for i := range batch {
			h, it := &batch[i], &items[i]
			if it.err != nil {
				return it.err
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
			if err := b.AddPrepared(ctx, store.AccountScope(h.AccountID), it.prep, states[lo:hi]); err != nil {
				return err
			}
			done = append(done, h.ResourceID)
		}
		if _, err := b.Flush(ctx); err != nil {
			return err
		}
		if err := tx.Inventories(store.SystemScope()).Rematched(ctx, done, hb.now); err != nil {
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

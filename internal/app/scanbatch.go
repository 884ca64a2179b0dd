package app

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// scanBatchMax is how many ready scan jobs one worker takes at once. The
// matched scans of a batch are written in one transaction with their
// acks: on SQLite, whose single writer commits one transaction at a
// time, a commit writes every page it changed to the WAL, and a host's
// ≈ 75 findings change ≈ 11 index pages each, most of them shared with
// the hosts of the same base (BENCHMARKS.md, "batched scans"). A batch
// waits only for jobs already queued: a lone push is scanned at once.
const scanBatchMax = 64

// handleScanBatch runs scan jobs many at a time (job.BatchHandler): each
// is prepared on its own (up to scanPrepareConcurrency at once), then the
// prepared ones are written, and acked, in one transaction. Scans of
// images, whose indexing takes seconds, are written as soon as they are
// prepared rather than held for the batch. When the batch's transaction
// fails, each job is written alone, so that a failure is its own job's.
func (a *App) handleScanBatch(ctx context.Context, leases []*model.Lease) []error {
	errs := make([]error, len(leases))
	works := make([]*scanWork, len(leases))
	written := make([]bool, len(leases))
	sem := make(chan struct{}, scanPrepareConcurrency())
	var wg sync.WaitGroup
	for i, l := range leases {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			works[i], errs[i] = a.prepareScan(ctx, l.Job)
			if errs[i] == nil && works[i] != nil && works[i].res.Type == model.ResourceImage {
				errs[i], written[i] = a.writeScanAlone(ctx, l, works[i]), true
			}
		})
	}
	wg.Wait()
	// Two scans of one resource (a push queued while its previous scan
	// was leased) are not reconciled in one batch: the later one is
	// written after it, alone.
	var ready, later []int
	seen := map[model.ResourceID]bool{}
	for i := range leases {
		switch w := works[i]; {
		case errs[i] != nil || written[i]:
		case w != nil && seen[w.res.ID]:
			later = append(later, i)
		default:
			if w != nil {
				seen[w.res.ID] = true
			}
			ready = append(ready, i)
		}
	}
	finish := func() []error {
		for _, i := range later {
			errs[i] = a.writeScanAlone(ctx, leases[i], works[i])
		}
		return errs
	}
	if len(ready) == 0 {
		return finish()
	}
	a.log.Debug("scan batch", "jobs", len(leases), "toWrite", len(ready))
	lost := make([]error, len(leases))
	err := a.store.InTxGrouped(ctx, func(tx store.Tx) error {
		// Acks first: the scans of jobs whose lease was lost write nothing.
		byScope := map[model.AccountID][]store.StagedInventory{}
		for _, i := range ready {
			lost[i] = nil // this function may run again
			switch err := ackIn(ctx, tx, leases[i]); {
			case isLeaseLost(err):
				lost[i] = err // another worker has it
				continue
			case err != nil:
				return err
			}
			if w := works[i]; w != nil && w.hash != "" {
				byScope[w.res.AccountID] = append(byScope[w.res.AccountID], w.staged())
			}
		}
		// The package index of every staged inventory at once, in index
		// order, then the reconciliations.
		for acct, items := range byScope {
			if _, err := tx.Inventories(store.AccountScope(acct)).IndexStaged(ctx, items...); err != nil {
				return err
			}
		}
		var ws []*scanWork
		for _, i := range ready {
			if lost[i] != nil || works[i] == nil {
				continue
			}
			w := *works[i]
			w.indexed = true
			ws = append(ws, &w)
		}
		return a.writeScans(ctx, tx, ws)
	})
	for _, i := range ready {
		if err == nil {
			errs[i] = lost[i]
		} else {
			errs[i] = a.writeScanAlone(ctx, leases[i], works[i])
		}
	}
	return finish()
}

// writeScanAlone writes one prepared scan (nil: nothing to write) and
// acks its job in one transaction.
func (a *App) writeScanAlone(ctx context.Context, l *model.Lease, w *scanWork) error {
	return a.store.InTxGrouped(ctx, func(tx store.Tx) error {
		if err := ackIn(ctx, tx, l); err != nil || w == nil {
			return err
		}
		return a.writeScan(ctx, tx, w)
	})
}

// ackIn acks a job in tx: its completion commits with its results.
func ackIn(ctx context.Context, tx store.Tx, l *model.Lease) error {
	return tx.Jobs().Ack(ctx, l)
}

func isLeaseLost(err error) bool {
	var ll *store.LeaseLostError
	return errors.As(err, &ll)
}

// scanPrepareConcurrency bounds the scans of one batch prepared at once
// (reading, indexing, matching).
func scanPrepareConcurrency() int {
	return min(4, max(2, runtime.GOMAXPROCS(0)))
}

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
)

// handleScan runs a scan job: check the account's scan configuration,
// index (images) or load (pushed inventories), save, match, reconcile,
// record coverage.
func (a *App) handleScan(ctx context.Context, j model.Job) error {
	w, err := a.prepareScan(ctx, j)
	if err != nil || w == nil {
		return err
	}
	// Grouped: scans finishing together commit together (writeScan may
	// then run twice; it only writes through tx).
	return a.store.InTxGrouped(ctx, func(tx store.Tx) error { return a.writeScan(ctx, tx, w) })
}

// scanWork is a scan done up to its write: the resource's inventory
// matched with a snapshot, and the coverage to record.
type scanWork struct {
	sc     store.Scope
	res    model.Resource
	inv    *model.Inventory
	snapID string
	ms     []model.Match
	// obs are the observations of ms (finding.ObservationsFromMatches),
	// made with the match rather than in the write transaction.
	obs []model.Observation
	cov model.Coverage
	// started is when the scan job started (its Scan Completed event's
	// startedAt).
	started time.Time
	// hash is the stored inventory's hash when it was loaded (not
	// indexed here): its package index is written with the scan if it is
	// still the one staged (InventoryStore.IndexStaged).
	hash string
	// indexed says that the batch writing the scan indexed it already.
	indexed bool
	// index is the inventory's package index (store.HeldIndexOf), made
	// with the match rather than in the write transaction; nil for none.
	index *store.HeldIndex
}

// staged names the scan's inventory for InventoryStore.IndexStaged.
func (w *scanWork) staged() store.StagedInventory {
	return store.StagedInventory{ID: w.res.ID, Hash: w.hash, Inventory: w.inv, Index: w.index}
}

// prepareScan does a scan job's work up to its write transaction: the
// resource read, the scan configuration applied, the inventory indexed
// (images, saved in a transaction of its own) or loaded (pushed
// inventories), then matched. A nil scanWork with a nil error says that
// the job is done with nothing more to write (a deleted resource, a scan
// the configuration skips, a resource without an inventory).
func (a *App) prepareScan(ctx context.Context, j model.Job) (*scanWork, error) {
	ctx = withScanStart(ctx, a.now())
	var p api.ScanPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.ResourceID == "" {
		return nil, job.Permanent(fmt.Errorf("scan job %d: malformed payload", j.ID))
	}
	sc := store.AccountScope(j.AccountID)
	var res model.Resource
	err := a.store.View(ctx, func(tx store.Tx) error {
		var err error
		res, err = tx.Resources(sc).Get(ctx, p.ResourceID)
		return err
	})
	var nf *store.NotFoundError
	switch {
	case errors.As(err, &nf):
		a.log.Info("scan of a deleted resource skipped", "resource", p.ResourceID)
		return nil, nil
	case err != nil:
		return nil, err
	}
	if run, err := a.admitScan(ctx, sc, res, p.Reason); err != nil || !run {
		return nil, err
	}
	var inv *model.Inventory
	var info store.InventoryInfo
	if res.Type == model.ResourceImage {
		inv, err = a.extract(ctx, scan.Request{Kind: model.TargetImage, Target: res.Name})
		if err != nil {
			if ctx.Err() == nil {
				a.setCoverage(ctx, sc, res.ID, model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonScanFailed})
			}
			return nil, fmt.Errorf("index %s: %w", res.Name, err)
		}
		err = a.store.InTx(ctx, func(tx store.Tx) error {
			if inv.Target.Digest != "" && inv.Target.Digest != res.Digest {
				up := res
				up.Digest = inv.Target.Digest
				if res, _, err = tx.Resources(sc).Upsert(ctx, up); err != nil {
					return err
				}
				// A new digest is a push: the rescan window restarts.
				if err := tx.ScanConfigs(sc).SetEligibleSince(ctx, res.ID, a.now()); err != nil {
					return err
				}
			}
			_, err := tx.Inventories(sc).Save(ctx, res.ID, inv)
			return err
		})
		if err != nil {
			return nil, err
		}
	} else {
		err = a.store.View(ctx, func(tx store.Tx) error {
			var err error
			inv, info, err = tx.Inventories(sc).Load(ctx, res.ID)
			return err
		})
		if errors.As(err, &nf) {
			a.setCoverage(ctx, sc, res.ID, model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonNoInventory})
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if ecos := scan.Ecosystems(inv); len(ecos) > 0 {
		if err := a.db.Want(ecos...); err != nil {
			a.log.Warn("cannot record wanted ecosystems", "err", err)
		}
	}
	w, err := a.matchScan(ctx, sc, res, inv, "")
	if err != nil {
		return nil, err
	}
	if info.Hash != "" {
		w.hash = info.Hash
		w.index = store.HeldIndexOf(inv)
	}
	return w, nil
}

// matchScan matches a stored inventory with the current snapshot (or the
// one named) and says what its scan will record.
func (a *App) matchScan(ctx context.Context, sc store.Scope, res model.Resource, inv *model.Inventory, snapshot string) (*scanWork, error) {
	eng, snapID, err := a.matcher.get(ctx, snapshot)
	if err != nil {
		return nil, fmt.Errorf("no advisory snapshot to match with: %w", err)
	}
	ms, err := eng.Match(ctx, inv)
	if err != nil {
		return nil, fmt.Errorf("match %s: %w", res.ID, err)
	}
	a.matched.Add(1)
	cov := model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: a.now()}
	if inv.OS != nil && inv.OS.Unknown && len(inv.Packages) == 0 {
		cov = model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonUnsupportedOS, LastScannedAt: cov.LastScannedAt}
	}
	return &scanWork{sc: sc, res: res, inv: inv, snapID: snapID, ms: ms, obs: finding.ObservationsFromMatches(inv, ms), cov: cov,
		started: scanStartOf(ctx, time.Time{})}, nil
}

// writeScan reconciles a prepared scan's findings and records its
// coverage in tx. It only writes through tx, so it may run again.
func (a *App) writeScan(ctx context.Context, tx store.Tx, w *scanWork) error {
	return a.writeScans(ctx, tx, []*scanWork{w})
}

// writeScans writes prepared scans of distinct resources in tx: their
// findings reconciled in one finding.ScanBatch (new findings written
// together), each one's coverage recorded, then their scan events. It
// only writes through tx, so it may run again.
func (a *App) writeScans(ctx context.Context, tx store.Tx, ws []*scanWork) error {
	now := a.now()
	b := finding.NewScanBatch(tx, now)
	// The snapshot current now, looked up once for the batch: a scan
	// matched with an older one is matched again (writeScanInto).
	eng, snapID, _ := a.matcher.latest(ctx) // nil, "" when unknown: nothing matched again
	var evs []model.Event
	for _, w := range ws {
		e, err := a.writeScanInto(ctx, tx, b, now, eng, snapID, w)
		if err != nil {
			return err
		}
		evs = append(evs, e...)
	}
	if err := b.Flush(ctx); err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	return tx.Outbox(store.SystemScope()).Append(ctx, evs...)
}

// writeScanInto reconciles one prepared scan in b and records its
// coverage, returning its scan events. eng and id are the current
// snapshot's engine and id (nil and "" when unknown).
func (a *App) writeScanInto(ctx context.Context, tx store.Tx, b *finding.ScanBatch, now time.Time, eng *scan.Engine, id string, w *scanWork) ([]model.Event, error) {
	ctx = withScanStart(ctx, w.started)
	if eng != nil && id != w.snapID {
		// A newer snapshot was loaded since this scan matched: its rematch
		// may already have reconciled the resource, and results of the
		// older one must not be written over it. (A rematch that loads
		// one after this check reads the resource's findings after this
		// commit, in its own write transaction.)
		ms, err := eng.Match(ctx, w.inv)
		if err != nil {
			return nil, fmt.Errorf("match %s: %w", w.res.ID, err)
		}
		a.matched.Add(1)
		fresh := *w
		fresh.snapID, fresh.ms, fresh.obs = id, ms, finding.ObservationsFromMatches(w.inv, ms)
		w = &fresh
	}
	cur, err := tx.Resources(w.sc).Get(ctx, w.res.ID)
	if err != nil {
		return nil, err
	}
	if w.hash != "" && !w.indexed {
		if _, err := tx.Inventories(w.sc).IndexStaged(ctx, w.staged()); err != nil {
			return nil, err
		}
	}
	evs, err := a.reconcileScan(ctx, tx, b, now, w.sc, cur, w.snapID, w.inv, w.obs)
	if err != nil {
		return nil, err
	}
	if ok, err := stillCovered(ctx, tx, w.sc, cur, w.cov.LastScannedAt); err != nil || !ok {
		return evs, err // excluded while it ran: the coverage set then stays
	}
	_, err = recordCoverage(ctx, tx, w.sc, cur, w.cov)
	return evs, err
}

// setCoverage records a coverage state, logging a failure (the job's own
// error is what matters to the caller).
func (a *App) setCoverage(ctx context.Context, sc store.Scope, id model.ResourceID, c model.Coverage) {
	if c.LastScannedAt.IsZero() {
		c.LastScannedAt = a.now()
	}
	err := a.store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Resources(sc).Get(ctx, id)
		if err != nil {
			return err
		}
		_, err = recordCoverage(ctx, tx, sc, cur, c)
		return err
	})
	if err != nil {
		a.log.Warn("cannot record coverage", "resource", id, "err", err)
	}
}

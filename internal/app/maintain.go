package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Defaults of the maintenance loop.
const (
	DefaultMaintainInterval = time.Minute
	DefaultRetention        = 90 * 24 * time.Hour
	// DefaultEventRetention is how long delivered events stay readable
	// by GET /v1/events (consumers that poll with their own cursor).
	DefaultEventRetention = 30 * 24 * time.Hour
)

// runMaintenance re-evaluates suppression rules (so that an expired rule
// stops suppressing without waiting for the next scan), purges findings
// closed longer than the retention period, applies the scan
// configurations (tag changes, expired rescan windows), indexes the
// staged inventories no scan indexed, and queues the scheduled rescans,
// every interval.
func (a *App) runMaintenance(ctx context.Context) error {
	every := a.cfg.MaintainInterval
	if every <= 0 {
		every = DefaultMaintainInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		a.maintainOnce(ctx)
	}
}

func (a *App) maintainOnce(ctx context.Context) {
	now := a.now()
	retention := a.cfg.Retention
	if retention <= 0 {
		retention = DefaultRetention
	}
	err := a.store.InTx(ctx, func(tx store.Tx) error {
		d, err := finding.ApplySuppressionRules(ctx, tx, store.SystemScope(), now)
		if err != nil {
			return err
		}
		if d.Suppressed+d.Unsuppressed > 0 {
			a.log.Info("suppression rules applied", "suppressed", d.Suppressed, "unsuppressed", d.Unsuppressed)
		}
		n, err := finding.Purge(ctx, tx, now.Add(-retention))
		if n > 0 {
			a.log.Info("closed findings purged", "count", n, "retention", retention)
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		a.log.Warn("maintenance failed", "err", err)
	}
	if now.Sub(a.dictsPruned) >= dictPruneInterval {
		var busy *store.BusyError
		switch n, err := a.pruneDicts(ctx); {
		case errors.As(err, &busy):
			a.log.Debug("finding dictionaries not pruned: writers busy; next round", "err", err)
		case err != nil:
			a.dictsPruned = now
			if ctx.Err() == nil {
				a.log.Warn("pruning the findings' content dictionaries failed", "err", err)
			}
		default:
			a.dictsPruned = now
			if n > 0 {
				a.log.Info("unused finding content dictionaries pruned", "count", n)
			}
		}
	}
	if err := a.pruneEvents(ctx, now); err != nil && ctx.Err() == nil {
		a.log.Warn("pruning the event outbox failed", "err", err)
	}
	if n, err := a.indexStaged(ctx, now.Add(-stagedGrace)); err != nil && ctx.Err() == nil {
		a.log.Warn("indexing staged inventories failed", "err", err)
	} else if n > 0 {
		a.log.Info("staged inventories indexed without their scan", "count", n)
	}
	if _, err := a.applyScanConfig(ctx, store.SystemScope()); err != nil && ctx.Err() == nil {
		a.log.Warn("applying the scan configuration failed", "err", err)
	}
	if a.cfg.RescanInterval > 0 {
		n, err := a.scheduleRescans(ctx, now.Add(-a.cfg.RescanInterval))
		if err != nil && ctx.Err() == nil {
			a.log.Warn("scheduling rescans failed", "err", err)
		}
		if n > 0 {
			a.log.Info("rescans queued", "count", n)
		}
	}
}

// dictPruneInterval is how often the maintenance loop deletes the
// findings' content dictionaries no finding names (a pass reads every
// finding's header; a dictionary is ≈ 1.6 KB per vulnerability version).
const dictPruneInterval = 24 * time.Hour

// pruneDicts deletes the content dictionaries no finding names.
func (a *App) pruneDicts(ctx context.Context) (int, error) {
	var n int
	err := a.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Findings(store.SystemScope()).PruneDictionaries(ctx)
		return err
	})
	return n, err
}

// scheduleRescans queues a scan of each image last scanned before cutoff
// (or never successfully), a page of resources per transaction, except
// the images of ON_DEMAND accounts and those out of coverage by the scan
// configuration (applyScanConfig runs first and marks them). Queued
// scans of the same resource collapse (dedupe key), so a slow queue never
// grows by more than one job per image.
func (a *App) scheduleRescans(ctx context.Context, cutoff time.Time) (int, error) {
	f := store.ResourceFilter{Type: model.ResourceImage, Limit: 1000}
	queued := 0
	onDemand := map[model.AccountID]bool{}
	for {
		var page []model.Resource
		err := a.store.InTx(ctx, func(tx store.Tx) error {
			var err error
			if page, err = tx.Resources(store.SystemScope()).List(ctx, f); err != nil {
				return err
			}
			for _, r := range page {
				if r.Coverage.Reason == model.ReasonPendingInitialScan || r.Coverage.Reason == model.ReasonPendingRevivalScan ||
					r.Coverage.Reason.ConfigReason() || r.Coverage.LastScannedAt.After(cutoff) {
					continue
				}
				manual, ok := onDemand[r.AccountID]
				if !ok {
					cfg, err := tx.ScanConfigs(store.SystemScope()).Get(ctx, r.AccountID)
					if err != nil {
						return err
					}
					manual = cfg.Mode == model.ScanOnDemand
					onDemand[r.AccountID] = manual
				}
				if manual {
					continue
				}
				payload, err := json.Marshal(api.ScanPayload{ResourceID: r.ID, Reason: "scheduled"})
				if err != nil {
					return err
				}
				if _, created, err := tx.Jobs().Enqueue(ctx, model.Job{Kind: api.KindScan, AccountID: r.AccountID,
					Payload: payload, DedupeKey: "scan:" + string(r.ID)}); err != nil {
					return err
				} else if created {
					queued++
				}
			}
			return nil
		})
		if err != nil {
			return queued, err
		}
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	if queued > 0 {
		a.notify()
	}
	return queued, nil
}

// pruneEvents deletes outbox events older than the event retention that
// every delivery target has passed, a bounded batch per transaction.
func (a *App) pruneEvents(ctx context.Context, now time.Time) error {
	keep := a.cfg.EventRetention
	if keep <= 0 {
		keep = DefaultEventRetention
	}
	const batch = 10000
	total := 0
	for {
		var n int
		err := a.store.InTx(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.Outbox(store.SystemScope()).Prune(ctx, now.Add(-keep), batch)
			return err
		})
		total += n
		if err != nil || n < batch {
			if total > 0 {
				a.log.Info("old events pruned", "count", total, "retention", keep)
			}
			return err
		}
	}
}

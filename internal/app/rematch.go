package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
)

// RematchPayload is the payload of a rematch job.
type RematchPayload struct {
	// Snapshot is the advisory snapshot to match with.
	Snapshot string `json:"snapshot"`
	// Packages are the packages the update touched.
	Packages []advisory.PackageRef `json:"packages,omitempty"`
	// All re-matches every stored inventory (the first snapshot).
	All bool `json:"all,omitempty"`
}

// rematchBatch is how many resources one rematch transaction reconciles:
// loading, matching and reconciling a batch at a time keeps memory bounded
// and the number of write transactions (serialised on SQLite) small.
const rematchBatch = 250

// rematchConcurrency bounds the inventories matched at once.
const rematchConcurrency = 4

// handleRematch re-matches the stored inventories that hold a touched
// package. Nothing is extracted again.
func (a *App) handleRematch(ctx context.Context, j model.Job) error {
	var p RematchPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Snapshot == "" {
		return job.Permanent(fmt.Errorf("rematch job %d: malformed payload", j.ID))
	}
	if !p.All {
		prs := make([]store.PackageRef, 0, len(p.Packages))
		for _, pr := range p.Packages {
			prs = append(prs, store.PackageRef{Ecosystem: pr.Ecosystem, Name: pr.Name})
		}
		n, err := a.rematchPackages(ctx, prs, p.Snapshot)
		a.log.Info("rematch", "snapshot", p.Snapshot, "packages", len(p.Packages), "resources", n)
		return err
	}
	refs, err := a.rematchTargets(ctx, p)
	if err != nil {
		return err
	}
	a.log.Info("rematch", "snapshot", p.Snapshot, "all", true, "resources", len(refs))
	return a.rematch(ctx, refs, p.Snapshot)
}

// rematch re-matches the stored inventories of refs with the snapshot, a
// batch at a time.
func (a *App) rematch(ctx context.Context, refs []store.ResourceRef, snapshot string) error {
	eng, snapID, err := a.matcher.get(ctx, snapshot)
	if err != nil {
		return fmt.Errorf("no advisory snapshot to match with: %w", err)
	}
	return a.rematchWhole(ctx, eng, snapID, refs)
}

// rematchWhole re-matches whole stored inventories, a batch at a time.
func (a *App) rematchWhole(ctx context.Context, eng *scan.Engine, snapID string, refs []store.ResourceRef) error {
	for len(refs) > 0 {
		n := min(rematchBatch, len(refs))
		if err := a.rematchBatch(ctx, eng, snapID, refs[:n]); err != nil {
			return err
		}
		refs = refs[n:]
	}
	return nil
}

// rematched is one resource of a batch with its inventory and matches.
type rematched struct {
	res model.Resource
	inv *model.Inventory
	ms  []model.Match
	err error
}

func (a *App) rematchBatch(ctx context.Context, eng *scan.Engine, snapID string, refs []store.ResourceRef) error {
	items := make([]*rematched, 0, len(refs))
	err := a.store.View(ctx, func(tx store.Tx) error {
		for _, ref := range refs {
			sc := store.AccountScope(ref.AccountID)
			res, err := tx.Resources(sc).Get(ctx, ref.ResourceID)
			var nf *store.NotFoundError
			if errors.As(err, &nf) {
				continue // deleted since
			}
			if err != nil {
				return err
			}
			if res.Coverage.Reason.ConfigReason() {
				continue // out of the account's scan configuration: not assessed
			}
			inv, _, err := tx.Inventories(sc).Load(ctx, ref.ResourceID)
			if errors.As(err, &nf) {
				continue // never scanned
			}
			if err != nil {
				return err
			}
			items = append(items, &rematched{res: res, inv: inv})
		}
		return nil
	})
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, rematchConcurrency)
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			it.ms, it.err = eng.Match(ctx, it.inv)
		}()
	}
	wg.Wait()
	now := a.now()
	return a.store.InTx(ctx, func(tx store.Tx) error {
		for _, it := range items {
			if it.err != nil {
				return fmt.Errorf("match %s: %w", it.res.ID, it.err)
			}
			sc := store.AccountScope(it.res.AccountID)
			if err := a.reconcile(ctx, tx, sc, it.res, snapID, it.inv, it.ms); err != nil {
				return err
			}
			cov := it.res.Coverage
			cov.LastScannedAt = now
			if _, err := tx.Resources(sc).SetCoverage(ctx, it.res.ID, cov); err != nil {
				return err
			}
			a.matched.Add(1)
		}
		return nil
	})
}

// rematchTargets lists the resources a rematch concerns.
func (a *App) rematchTargets(ctx context.Context, p RematchPayload) ([]store.ResourceRef, error) {
	sys := store.SystemScope()
	var refs []store.ResourceRef
	err := a.store.View(ctx, func(tx store.Tx) error {
		if !p.All {
			prs := make([]store.PackageRef, 0, len(p.Packages))
			for _, pr := range p.Packages {
				prs = append(prs, store.PackageRef{Ecosystem: pr.Ecosystem, Name: pr.Name})
			}
			var err error
			refs, err = tx.Inventories(sys).ResourcesWithPackages(ctx, prs)
			return err
		}
		f := store.ResourceFilter{Limit: 1000}
		for {
			rs, err := tx.Resources(sys).List(ctx, f)
			if err != nil {
				return err
			}
			for _, r := range rs {
				refs = append(refs, store.ResourceRef{AccountID: r.AccountID, ResourceID: r.ID})
			}
			if len(rs) < f.Limit {
				return nil
			}
			f.After = rs[len(rs)-1].ID
		}
	})
	return refs, err
}

// enqueueRematch queues the rematch of an update's result.
func (a *App) enqueueRematch(ctx context.Context, res *advisory.UpdateResult) error {
	p := RematchPayload{Snapshot: res.Snapshot, Packages: res.Diff.Packages, All: res.Previous == ""}
	if !p.All && len(p.Packages) == 0 {
		return nil
	}
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, _, err = a.store.Queue().Enqueue(ctx, model.Job{Kind: api.KindRematch, Payload: data, DedupeKey: "rematch:" + res.Snapshot, Priority: 5})
	if err == nil {
		a.notify()
	}
	return err
}

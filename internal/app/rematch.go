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

// rematchConcurrency bounds the inventories re-matched at once by one job.
const rematchConcurrency = 4

// handleRematch re-matches the stored inventories that hold a touched
// package. Nothing is extracted again.
func (a *App) handleRematch(ctx context.Context, j model.Job) error {
	var p RematchPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Snapshot == "" {
		return job.Permanent(fmt.Errorf("rematch job %d: malformed payload", j.ID))
	}
	refs, err := a.rematchTargets(ctx, p)
	if err != nil {
		return err
	}
	a.log.Info("rematch", "snapshot", p.Snapshot, "packages", len(p.Packages), "resources", len(refs))
	sem := make(chan struct{}, rematchConcurrency)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, ref := range refs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := a.rematchOne(ctx, ref, p.Snapshot); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
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

// rematchOne re-matches one resource's stored inventory.
func (a *App) rematchOne(ctx context.Context, ref store.ResourceRef, snapshot string) error {
	sc := store.AccountScope(ref.AccountID)
	var (
		res model.Resource
		inv *model.Inventory
	)
	err := a.store.View(ctx, func(tx store.Tx) error {
		var err error
		if res, err = tx.Resources(sc).Get(ctx, ref.ResourceID); err != nil {
			return err
		}
		inv, _, err = tx.Inventories(sc).Load(ctx, ref.ResourceID)
		return err
	})
	var nf *store.NotFoundError
	if errors.As(err, &nf) {
		return nil // deleted since, or never scanned
	}
	if err != nil {
		return err
	}
	return a.matchAndReconcile(ctx, sc, res, inv, snapshot)
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

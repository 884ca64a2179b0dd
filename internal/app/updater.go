package app

import (
	"context"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
)

// runUpdater updates the advisory database now and then every interval;
// each new snapshot is loaded and its diff queued for re-matching.
func (a *App) runUpdater(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		a.updateOnce(ctx)
		t.Reset(a.cfg.UpdateInterval)
	}
}

// updateOnce runs one update; failures are logged, never fatal: the
// previous snapshot stays in use.
func (a *App) updateOnce(ctx context.Context) {
	opts := a.cfg.Update
	if opts.Logger == nil {
		opts.Logger = a.log
	}
	res, err := a.db.Update(ctx, opts)
	var nothing *advisory.NothingWantedError
	switch {
	case errors.As(err, &nothing):
		a.log.Debug("advisory update: no ecosystem wanted yet")
		return
	case err != nil && ctx.Err() != nil:
		return
	case err != nil:
		a.log.Warn("advisory update failed", "err", err)
	}
	if res == nil || res.Unchanged || res.Snapshot == "" || res.Snapshot == res.Previous {
		return
	}
	a.updates.Add(1)
	if _, _, err := a.matcher.get(ctx, res.Snapshot); err != nil {
		a.log.Warn("cannot load the new advisory snapshot", "snapshot", res.Snapshot, "err", err)
		return
	}
	a.noteUpdate(ctx, res)
	if err := a.enqueueRematch(ctx, res); err != nil {
		a.log.Warn("cannot queue the rematch", "snapshot", res.Snapshot, "err", err)
	}
}

package app

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/store"
)

// Defaults of the maintenance loop.
const (
	DefaultMaintainInterval = time.Minute
	DefaultRetention        = 90 * 24 * time.Hour
)

// runMaintenance re-evaluates suppression rules (so that an expired rule
// stops suppressing without waiting for the next scan) and purges findings
// closed longer than the retention period, every interval.
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
}

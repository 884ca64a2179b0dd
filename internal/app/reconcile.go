package app

import (
	"context"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// reconcile turns the matches of a resource's inventory into observations
// and reconciles them with the resource's stored findings in tx.
func (a *App) reconcile(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, snapshot string, inv *model.Inventory, ms []model.Match) error {
	obs, err := a.withExposure(ctx, tx, sc, res, finding.ObservationsFromMatches(inv, ms))
	if err != nil {
		return err
	}
	_, err = finding.Reconcile(ctx, tx, sc, res, store.NewID("scan"), snapshot, obs, a.now())
	return err
}

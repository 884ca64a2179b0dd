package finding

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Batch reconciles the findings of many resources in one transaction with
// shared reads and writes, for a rematch of thousands of inventories: the
// suppression rules are read once per account, the stored versions of
// changed findings in one query per few hundred, and findings, touches and
// events are written in multi-row statements at Flush. The result is what
// as many ReconcilePackages calls would write.
type Batch struct {
	tx    store.Tx
	w     *writer
	rules *ruleCache
	plans []*planned
}

// NewBatch starts a batch in tx whose reconciliations happen at now.
func NewBatch(tx store.Tx, now time.Time) *Batch {
	now = now.UTC().Truncate(time.Microsecond)
	return &Batch{tx: tx, w: newWriter(now), rules: newRuleCache(tx, now)}
}

// AddPackages adds the reconciliation of some packages of res, as
// ReconcilePackages describes; nothing is written before Flush.
func (b *Batch) AddPackages(ctx context.Context, sc store.Scope, res model.Resource, scanID, snapshotID string,
	pkgs []model.Package, observations []model.Observation, states []store.FindingState) error {
	mine, err := packageStates(sc, &res, pkgs, observations, states)
	if err != nil {
		return err
	}
	rules, err := b.rules.forAccount(ctx, res.AccountID)
	if err != nil {
		return err
	}
	p, err := b.w.plan(&res, scanID, snapshotID, observations, mine, rules)
	if err != nil {
		return err
	}
	b.plans = append(b.plans, p)
	return nil
}

// Flush reads what the reconciliations need, writes them and returns
// their summed Delta. The accounts were checked against each call's scope
// by AddPackages; the writes go through the system scope.
func (b *Batch) Flush(ctx context.Context) (Delta, error) {
	var d Delta
	sys := store.SystemScope()
	var need []model.FindingID
	for _, p := range b.plans {
		need = p.need(need)
	}
	if len(need) > 0 {
		old, err := readOld(ctx, b.tx.Findings(sys), need)
		if err != nil {
			return d, err
		}
		for _, p := range b.plans {
			if err := b.w.apply(p, old); err != nil {
				return d, err
			}
		}
	}
	if err := b.w.flush(ctx, b.tx, sys); err != nil {
		return d, err
	}
	for _, p := range b.plans {
		d.Created += p.d.Created
		d.Updated += p.d.Updated
		d.Reopened += p.d.Reopened
		d.Closed += p.d.Closed
		d.Suppressed += p.d.Suppressed
		d.Unsuppressed += p.d.Unsuppressed
		d.Refreshed += p.d.Refreshed
		d.Unchanged += p.d.Unchanged
		o := &p.d.Open
		d.Open.Critical += o.Critical
		d.Open.High += o.High
		d.Open.Medium += o.Medium
		d.Open.Low += o.Low
		d.Open.None += o.None
		d.Open.Untriaged += o.Untriaged
		d.Open.Total += o.Total
	}
	d.Events = len(b.w.events)
	b.plans = nil
	return d, nil
}

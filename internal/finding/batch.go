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
// as many ReconcilePackages calls would write (unchanged findings are left
// as they are: a rematch does not observe its resources again).
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
	p, err := Prepare(res, scanID, snapshotID, pkgs, observations, b.w.now)
	if err != nil {
		return err
	}
	return b.AddPrepared(ctx, sc, p, states)
}

// Prepared is a package reconciliation built ahead of its transaction:
// the findings its observations describe, with their fingerprints, which
// is most of the work that needs no stored state (Prepare can run on other
// goroutines while a transaction holds the writer).
type Prepared struct {
	res                model.Resource
	scanID, snapshotID string
	keys               map[string]bool
	c                  candidates
}

// Prepare checks and builds the reconciliation of the packages pkgs of
// res from observations (those of matching exactly pkgs) at now, which
// must be the time of the Batch it is added to.
func Prepare(res model.Resource, scanID, snapshotID string, pkgs []model.Package, observations []model.Observation, now time.Time) (*Prepared, error) {
	if res.ID == "" || res.AccountID == "" {
		return nil, &ResourceError{Reason: "id and account are required"}
	}
	keys := make(map[string]bool, len(pkgs))
	for i := range pkgs {
		keys[pkgs[i].Key()] = true
	}
	for i := range observations {
		o := &observations[i]
		if err := checkObservation(i, o); err != nil {
			return nil, err
		}
		if o.Package == nil || !keys[o.Package.Package.Key()] {
			return nil, &ObservationError{Index: i, Reason: "not an observation of the packages reconciled"}
		}
	}
	now = now.UTC().Truncate(time.Microsecond)
	return &Prepared{res: res, scanID: scanID, snapshotID: snapshotID, keys: keys,
		c: buildCandidates(&res, scanID, snapshotID, observations, now, true)}, nil
}

// AddPrepared adds a prepared reconciliation, read against states (the
// stored states of its packages' findings; entries of other resources or
// packages are ignored); nothing is written before Flush.
func (b *Batch) AddPrepared(ctx context.Context, sc store.Scope, p *Prepared, states []store.FindingState) error {
	if !sc.Allows(p.res.AccountID) {
		return &store.ScopeError{Kind: "finding", Account: string(p.res.AccountID)}
	}
	mine := make([]store.FindingState, 0, len(states))
	for _, st := range states {
		if st.ResourceID == p.res.ID && st.Package != "" && p.keys[st.Package] {
			mine = append(mine, st)
		}
	}
	rules, err := b.rules.forAccount(ctx, p.res.AccountID)
	if err != nil {
		return err
	}
	pl, err := b.w.plan(&p.res, p.scanID, p.snapshotID, p.c, mine, rules)
	if err != nil {
		return err
	}
	b.plans = append(b.plans, pl)
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

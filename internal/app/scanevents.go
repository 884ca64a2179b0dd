package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// scanStartKey is the context key of when a scan job started.
type scanStartKey struct{}

// withScanStart records in ctx when a scan job started ("startedAt" of
// Scan Completed).
func withScanStart(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, scanStartKey{}, at)
}

// scanStartOf returns when the scan job of ctx started, or def.
func scanStartOf(ctx context.Context, def time.Time) time.Time {
	if at, ok := ctx.Value(scanStartKey{}).(time.Time); ok && !at.IsZero() {
		return at
	}
	return def
}

// reconcileScan is reconcile for a scan job: it reconciles the findings of
// res (as stored in tx) in b, a batch of scans reconciled at now, and
// returns the events to append after the batch's findings: Scan
// Completed with the resource's open findings by severity and, when this
// is the resource's first successful scan, Initial Scan Complete.
// Rematches after an advisory update are not scans and announce neither.
// obs are the observations of the scan's matches.
func (a *App) reconcileScan(ctx context.Context, tx store.Tx, b *finding.ScanBatch, now time.Time, sc store.Scope, res model.Resource,
	snapshot string, inv *model.Inventory, obs []model.Observation) ([]model.Event, error) {
	first, err := firstScan(ctx, tx, sc, res)
	if err != nil {
		return nil, err
	}
	// The exposure analysis appends to a copy (this may run again: its
	// changes to the observations' package details are the same each
	// time).
	obs, err = a.withExposure(ctx, tx, sc, res, obs[:len(obs):len(obs)])
	if err != nil {
		return nil, err
	}
	scanID := store.NewID("scan")
	d, err := b.Add(ctx, sc, res, scanID, snapshot, obs)
	if err != nil {
		return nil, err
	}
	return scanEvents(res, scanID, snapshot, inv, d, scanStartOf(ctx, now), now, first)
}

// firstScan reports whether a successful scan of res now is its first:
// it is waiting for its initial scan, was never scanned, or only failed
// scans (which record a scan time) came before and left no finding.
func firstScan(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource) (bool, error) {
	c := res.Coverage
	switch {
	case c.Reason == model.ReasonPendingInitialScan || c.LastScannedAt.IsZero():
		return true, nil
	case c.Reason == model.ReasonScanFailed || c.Reason == model.ReasonNoInventory ||
		c.Reason == model.ReasonInternalError || c.Reason == model.ReasonAccessDenied:
		states, err := tx.Findings(sc).States(ctx, res.ID)
		return len(states) == 0, err
	}
	return false, nil
}

// scanEvents builds the outbox events of one completed scan.
func scanEvents(res model.Resource, scanID, snapshot string, inv *model.Inventory, d finding.Delta, started, finished time.Time, first bool) ([]model.Event, error) {
	r := scanResource(res)
	counts := severityCounts(d.Open)
	sd := event.ScanCompletedDetail{
		ScanID: scanID, Resource: r, Status: "COMPLETED", StartedAt: started.UTC(), FinishedAt: finished.UTC(),
		DBSnapshot: snapshot, FindingSeverityCounts: counts,
		FindingsCreated: d.Created + d.Reopened, FindingsClosed: d.Closed,
	}
	if started.After(finished) {
		sd.StartedAt = sd.FinishedAt
	}
	if inv.Partial {
		sd.Status = "PARTIAL"
		for _, is := range inv.Issues {
			s := is.Plugin + ": " + is.Reason
			if is.Path != "" {
				s = is.Plugin + ": " + is.Path + ": " + is.Reason
			}
			sd.Issues = append(sd.Issues, s)
		}
	}
	payload, err := json.Marshal(sd)
	if err != nil {
		return nil, err
	}
	evs := []model.Event{{AccountID: res.AccountID, Type: event.OutboxScanCompleted, Subject: string(res.ID), Payload: payload}}
	if !first {
		return evs, nil
	}
	payload, err = json.Marshal(event.InitialScanCompleteDetail{
		ScanStatus: "INITIAL_SCAN_COMPLETE", Resource: r, DBSnapshot: snapshot, FindingSeverityCounts: counts,
	})
	if err != nil {
		return nil, err
	}
	return append(evs, model.Event{AccountID: res.AccountID, Type: event.OutboxInitialScanComplete, Subject: string(res.ID), Payload: payload}), nil
}

// scanResource names res in a scan or coverage event.
func scanResource(res model.Resource) event.ScanResource {
	return event.ScanResource{ID: string(res.ID), Type: string(res.Type), Name: res.Name, Digest: res.Digest, Tags: res.Tags}
}

// severityCounts converts finding counts to the events' shape.
func severityCounts(c model.SeverityCounts) event.SeverityCounts {
	return event.SeverityCounts{Critical: c.Critical, High: c.High, Medium: c.Medium, Low: c.Low,
		None: c.None, Untriaged: c.Untriaged, Total: c.Total}
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Scan job reasons this package reads or writes (api.ScanPayload.Reason).
const (
	// reasonRequested is an explicit request (POST /v1/scans, or pushing
	// a resource that exists): the only scans of ON_DEMAND accounts, and
	// a restart of an image's rescan window.
	reasonRequested = "requested"
	// reasonIncluded is the scan of a resource that is back in coverage.
	reasonIncluded = "included"
)

// EventCoverageChanged is the outbox type of a coverage change (the one
// the relay publishes as Coverage Changed); its payload is an
// event.CoverageChangedDetail.
const EventCoverageChanged = event.OutboxCoverageChanged

// recordCoverage sets res's coverage in tx and, when its status or reason
// changed, appends a coverage.changed event. res.Coverage is what the
// caller read; when another transaction changed it since (PostgreSQL), the
// change is made from what is stored now, so each change is announced
// once. It returns the resource as stored.
func recordCoverage(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, c model.Coverage) (model.Resource, error) {
	prev := res.Coverage
	for attempt := 0; ; attempt++ {
		ok, err := tx.ScanConfigs(sc).SwapCoverage(ctx, res.ID, prev, c)
		if err != nil {
			return res, err
		}
		if ok {
			break
		}
		if attempt > 0 {
			return res, &store.ConflictError{Kind: "resource", ID: string(res.ID), Reason: "coverage changed concurrently"}
		}
		cur, err := tx.Resources(sc).Get(ctx, res.ID)
		if err != nil {
			return res, err
		}
		prev = cur.Coverage
	}
	got, err := tx.Resources(sc).Get(ctx, res.ID)
	if err != nil || (prev.Status == c.Status && prev.Reason == c.Reason) {
		return got, err
	}
	d := event.CoverageChangedDetail{
		Resource: event.ScanResource{ID: string(got.ID), Type: string(got.Type), Name: got.Name, Digest: got.Digest, Tags: got.Tags},
		ScanType: "PACKAGE",
		Previous: &event.CoverageState{Status: string(prev.Status), Reason: string(prev.Reason)},
		Current:  event.CoverageState{Status: string(c.Status), Reason: string(c.Reason)},
	}
	if t := got.Coverage.LastScannedAt; !t.IsZero() {
		d.LastScannedAt = &t
	}
	payload, err := json.Marshal(d)
	if err != nil {
		return got, err
	}
	return got, tx.Outbox(sc).Append(ctx, model.Event{AccountID: got.AccountID, Type: EventCoverageChanged, Subject: string(got.ID), Payload: payload})
}

// eligibleSince returns when each image's rescan window started: the
// recorded start, else its registration.
func eligibleSince(ctx context.Context, tx store.Tx, rs []model.Resource) (map[model.ResourceID]time.Time, error) {
	var ids []model.ResourceID
	for _, r := range rs {
		if r.Type == model.ResourceImage {
			ids = append(ids, r.ID)
		}
	}
	out := make(map[model.ResourceID]time.Time, len(ids))
	if len(ids) > 0 {
		var err error
		if out, err = tx.ScanConfigs(store.SystemScope()).EligibleSince(ctx, ids); err != nil {
			return nil, err
		}
	}
	for _, r := range rs {
		if _, ok := out[r.ID]; !ok {
			out[r.ID] = r.CreatedAt
		}
	}
	return out, nil
}

// admitScan decides whether a scan job of res runs, under its account's
// scan configuration. An explicit request restarts an image's rescan
// window. A resource the configuration excludes gets coverage INACTIVE
// with the reason and is not scanned; in ON_DEMAND mode only explicit
// requests scan (a resource never scanned is marked SCAN_FREQUENCY_MANUAL).
// The decision is read in a read-only transaction; a write transaction
// follows only when something must be recorded (on SQLite writers queue).
func (a *App) admitScan(ctx context.Context, sc store.Scope, res model.Resource, reason string) (bool, error) {
	var d admission
	err := a.store.View(ctx, func(tx store.Tx) error {
		var err error
		d, err = a.admit(ctx, tx, sc, res.ID, reason, false)
		return err
	})
	if err == nil && d.write {
		err = a.store.InTx(ctx, func(tx store.Tx) error {
			var err error
			d, err = a.admit(ctx, tx, sc, res.ID, reason, true)
			return err
		})
	}
	if err == nil && !d.run {
		a.log.Info("scan skipped by the scan configuration", "resource", res.ID, "reason", d.why)
	}
	return d.run, err
}

// admission is what admit decided.
type admission struct {
	// run says the scan goes ahead; why is the coverage reason when not.
	run bool
	why model.CoverageReason
	// write says something must be recorded.
	write bool
}

// admit decides in tx whether a scan of id runs; with apply it records the
// decision (the image's rescan window, the coverage), without it reports
// whether it would write anything.
func (a *App) admit(ctx context.Context, tx store.Tx, sc store.Scope, id model.ResourceID, reason string, apply bool) (admission, error) {
	var d admission
	cur, err := tx.Resources(sc).Get(ctx, id)
	if err != nil {
		return d, err
	}
	cfg, err := tx.ScanConfigs(sc).Get(ctx, cur.AccountID)
	if err != nil {
		return d, err
	}
	now := a.now()
	since, err := eligibleSince(ctx, tx, []model.Resource{cur})
	if err != nil {
		return d, err
	}
	if reason == reasonRequested && cur.Type == model.ResourceImage {
		d.write, since[cur.ID] = true, now
		if apply {
			if err := tx.ScanConfigs(sc).SetEligibleSince(ctx, cur.ID, now); err != nil {
				return d, err
			}
		}
	}
	d.why = cfg.Excludes(&cur, since[cur.ID], now)
	if d.why == "" && cfg.Mode == model.ScanOnDemand && reason != reasonRequested {
		d.why = model.ReasonScanFrequencyManual
		if !cur.Coverage.LastScannedAt.IsZero() && !cur.Coverage.Reason.ConfigReason() {
			return d, nil // scanned on request before: its coverage stays
		}
	}
	next := model.Coverage{Status: model.CoverageInactive, Reason: d.why, LastScannedAt: cur.Coverage.LastScannedAt}
	if d.why == "" {
		d.run = true
		if !cur.Coverage.Reason.ConfigReason() {
			return d, nil
		}
		// Back in coverage: say so now, so that applyScanConfig does not
		// queue another scan.
		next = pending(cur.Coverage)
	}
	if cur.Coverage.Status == next.Status && cur.Coverage.Reason == next.Reason {
		return d, nil
	}
	d.write = true
	if apply {
		_, err = recordCoverage(ctx, tx, sc, cur, next)
	}
	return d, err
}

// stillCovered reports, in the transaction that records a finished scan,
// whether the configuration still covers res (it may have changed while
// the scan ran; the coverage it set then is kept).
func stillCovered(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, now time.Time) (bool, error) {
	cfg, err := tx.ScanConfigs(sc).Get(ctx, res.AccountID)
	if err != nil {
		return false, err
	}
	since, err := eligibleSince(ctx, tx, []model.Resource{res})
	if err != nil {
		return false, err
	}
	return cfg.Excludes(&res, since[res.ID], now) == "", nil
}

// handleScanConfig applies an account's scan configuration after a
// change.
func (a *App) handleScanConfig(ctx context.Context, j model.Job) error {
	var p api.ScanConfigPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.AccountID == "" {
		return job.Permanent(fmt.Errorf("scan configuration job %d: malformed payload", j.ID))
	}
	_, err := a.applyScanConfig(ctx, store.AccountScope(p.AccountID))
	return err
}

// ScanConfigResult counts what applying the scan configuration did.
type ScanConfigResult struct {
	// Excluded counts resources that left coverage, Included those that
	// came back (and were queued for a scan in CONTINUOUS mode).
	Excluded, Included, Queued int
}

// applyScanConfig brings the coverage of the scope's resources in line
// with their accounts' scan configurations, a page per transaction: a
// resource the configuration excludes becomes INACTIVE with the reason
// (SCAN_TYPE_DISABLED, EXCLUDED_BY_TAG, SCAN_ELIGIBILITY_EXPIRED); one
// that was out for such a reason and is covered again gets a scan
// (PENDING_REVIVAL_SCAN, or PENDING_INITIAL_SCAN if never scanned) in
// CONTINUOUS mode and SCAN_FREQUENCY_MANUAL in ON_DEMAND mode. Each change
// appends a coverage.changed event.
func (a *App) applyScanConfig(ctx context.Context, sc store.Scope) (ScanConfigResult, error) {
	var out ScanConfigResult
	f := store.ResourceFilter{Limit: 500}
	cfgs := map[model.AccountID]model.ScanConfig{}
	for {
		var page []model.Resource
		var n ScanConfigResult
		pass := func(apply bool) func(tx store.Tx) error {
			return func(tx store.Tx) error {
				n = ScanConfigResult{}
				var err error
				if page, err = tx.Resources(sc).List(ctx, f); err != nil {
					return err
				}
				since, err := eligibleSince(ctx, tx, page)
				if err != nil {
					return err
				}
				now := a.now()
				for _, r := range page {
					cfg, ok := cfgs[r.AccountID]
					if !ok {
						if cfg, err = tx.ScanConfigs(sc).Get(ctx, r.AccountID); err != nil {
							return err
						}
						cfgs[r.AccountID] = cfg
					}
					if err := a.applyTo(ctx, tx, sc, &cfg, r, since[r.ID], now, apply, &n); err != nil {
						return err
					}
				}
				return nil
			}
		}
		// A read-only pass first: most rounds change nothing, and write
		// transactions queue on SQLite.
		err := a.store.View(ctx, pass(false))
		if err == nil && n.Excluded+n.Included > 0 {
			err = a.store.InTx(ctx, pass(true))
		}
		if err != nil {
			return out, err
		}
		out.Excluded += n.Excluded
		out.Included += n.Included
		out.Queued += n.Queued
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	if out.Excluded+out.Included > 0 {
		a.log.Info("scan configuration applied", "excluded", out.Excluded, "included", out.Included, "queued", out.Queued)
	}
	if out.Queued > 0 {
		a.notify()
	}
	return out, nil
}

// applyTo applies cfg to one resource; without apply it only counts what
// it would change.
func (a *App) applyTo(ctx context.Context, tx store.Tx, sc store.Scope, cfg *model.ScanConfig, r model.Resource, since, now time.Time, apply bool, n *ScanConfigResult) error {
	cov := r.Coverage
	if why := cfg.Excludes(&r, since, now); why != "" {
		if cov.Status == model.CoverageInactive && cov.Reason == why {
			return nil
		}
		n.Excluded++
		if !apply {
			return nil
		}
		_, err := recordCoverage(ctx, tx, sc, r, model.Coverage{Status: model.CoverageInactive, Reason: why, LastScannedAt: cov.LastScannedAt})
		return err
	}
	if !cov.Reason.ConfigReason() {
		return nil
	}
	next := model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonScanFrequencyManual, LastScannedAt: cov.LastScannedAt}
	if cfg.Mode == model.ScanContinuous {
		next = pending(cov)
	}
	if next.Reason == cov.Reason {
		return nil
	}
	n.Included++
	if !apply {
		return nil
	}
	if _, err := recordCoverage(ctx, tx, sc, r, next); err != nil {
		return err
	}
	if cfg.Mode != model.ScanContinuous {
		return nil
	}
	payload, err := json.Marshal(api.ScanPayload{ResourceID: r.ID, Reason: reasonIncluded})
	if err != nil {
		return err
	}
	_, created, err := tx.Jobs().Enqueue(ctx, model.Job{Kind: api.KindScan, AccountID: r.AccountID,
		Payload: payload, DedupeKey: "scan:" + string(r.ID), Priority: 10})
	if created {
		n.Queued++
	}
	return err
}

// pending is the coverage of a resource back in coverage whose scan is
// queued: PENDING_REVIVAL_SCAN, or PENDING_INITIAL_SCAN if it was never
// scanned.
func pending(c model.Coverage) model.Coverage {
	next := model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonPendingRevivalScan, LastScannedAt: c.LastScannedAt}
	if c.LastScannedAt.IsZero() {
		next.Reason = model.ReasonPendingInitialScan
	}
	return next
}

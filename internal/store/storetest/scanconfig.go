package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testScanConfig checks the default, a round trip with normalisation, the
// replacement of a stored configuration, validation, scoping and the
// rescan windows.
func testScanConfig(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sa, sb, sc := store.AccountScope(e.a.ID, e.b.ID), store.AccountScope(e.b.ID), store.AccountScope(e.c.ID)
	e.view(t, func(tx store.Tx) error {
		got, err := tx.ScanConfigs(sb).Get(ctx, e.b.ID)
		if diff := cmp.Diff(model.DefaultScanConfig(e.b.ID), got); err != nil || diff != "" {
			t.Errorf("default: %v (-want +got):\n%s", err, diff)
		}
		return nil
	})
	put := model.ScanConfig{
		AccountID:     e.b.ID,
		ResourceTypes: []model.ResourceType{model.ResourceImage, model.ResourceHost, model.ResourceImage},
		Mode:          model.ScanOnDemand,
		IncludeTags:   []model.TagFilter{{Key: "Env", Value: "Prod"}, {Key: "Env", Value: "Prod"}},
		ExcludeTags:   []model.TagFilter{{Key: "Scan", Value: "off"}, {Key: "Legacy"}},
		// ImageRescanDuration empty: LIFETIME.
		UpdatedBy: "tok_1",
	}
	want := model.ScanConfig{
		AccountID:           e.b.ID,
		ResourceTypes:       []model.ResourceType{model.ResourceHost, model.ResourceImage},
		Mode:                model.ScanOnDemand,
		IncludeTags:         []model.TagFilter{{Key: "Env", Value: "Prod"}},
		ExcludeTags:         []model.TagFilter{{Key: "Legacy"}, {Key: "Scan", Value: "off"}},
		ImageRescanDuration: model.RescanLifetime,
		UpdatedAt:           e.clock.Now(),
		UpdatedBy:           "tok_1",
	}
	e.tx(t, func(tx store.Tx) error {
		got, err := tx.ScanConfigs(sa).Put(ctx, put)
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("put: %v (-want +got):\n%s", err, diff)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		got, err := tx.ScanConfigs(sb).Get(ctx, e.b.ID)
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("get after put: %v (-want +got):\n%s", err, diff)
		}
		return nil
	})
	// Replacing: no types at all (an empty list is not the default), a
	// rescan window, no tag filters.
	e.clock.Advance(time.Hour)
	e.tx(t, func(tx store.Tx) error {
		_, err := tx.ScanConfigs(sb).Put(ctx, model.ScanConfig{AccountID: e.b.ID, ResourceTypes: []model.ResourceType{}, ImageRescanDuration: model.RescanDays14})
		return err
	})
	want = model.ScanConfig{AccountID: e.b.ID, ResourceTypes: []model.ResourceType{}, Mode: model.ScanContinuous,
		IncludeTags: []model.TagFilter{}, ExcludeTags: []model.TagFilter{}, ImageRescanDuration: model.RescanDays14, UpdatedAt: e.clock.Now()}
	e.view(t, func(tx store.Tx) error {
		got, err := tx.ScanConfigs(sb).Get(ctx, e.b.ID)
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("get after replace: %v (-want +got):\n%s", err, diff)
		}
		all, err := tx.ScanConfigs(store.SystemScope()).List(ctx)
		if diff := cmp.Diff([]model.ScanConfig{want}, all); err != nil || diff != "" {
			t.Errorf("list: %v (-want +got):\n%s", err, diff)
		}
		none, err := tx.ScanConfigs(sc).List(ctx)
		if err != nil || len(none) != 0 {
			t.Errorf("list of another organisation = %v, %v; want nothing", none, err)
		}
		return nil
	})
	// Invalid values, accounts out of scope, unknown accounts.
	invalid := []model.ScanConfig{
		{AccountID: e.b.ID, ResourceTypes: []model.ResourceType{"VM"}},
		{AccountID: e.b.ID, Mode: "WEEKLY"},
		{AccountID: e.b.ID, ImageRescanDuration: "DAYS_5"},
		{AccountID: e.b.ID, IncludeTags: []model.TagFilter{{Value: "x"}}},
	}
	for _, c := range invalid {
		err := e.s.InTx(ctx, func(tx store.Tx) error { _, err := tx.ScanConfigs(sb).Put(ctx, c); return err })
		var ie *store.InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("put %+v: %v, want *store.InvalidError", c, err)
		}
	}
	err := e.s.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.ScanConfigs(sc).Put(ctx, model.ScanConfig{AccountID: e.b.ID})
		return err
	})
	var se *store.ScopeError
	if !errors.As(err, &se) {
		t.Errorf("put out of scope: %v, want *store.ScopeError", err)
	}
	err = e.s.View(ctx, func(tx store.Tx) error { _, err := tx.ScanConfigs(sc).Get(ctx, e.b.ID); return err })
	if !errors.As(err, &se) {
		t.Errorf("get out of scope: %v, want *store.ScopeError", err)
	}
	err = e.s.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.ScanConfigs(store.SystemScope()).Put(ctx, model.ScanConfig{AccountID: "acct_missing"})
		return err
	})
	var nf *store.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("put for an unknown account: %v, want *store.NotFoundError", err)
	}
	testEligibility(t, e)
}

// testEligibility checks the rescan windows (set, replaced, scoped, gone
// with their resource) and the coverage compare-and-swap.
func testEligibility(t *testing.T, e *env) {
	ctx := context.Background()
	sb, sc := store.AccountScope(e.b.ID), store.AccountScope(e.c.ID)
	var img, other model.Resource
	t0 := e.clock.Now()
	e.tx(t, func(tx store.Tx) error {
		var err error
		if img, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceImage, Name: "registry.example/app:1"}); err != nil {
			return err
		}
		if other, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceImage, Name: "registry.example/app:2"}); err != nil {
			return err
		}
		if err := tx.ScanConfigs(sb).SetEligibleSince(ctx, img.ID, t0); err != nil {
			return err
		}
		if err := tx.ScanConfigs(sb).SetEligibleSince(ctx, img.ID, t0.Add(time.Hour)); err != nil {
			return err
		}
		var nf *store.NotFoundError
		if err := tx.ScanConfigs(sc).SetEligibleSince(ctx, other.ID, t0); !errors.As(err, &nf) {
			t.Errorf("set out of scope: %v, want *store.NotFoundError", err)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		got, err := tx.ScanConfigs(sb).EligibleSince(ctx, []model.ResourceID{img.ID, other.ID, "res_missing"})
		if diff := cmp.Diff(map[model.ResourceID]time.Time{img.ID: t0.Add(time.Hour)}, got); err != nil || diff != "" {
			t.Errorf("EligibleSince: %v (-want +got):\n%s", err, diff)
		}
		got, err = tx.ScanConfigs(sc).EligibleSince(ctx, []model.ResourceID{img.ID})
		if err != nil || len(got) != 0 {
			t.Errorf("EligibleSince out of scope = %v, %v; want nothing", got, err)
		}
		return nil
	})
	// Coverage compare-and-swap.
	pendingCov := model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonPendingInitialScan}
	excluded := model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonExcludedByTag}
	e.tx(t, func(tx store.Tx) error {
		cs := tx.ScanConfigs(sb)
		if ok, err := cs.SwapCoverage(ctx, other.ID, pendingCov, excluded); err != nil || !ok {
			t.Errorf("swap from the stored coverage = %v, %v; want done", ok, err)
		}
		if ok, err := cs.SwapCoverage(ctx, other.ID, pendingCov, model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful}); err != nil || ok {
			t.Errorf("swap from a stale coverage = %v, %v; want not done", ok, err)
		}
		got, err := tx.Resources(sb).Get(ctx, other.ID)
		if err != nil || got.Coverage != excluded {
			t.Errorf("coverage after the swaps = %+v, %v; want %+v", got.Coverage, err, excluded)
		}
		var nf *store.NotFoundError
		if _, err := tx.ScanConfigs(sc).SwapCoverage(ctx, other.ID, excluded, pendingCov); !errors.As(err, &nf) {
			t.Errorf("swap out of scope: %v, want *store.NotFoundError", err)
		}
		var ie *store.InvalidError
		if _, err := cs.SwapCoverage(ctx, other.ID, excluded, model.Coverage{Status: "MAYBE"}); !errors.As(err, &ie) {
			t.Errorf("swap to an unknown status: %v, want *store.InvalidError", err)
		}
		return nil
	})
	e.tx(t, func(tx store.Tx) error { return tx.Resources(sb).Delete(ctx, img.ID) })
	e.view(t, func(tx store.Tx) error {
		got, err := tx.ScanConfigs(store.SystemScope()).EligibleSince(ctx, []model.ResourceID{img.ID})
		if err != nil || len(got) != 0 {
			t.Errorf("EligibleSince of a deleted resource = %v, %v; want nothing", got, err)
		}
		return nil
	})
}

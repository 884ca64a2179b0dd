package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// TestRematchSkipsExcluded: a resource the account's scan configuration
// leaves out (excluded by tag, type disabled, eligibility expired,
// on-demand) is not assessed by the rematch that follows an advisory
// update, whether the rematch goes by touched packages or by whole
// inventories; the covered resource beside it is.
func TestRematchSkipsExcluded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const npm = npmFeed
	const lodashCVE = "CVE-2021-23337"
	_, db, _ := advisoriesWithoutLodash(t, dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := New(ctx, Config{DataDir: filepath.Join(dir, "data"), AdvisoryDir: filepath.Join(dir, "advisories"), Workers: -1, NoBootstrap: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	reasons := []model.CoverageReason{model.ReasonSuccessful, model.ReasonExcludedByTag, model.ReasonScanTypeDisabled,
		model.ReasonScanEligibilityExpired, model.ReasonScanFrequencyManual}
	var refs []store.ResourceRef
	names := map[model.ResourceID]model.CoverageReason{}
	err = a.store.InTx(ctx, func(tx store.Tx) error {
		org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "o")
		if err != nil {
			return err
		}
		acct, err := tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "a", DelegatedAdmin: true})
		if err != nil {
			return err
		}
		sc := store.AccountScope(acct.ID)
		for _, r := range reasons {
			res, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: "host-" + string(r)})
			if err != nil {
				return err
			}
			inv := &model.Inventory{Target: model.Target{Name: res.Name}, Packages: []model.Package{
				{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15", Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"},
			}}
			if _, err := tx.Inventories(sc).Save(ctx, res.ID, inv); err != nil {
				return err
			}
			status := model.CoverageInactive
			if r == model.ReasonSuccessful {
				status = model.CoverageActive
			}
			if _, err := tx.Resources(sc).SetCoverage(ctx, res.ID, model.Coverage{Status: status, Reason: r}); err != nil {
				return err
			}
			refs = append(refs, store.ResourceRef{AccountID: acct.ID, ResourceID: res.ID})
			names[res.ID] = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	upd, err := db.Import(ctx, npm, advisory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var prs []store.PackageRef
	for _, p := range upd.Diff.Packages {
		prs = append(prs, store.PackageRef{Ecosystem: p.Ecosystem, Name: p.Name})
	}
	lodashHosts := func() []model.CoverageReason {
		var out []model.CoverageReason
		for _, ref := range refs {
			err := a.store.View(ctx, func(tx store.Tx) error {
				f := model.FindingFilter{
					ResourceID:      []model.StringFilter{{Comparison: model.CompareEquals, Value: string(ref.ResourceID)}},
					VulnerabilityID: []model.StringFilter{{Comparison: model.CompareEquals, Value: lodashCVE}},
				}
				fs, _, err := tx.Findings(store.AccountScope(ref.AccountID)).List(ctx, f, store.FindingSort{}, "", 10)
				if err != nil {
					return err
				}
				if len(fs) > 0 {
					out = append(out, names[ref.ResourceID])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	want := []model.CoverageReason{model.ReasonSuccessful}
	if _, err := a.rematchPackages(ctx, prs, upd.Snapshot); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, lodashHosts()); diff != "" {
		t.Errorf("hosts with the lodash finding after a package rematch (-want +got):\n%s", diff)
	}
	if err := a.rematch(ctx, refs, upd.Snapshot); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, lodashHosts()); diff != "" {
		t.Errorf("hosts with the lodash finding after a whole rematch (-want +got):\n%s", diff)
	}
}

package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// TestRematchPackagesEqualsWhole stores the same realistic host mixes in
// two servers, applies an advisory update touching lodash, and rematches
// one server by the touched packages only and the other by whole
// inventories: every finding of every host must end the same (status and
// content), and the package rematch must leave the findings of other
// packages on the old snapshot.
func TestRematchPackagesEqualsWhole(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const npm = npmFeed
	adv, db, _ := advisoriesWithoutLodash(t, dir, testdataDir+"/osv/PyPI/all.zip", testdataDir+"/osv/Go/all.zip", testdataDir+"/kev/known_exploited_vulnerabilities.json")
	mix := newHostMix(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	apps := make([]*App, 2)
	for i := range apps {
		a, err := New(ctx, Config{DataDir: filepath.Join(dir, "data", string(rune('a'+i))), AdvisoryDir: adv, Workers: -1, NoBootstrap: true, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		apps[i] = a
	}
	const hosts = 8
	refs := make([][]store.ResourceRef, 2)
	for i, a := range apps {
		err := a.store.InTx(ctx, func(tx store.Tx) error {
			org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "o")
			if err != nil {
				return err
			}
			acct, err := tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "a", DelegatedAdmin: true})
			if err != nil {
				return err
			}
			sc := store.AccountScope(acct.ID)
			for h := range hosts {
				inv := mix.host(h)
				res, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: inv.Target.Name})
				if err != nil {
					return err
				}
				if _, err := tx.Inventories(sc).Save(ctx, res.ID, inv); err != nil {
					return err
				}
				refs[i] = append(refs[i], store.ResourceRef{AccountID: acct.ID, ResourceID: res.ID})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.rematch(ctx, refs[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	before := findingsByHost(t, apps[0])
	res, err := db.Import(ctx, npm, advisory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var prs []store.PackageRef
	for _, p := range res.Diff.Packages {
		prs = append(prs, store.PackageRef{Ecosystem: p.Ecosystem, Name: p.Name})
	}
	if len(prs) == 0 {
		t.Fatal("the update touched no package")
	}
	n, err := apps[0].rematchPackages(ctx, prs, res.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if n != hosts {
		t.Errorf("package rematch touched %d inventories, want %d (every host holds lodash)", n, hosts)
	}
	if err := apps[1].rematch(ctx, refs[1], res.Snapshot); err != nil {
		t.Fatal(err)
	}
	byPkg, whole := findingsByHost(t, apps[0]), findingsByHost(t, apps[1])
	if diff := cmp.Diff(whole, byPkg, cmpopts.IgnoreFields(hostFinding{}, "Snapshot")); diff != "" {
		t.Errorf("findings after the package rematch differ from a whole rematch (-whole +packages):\n%s", diff)
	}
	changed := 0
	for k, f := range byPkg {
		if f.Snapshot == res.Snapshot {
			changed++
			continue
		}
		if b, ok := before[k]; !ok || b.Snapshot != f.Snapshot {
			t.Errorf("%v: snapshot %s, before %+v", k, f.Snapshot, b)
		}
	}
	if changed == 0 || changed == len(byPkg) {
		t.Errorf("%d of %d findings rematched: want the lodash ones only", changed, len(byPkg))
	}
}

type hostFindingKey struct{ Host, Check, Pkg string }

type hostFinding struct {
	Status   model.FindingStatus
	Content  string
	Snapshot string
}

// findingsByHost returns every finding of a, keyed by host name, check
// and package, with its status and its content without ids and without
// the snapshot its evidence was last evaluated in.
func findingsByHost(t *testing.T, a *App) map[hostFindingKey]hostFinding {
	t.Helper()
	out := map[hostFindingKey]hostFinding{}
	err := a.store.View(context.Background(), func(tx store.Tx) error {
		rs, err := tx.Resources(store.SystemScope()).List(context.Background(), store.ResourceFilter{Limit: 1000})
		if err != nil {
			return err
		}
		for _, r := range rs {
			fs, err := tx.Findings(store.SystemScope()).ForResource(context.Background(), r.ID)
			if err != nil {
				return err
			}
			for _, f := range fs {
				p := f.FirstPackage()
				k := hostFindingKey{r.Name, f.CheckID, p.Name + "@" + p.Version + " " + p.FilePath}
				snap := f.SnapshotID
				f.ID, f.AccountID, f.Resource.ID = "", "", ""
				for i := range f.Package.Evidence {
					f.Package.Evidence[i].Snapshot = "" // which snapshot last evaluated it
				}
				out[k] = hostFinding{Status: f.Status, Content: string(f.ContentJSON()), Snapshot: snap}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

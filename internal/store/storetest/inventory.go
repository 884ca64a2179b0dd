package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testdataDir finds ../shared/testdata beside the module root.
func testdataDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("VIGIL_TESTDATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// SampleInventory returns the inventory of a real Ubuntu 18.04 dpkg status
// file, qualified as Ubuntu, with one PyPI package added.
func SampleInventory(tb testing.TB) *model.Inventory {
	tb.Helper()
	path := filepath.Join(testdataDir(tb), "pkgdb", "dpkg", "status", "ubuntu-18.04-base.status")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	lim := extract.DefaultLimits()
	pkgs, err := dpkg.New().Extract(context.Background(), &extract.Input{
		FileInfo: extract.FileInfo{Path: dpkg.StatusPath, Size: fi.Size(), Mode: fi.Mode()},
		Reader:   f, ReaderAt: f, Limits: &lim,
	})
	if err != nil {
		tb.Fatal(err)
	}
	osInfo := &model.OS{ID: "ubuntu", VersionID: "18.04", Codename: "bionic", Ecosystem: model.EcosystemUbuntu, Release: "18.04:LTS", PrettyName: "Ubuntu 18.04.6 LTS"}
	for i := range pkgs {
		pkgs[i].Path = dpkg.StatusPath
		dpkg.Qualify(&pkgs[i], osInfo)
	}
	pkgs = append(pkgs, model.Package{Ecosystem: model.EcosystemPyPI, Name: "Zope.Interface", Version: "5.4.0",
		PURL: "pkg:pypi/zope-interface@5.4.0", Manager: model.ManagerPip, Path: "/usr/lib/python3/dist-packages/zope.interface-5.4.0.dist-info/METADATA"})
	return &model.Inventory{
		Target:    model.Target{Kind: model.TargetHost, Name: "web-1"},
		OS:        osInfo,
		Packages:  pkgs,
		IndexedAt: time.Date(2026, 2, 28, 10, 0, 0, 123456000, time.UTC),
	}
}

func sampleInventory(tb testing.TB) *model.Inventory { return SampleInventory(tb) }

func testInventory(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	inv := sampleInventory(t)
	if len(inv.Packages) < 50 {
		t.Fatalf("sample inventory has %d packages", len(inv.Packages))
	}
	var res model.Resource
	e.tx(t, func(tx store.Tx) error {
		var err error
		if res, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-1"}); err != nil {
			return err
		}
		r, err := tx.Inventories(sb).Save(ctx, res.ID, inv)
		if err != nil {
			return err
		}
		if !r.Changed || r.Info.Packages != len(inv.Packages) || r.Info.Hash == "" || r.Info.Bytes == 0 {
			t.Errorf("first save = %+v", r)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		got, info, err := tx.Inventories(sb).Load(ctx, res.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(inv, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		if info.AccountID != e.b.ID || info.ResourceID != res.ID || !info.IndexedAt.Equal(inv.IndexedAt) {
			t.Errorf("info = %+v", info)
		}
		t.Logf("%d packages stored in %d bytes", info.Packages, info.Bytes)
		return nil
	})
	// The same content indexed later is not a change; a new package is.
	again := *inv
	again.IndexedAt = inv.IndexedAt.Add(time.Hour)
	e.tx(t, func(tx store.Tx) error {
		r, err := tx.Inventories(sb).Save(ctx, res.ID, &again)
		if err != nil || r.Changed {
			t.Errorf("re-save same content = %+v, %v; want unchanged", r, err)
		}
		again.Packages = append(again.Packages[:len(again.Packages):len(again.Packages)], model.Package{Ecosystem: model.EcosystemNPM, Name: "left-pad", Version: "1.3.0"})
		r, err = tx.Inventories(sb).Save(ctx, res.ID, &again)
		if err != nil || !r.Changed {
			t.Errorf("save with a new package = %+v, %v; want changed", r, err)
		}
		leftPad := []store.PackageRef{{Ecosystem: "npm", Name: "left-pad"}}
		refs, err := tx.Inventories(sb).ResourcesWithPackages(ctx, leftPad)
		if err != nil || len(refs) != 1 {
			t.Errorf("index after change = %v, %v", refs, err)
		}
		// Replaced without it, then with it again: the old rows go.
		if _, err := tx.Inventories(sb).Save(ctx, res.ID, inv); err != nil {
			return err
		}
		if refs, err = tx.Inventories(sb).ResourcesWithPackages(ctx, leftPad); err != nil || len(refs) != 0 {
			t.Errorf("index after the package went = %v, %v", refs, err)
		}
		if _, err := tx.Inventories(sb).Save(ctx, res.ID, &again); err != nil {
			return err
		}
		if refs, err = tx.Inventories(sb).ResourcesWithPackages(ctx, leftPad); err != nil || len(refs) != 1 {
			t.Errorf("index after the package came back = %v, %v", refs, err)
		}

		if err := tx.Inventories(sb).Delete(ctx, res.ID); err != nil {
			return err
		}
		_, _, err = tx.Inventories(sb).Load(ctx, res.ID)
		wantNotFound(t, "Load after Delete", err)
		refs, err = tx.Inventories(sb).ResourcesWithPackages(ctx, leftPad)
		if err != nil || len(refs) != 0 {
			t.Errorf("index after delete = %v, %v", refs, err)
		}
		// Deleting the resource takes its package index rows too.
		if _, err := tx.Inventories(sb).Save(ctx, res.ID, &again); err != nil {
			return err
		}
		if err := tx.Resources(sb).Delete(ctx, res.ID); err != nil {
			return err
		}
		refs, err = tx.Inventories(store.SystemScope()).ResourcesWithPackages(ctx, leftPad)
		if err != nil || len(refs) != 0 {
			t.Errorf("index after the resource's deletion = %v, %v", refs, err)
		}
		return nil
	})
	// Nothing of a replaced or deleted inventory's index is left behind.
	e.count(t, `SELECT COUNT(*) FROM inventory_packages`, 0)
	e.count(t, `SELECT COUNT(*) FROM inventory_held`, 0)
	e.tx(t, func(tx store.Tx) error {
		var err error
		if res, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-2"}); err != nil {
			return err
		}
		if _, err := tx.Inventories(sb).Save(ctx, res.ID, inv); err != nil {
			return err
		}
		_, err = tx.Inventories(sb).Save(ctx, res.ID, &again)
		return err
	})
	x := store.HeldIndexOf(&again)
	e.count(t, `SELECT COUNT(*) FROM inventory_packages`, len(x.Refs))
	e.count(t, `SELECT COUNT(*) FROM inventory_held`, len(x.Chunks))
	// A chunk that cannot be read does not say its rows: replacing its
	// inventory finds them by a scan of the index instead.
	if err := e.be.Exec(ctx, `UPDATE inventory_held SET data = substr(data, 1, 2)`); err != nil {
		t.Fatal(err)
	}
	e.tx(t, func(tx store.Tx) error {
		_, err := tx.Inventories(sb).Save(ctx, res.ID, inv)
		return err
	})
	x = store.HeldIndexOf(inv)
	e.count(t, `SELECT COUNT(*) FROM inventory_packages`, len(x.Refs))
	e.count(t, `SELECT COUNT(*) FROM inventory_held`, len(x.Chunks))
	e.tx(t, func(tx store.Tx) error { return tx.Resources(sb).Delete(ctx, res.ID) })
	e.count(t, `SELECT COUNT(*) FROM inventory_packages`, 0)
	e.count(t, `SELECT COUNT(*) FROM inventory_held`, 0)
}

func testResourcesWithPackages(t *testing.T, nb NewBackend) {
	t.Run("stored before package data", func(t *testing.T) { testHeldUpgrade(t, nb) })
	ctx := context.Background()
	e := setup(t, nb)
	inv := sampleInventory(t)
	small := &model.Inventory{Packages: []model.Package{
		{Ecosystem: model.EcosystemPyPI, Name: "zope_interface", Version: "6.0"},
		{Ecosystem: model.EcosystemDebian, Name: "libc6", SourceName: "glibc", Version: "2.36-9"},
	}}
	ids := map[string]store.ResourceRef{}
	invs := map[store.ResourceRef]*model.Inventory{}
	resOf := map[store.ResourceRef]model.Resource{}
	e.tx(t, func(tx store.Tx) error {
		for _, c := range []struct {
			acct model.AccountID
			name string
			inv  *model.Inventory
		}{{e.a.ID, "a-ubuntu", inv}, {e.b.ID, "b-ubuntu", inv}, {e.b.ID, "b-small", small}, {e.c.ID, "c-small", small}, {e.c.ID, "c-empty", nil}} {
			sc := store.AccountScope(c.acct)
			r, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: c.acct, Type: model.ResourceHost, Name: c.name})
			if err != nil {
				return err
			}
			ids[c.name] = store.ResourceRef{AccountID: c.acct, ResourceID: r.ID}
			invs[ids[c.name]] = c.inv
			resOf[ids[c.name]] = r
			if c.inv != nil {
				if _, err := tx.Inventories(sc).Save(ctx, r.ID, c.inv); err != nil {
					return err
				}
			}
		}
		return nil
	})
	refsOf := func(names ...string) []store.ResourceRef {
		var out []store.ResourceRef
		for _, n := range names {
			out = append(out, ids[n])
		}
		sortRefs(out)
		return out
	}
	tests := []struct {
		name  string
		scope store.Scope
		refs  []store.PackageRef
		want  []store.ResourceRef
	}{
		// Matching looks a Debian-family package up by its source: its
		// binary name finds nothing, since no advisory naming it can
		// change its matches.
		{"binary name", store.SystemScope(), []store.PackageRef{{Ecosystem: "Ubuntu", Name: "libc6"}}, nil},
		{"source name", store.SystemScope(), []store.PackageRef{{Ecosystem: "Ubuntu", Name: "glibc"}}, refsOf("a-ubuntu", "b-ubuntu")},
		{"other ecosystem", store.SystemScope(), []store.PackageRef{{Ecosystem: "Debian", Name: "glibc"}}, refsOf("b-small", "c-small")},
		{"PEP 503 names", store.SystemScope(), []store.PackageRef{{Ecosystem: "PyPI", Name: "ZOPE.interface"}}, refsOf("a-ubuntu", "b-ubuntu", "b-small", "c-small")},
		{"scoped", store.AccountScope(e.b.ID), []store.PackageRef{{Ecosystem: "PyPI", Name: "zope-interface"}}, refsOf("b-ubuntu", "b-small")},
		{"several refs", store.AccountScope(e.c.ID), []store.PackageRef{{Ecosystem: "Ubuntu", Name: "glibc"}, {Ecosystem: "Debian", Name: "glibc"}, {Ecosystem: "npm", Name: "nothing"}}, refsOf("c-small")},
		{"binary and source", store.SystemScope(), []store.PackageRef{{Ecosystem: "Debian", Name: "libc6"}, {Ecosystem: "Debian", Name: "glibc"}}, refsOf("b-small", "c-small")},
		{"absent", store.SystemScope(), []store.PackageRef{{Ecosystem: "Go", Name: "golang.org/x/net"}}, nil},
		{"no refs", store.SystemScope(), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.view(t, func(tx store.Tx) error {
				got, err := tx.Inventories(tc.scope).ResourcesWithPackages(ctx, tc.refs)
				if err != nil {
					return err
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				held, err := tx.Inventories(tc.scope).PackagesHeld(ctx, tc.refs)
				if err != nil {
					return err
				}
				var wantHeld []store.HeldPackages
				for _, ref := range tc.want {
					i := invs[ref]
					wantHeld = append(wantHeld, store.HeldPackages{ResourceRef: ref, Resource: resOf[ref], Target: i.Target, OS: i.OS,
						Packages: packagesNamed(i, tc.refs), Complete: true})
				}
				if diff := cmp.Diff(wantHeld, held); diff != "" {
					t.Errorf("PackagesHeld (-want +got):\n%s", diff)
				}
				// PackagesHeldBy pages: each resource asked for alone, and
				// every other one together with one that holds nothing.
				for i, h := range wantHeld {
					one, err := tx.Inventories(tc.scope).PackagesHeldBy(ctx, tc.refs, []model.ResourceID{h.ResourceID})
					if err != nil {
						return err
					}
					if diff := cmp.Diff(wantHeld[i:i+1], one); diff != "" {
						t.Errorf("PackagesHeldBy %s (-want +got):\n%s", h.ResourceID, diff)
					}
				}
				var odd []model.ResourceID
				var wantOdd []store.HeldPackages
				for i, h := range wantHeld {
					if i%2 == 1 {
						odd = append(odd, h.ResourceID)
						wantOdd = append(wantOdd, h)
					}
				}
				odd = append(odd, "res-holds-nothing")
				some, err := tx.Inventories(tc.scope).PackagesHeldBy(ctx, tc.refs, odd)
				if err != nil {
					return err
				}
				if diff := cmp.Diff(wantOdd, some); diff != "" {
					t.Errorf("PackagesHeldBy every other one (-want +got):\n%s", diff)
				}
				return nil
			})
		})
	}
	// Rematched moves the last scan time of the resources in scope only,
	// keeping their coverage status and reason.
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	e.tx(t, func(tx store.Tx) error {
		return tx.Inventories(store.AccountScope(e.b.ID)).Rematched(ctx, []model.ResourceID{ids["b-small"].ResourceID, ids["c-small"].ResourceID}, at)
	})
	e.view(t, func(tx store.Tx) error {
		for name, want := range map[string]time.Time{"b-small": at, "c-small": resOf[ids["c-small"]].Coverage.LastScannedAt} {
			r, err := tx.Resources(store.SystemScope()).Get(ctx, ids[name].ResourceID)
			if err != nil {
				return err
			}
			old := resOf[ids[name]].Coverage
			if !r.Coverage.LastScannedAt.Equal(want) || r.Coverage.Status != old.Status || r.Coverage.Reason != old.Reason {
				t.Errorf("%s after Rematched: coverage %+v, want %+v scanned at %v", name, r.Coverage, old, want)
			}
		}
		return nil
	})
	// Many refs at once (more than one statement's worth).
	var many []store.PackageRef
	for i := range 2000 {
		many = append(many, store.PackageRef{Ecosystem: "npm", Name: "pkg-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))})
	}
	many = append(many, store.PackageRef{Ecosystem: "Debian", Name: "glibc"})
	e.view(t, func(tx store.Tx) error {
		got, err := tx.Inventories(store.SystemScope()).ResourcesWithPackages(ctx, many)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(refsOf("b-small", "c-small"), got); diff != "" {
			t.Errorf("many refs (-want +got):\n%s", diff)
		}
		return nil
	})
}

// packagesNamed returns the packages of inv that refs name by the name
// matching looks them up by (match.LookupName), in inventory order,
// without what the package index does not keep: what PackagesHeld must
// return.
func packagesNamed(inv *model.Inventory, refs []store.PackageRef) []model.Package {
	want := map[store.PackageRef]bool{}
	for _, r := range refs {
		want[store.PackageRef{Ecosystem: r.Ecosystem, Name: store.NormalizeName(r.Ecosystem, r.Name)}] = true
	}
	var out []model.Package
	for _, p := range inv.Packages {
		eco := string(p.Ecosystem)
		if want[store.PackageRef{Ecosystem: eco, Name: store.NormalizeName(eco, match.LookupName(&p))}] {
			p.Extractor, p.Licenses, p.Dev = "", nil, false // not kept by the package index
			out = append(out, p)
		}
	}
	return out
}

// testHeldUpgrade checks an inventory stored before its package data was
// kept (as a database migrated to schema 6 has them): PackagesHeld says it
// is incomplete, and saving the same content again completes it.
func testHeldUpgrade(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	b := nb(t)
	s, err := b.Open(ctx, store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inv := sampleInventory(t)
	var ref store.ResourceRef
	err = s.InTx(ctx, func(tx store.Tx) error {
		accts := tx.Accounts(store.SystemScope())
		org, err := accts.CreateOrganization(ctx, "o")
		if err != nil {
			return err
		}
		a, err := accts.Create(ctx, model.Account{Org: org.ID, Name: "a"})
		if err != nil {
			return err
		}
		sc := store.AccountScope(a.ID)
		r, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: a.ID, Type: model.ResourceHost, Name: "old"})
		if err != nil {
			return err
		}
		ref = store.ResourceRef{AccountID: a.ID, ResourceID: r.ID}
		_, err = tx.Inventories(sc).Save(ctx, r.ID, inv)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Exec(ctx, `UPDATE inventory_packages SET packages = NULL, part = NULL`); err != nil {
		t.Fatal(err)
	}
	if err := b.Exec(ctx, `DELETE FROM inventory_held`); err != nil {
		t.Fatal(err)
	}
	if err := b.Exec(ctx, `DELETE FROM inventory_heads`); err != nil {
		t.Fatal(err)
	}
	refs := []store.PackageRef{{Ecosystem: "Ubuntu", Name: "glibc"}}
	held := func() []store.HeldPackages {
		var out []store.HeldPackages
		err := s.View(ctx, func(tx store.Tx) error {
			var err error
			out, err = tx.Inventories(store.SystemScope()).PackagesHeld(ctx, refs)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := held(); len(got) != 1 || got[0].Complete || got[0].Packages != nil || got[0].ResourceRef != ref {
		t.Errorf("before the data is kept: %+v, want one incomplete entry for %v", got, ref)
	}
	err = s.InTx(ctx, func(tx store.Tx) error {
		r, err := tx.Inventories(store.AccountScope(ref.AccountID)).Save(ctx, ref.ResourceID, inv)
		if err == nil && r.Changed {
			t.Error("the same content saved again counts as a change")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := held()
	if len(got) != 1 || !got[0].Complete {
		t.Fatalf("after saving again: %+v, want one complete entry", got)
	}
	if diff := cmp.Diff(packagesNamed(inv, refs), got[0].Packages); diff != "" {
		t.Errorf("packages after saving again (-want +got):\n%s", diff)
	}
}

// count checks that q, a raw query whose one row is one integer, gives
// want (outside any transaction): what the store's API does not show,
// such as rows left behind.
func (e *env) count(t *testing.T, q string, want int) {
	t.Helper()
	n, err := e.be.QueryInt(context.Background(), q)
	if err != nil || int(n) != want {
		t.Errorf("%s = %d, %v; want %d", q, n, err, want)
	}
}

package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// heldOf assembles what the package index rows of inv (all of them, or
// those of the given refs) and its head say: what a rematch reads.
func heldOf(t *testing.T, inv *model.Inventory, only ...store.PackageRef) store.HeldPackages {
	t.Helper()
	head, err := store.EncodeHead(inv)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := store.HeldRefs(inv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.NewHeldBuilder(store.ResourceRef{AccountID: "a", ResourceID: "r"}, head)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(only) > 0 && !contains(only, r.PackageRef) {
			continue
		}
		if err := b.Add(r.Ecosystem, r.Name, r.Packages); err != nil {
			t.Fatal(err)
		}
	}
	return b.Done()
}

func contains(refs []store.PackageRef, r store.PackageRef) bool {
	for _, x := range refs {
		if x == r {
			return true
		}
	}
	return false
}

// TestHeldRoundTrip checks that the package index rows, which leave out
// what the row or the inventory's head says (the row's own name, the
// most common manager and path), give back every package as matching
// reads it: the name as the inventory had it, the exceptions to the
// defaults, binary packages under their source's row.
func TestHeldRoundTrip(t *testing.T) {
	inv := &model.Inventory{
		Target: model.Target{Kind: model.TargetFS, Name: "/srv"},
		OS:     &model.OS{ID: "debian", Ecosystem: "Debian", Release: "12"},
		Packages: []model.Package{
			{Ecosystem: "Debian", Name: "libssl3", Version: "3.0.11-1", SourceName: "openssl", SourceVersion: "3.0.11-1", Arch: "amd64",
				PURL: "pkg:deb/debian/libssl3@3.0.11-1", Manager: "DPKG", Path: "/var/lib/dpkg/status", Extractor: "dpkg", Licenses: []string{"Apache-2.0"}},
			{Ecosystem: "Debian", Name: "openssl", Version: "3.0.11-1", Manager: "DPKG", Path: "/var/lib/dpkg/status"},
			{Ecosystem: "Debian", Name: "zlib1g", Version: "1:1.2.13", SourceName: "zlib", Manager: "DPKG", Path: "/var/lib/dpkg/status"},
			{Ecosystem: "PyPI", Name: "Flask", Version: "2.0.1", Manager: "PIP", Path: "/srv/app/requirements.txt", Layer: "sha256:l2"},
			{Ecosystem: "npm", Name: "lodash", Version: "4.17.20", Manager: "NPM", Path: "", OwnedBy: "app"},
			{Ecosystem: "", Name: "no-ecosystem", Version: "1"},
		},
	}
	got := heldOf(t, inv)
	want := store.HeldPackages{ResourceRef: store.ResourceRef{AccountID: "a", ResourceID: "r"}, Target: inv.Target, OS: inv.OS, Complete: true}
	for _, p := range inv.Packages[:5] {
		p.Extractor, p.Licenses = "", nil
		want.Packages = append(want.Packages, p)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("all rows (-want +got):\n%s", diff)
	}
	// The source's row alone names the binary package too.
	src := heldOf(t, inv, store.PackageRef{Ecosystem: "Debian", Name: "zlib"})
	if len(src.Packages) != 1 || src.Packages[0].Name != "zlib1g" || src.Packages[0].Path != "/var/lib/dpkg/status" {
		t.Errorf("zlib's row: %+v", src.Packages)
	}
	// PyPI rows are keyed by the normalised name; the package keeps its own.
	py := heldOf(t, inv, store.PackageRef{Ecosystem: "PyPI", Name: "flask"})
	if len(py.Packages) != 1 || py.Packages[0].Name != "Flask" || py.Packages[0].Manager != "PIP" {
		t.Errorf("flask's row: %+v", py.Packages)
	}
}

// TestHeldOldRows checks that rows written before the compact form (every
// field present, empty ones left out) still decode, even beside a head
// written since (an unchanged inventory pushed again rewrites its head,
// not its rows): the head's defaults apply to compact rows only.
func TestHeldOldRows(t *testing.T) {
	for _, head := range []string{`j{"target":{"kind":"fs","name":"/"}}`, `j{"target":{"kind":"fs","name":"/"},"dm":"NPM","dp":"/package-lock.json"}`} {
		b, err := store.NewHeldBuilder(store.ResourceRef{AccountID: "a", ResourceID: "r"}, []byte(head))
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]string{
			"accepts": `j[{"i":0,"n":"accepts","v":"1.3.8","u":"pkg:npm/accepts@1.3.8","m":"NPM","p":"/package-lock.json"}]`,
			"bare":    `j[{"i":1,"n":"bare","v":"1.0.0"}]`,
		}
		for name, row := range rows {
			if err := b.Add("npm", name, []byte(row)); err != nil {
				t.Fatal(err)
			}
		}
		want := []model.Package{
			{Ecosystem: "npm", Name: "accepts", Version: "1.3.8", PURL: "pkg:npm/accepts@1.3.8", Manager: "NPM", Path: "/package-lock.json"},
			{Ecosystem: "npm", Name: "bare", Version: "1.0.0"},
		}
		if diff := cmp.Diff(want, b.Done().Packages); diff != "" {
			t.Errorf("old rows with head %s (-want +got):\n%s", head, diff)
		}
	}
}

// FuzzHeldBuilder feeds arbitrary heads and rows (stored data, which a
// damaged database may hold): an error, never a panic.
func FuzzHeldBuilder(f *testing.F) {
	f.Add([]byte(`j{"target":{"kind":"fs","name":"/"},"dm":"NPM","dp":"/p"}`), []byte(`k[{"i":0,"v":"1"},{"i":1,"n":"x","v":"2","m":"PIP","p":""}]`))
	f.Add([]byte(`j{"target":{"kind":"fs","name":"/"}}`), []byte(`j[{"i":0,"n":"a","v":"1"}]`))
	f.Add([]byte(`s`), []byte(`s\x00`))
	f.Add([]byte{}, []byte(`j[{"i":-1}]`))
	f.Fuzz(func(t *testing.T, head, row []byte) {
		b, err := store.NewHeldBuilder(store.ResourceRef{AccountID: "a", ResourceID: "r"}, head)
		if err != nil {
			return
		}
		if b.Add("npm", "pkg", row) == nil {
			_ = b.Done()
		}
	})
}

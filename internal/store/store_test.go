package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "Zope.Interface", "zope-interface"},
		{"PyPI", "foo__bar--baz", "foo-bar-baz"},
		{"PyPI", "requests", "requests"},
		{"crates.io", "Serde_JSON", "serde-json"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
		{"Packagist", "Symfony/Console", "symfony/console"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"Debian", "libc6", "libc6"},
		{"Maven", "org.Apache:Foo", "org.Apache:Foo"},
	}
	for _, tc := range tests {
		if got := store.NormalizeName(tc.eco, tc.in); got != tc.want {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", tc.eco, tc.in, got, tc.want)
		}
	}
}

func TestPackageRefs(t *testing.T) {
	inv := &model.Inventory{Packages: []model.Package{
		{Ecosystem: "Debian", Name: "libssl3", SourceName: "openssl"},
		{Ecosystem: "Debian", Name: "openssl", SourceName: "openssl"},
		{Ecosystem: "PyPI", Name: "Foo_Bar"},
		{Ecosystem: "PyPI", Name: "foo.bar"},
		{Ecosystem: "", Name: "nameless-ecosystem"},
	}}
	want := []store.PackageRef{
		{Ecosystem: "Debian", Name: "libssl3"},
		{Ecosystem: "Debian", Name: "openssl"},
		{Ecosystem: "PyPI", Name: "foo-bar"},
	}
	if diff := cmp.Diff(want, store.PackageRefs(inv)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestInventoryCodec(t *testing.T) {
	inv := &model.Inventory{
		Target:    model.Target{Kind: model.TargetImage, Name: "alpine:3.19", Digest: "sha256:abc"},
		OS:        &model.OS{ID: "alpine", Ecosystem: model.EcosystemAlpine, Release: "v3.19"},
		Packages:  []model.Package{{Ecosystem: "Alpine", Name: "musl", Version: "1.2.4-r2", Layer: "sha256:l1"}},
		IndexedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	data, hash, err := store.EncodeInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.DecodeInventory(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(inv, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	later := *inv
	later.IndexedAt = later.IndexedAt.Add(time.Hour)
	if _, h2, _ := store.EncodeInventory(&later); h2 != hash {
		t.Error("IndexedAt changed the hash")
	}
	changed := *inv
	changed.Packages = []model.Package{{Ecosystem: "Alpine", Name: "musl", Version: "1.2.4-r3"}}
	if _, h3, _ := store.EncodeInventory(&changed); h3 == hash {
		t.Error("a new version kept the hash")
	}
	if _, err := store.DecodeInventory([]byte("not zstd")); err == nil {
		t.Error("garbage decoded")
	}
}

func TestScope(t *testing.T) {
	var zero store.Scope
	if !zero.Empty() || zero.Allows("a") || zero.Allows("") {
		t.Error("zero scope sees something")
	}
	s := store.AccountScope("b", "a", "b")
	if diff := cmp.Diff([]model.AccountID{"a", "b"}, s.Accounts()); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if !s.Allows("a") || s.Allows("c") || s.All() {
		t.Error("account scope")
	}
	if sys := store.SystemScope(); !sys.All() || !sys.Allows("anything") || sys.Empty() {
		t.Error("system scope")
	}
}

func BenchmarkEncodeInventory(b *testing.B) {
	inv := &model.Inventory{}
	for i := range 500 {
		inv.Packages = append(inv.Packages, model.Package{Ecosystem: "Debian", Name: "pkg" + string(rune('a'+i%26)), Version: "1.0-1", PURL: "pkg:deb/debian/x@1.0-1", Path: "/var/lib/dpkg/status", Manager: model.ManagerOS})
	}
	for b.Loop() {
		if _, _, err := store.EncodeInventory(inv); err != nil {
			b.Fatal(err)
		}
	}
}

package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/jsonx/jsonxtest"
	"github.com/vigilsec/vigil/internal/model"
)

// TestHeldEncoder checks that heldEncoder writes what encodeHeld (JSON by
// Marshal) writes for package lists filled at random, small (raw) and
// large (compressed), each result intact after the ones after it.
func TestHeldEncoder(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var e heldEncoder
	type pair struct{ got, want []byte }
	var all []pair
	for i := range 3000 {
		ps := make([]heldPackage, r.IntN(12))
		for j := range ps {
			jsonxtest.Fill(r, &ps[j])
			if r.IntN(10) == 0 {
				ps[j].PURL = strings.Repeat("pkg:deb/debian/x?", 50) // large: compressed
			}
		}
		want, err := encodeHeld(ps, heldCompactRaw, heldCompactS2)
		if err != nil {
			t.Fatal(err)
		}
		got := e.encode(ps, true)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("list %d: heldEncoder and encodeHeld differ:\n%s", i, diff)
		}
		all = append(all, pair{got, want})
	}
	for i, p := range all {
		if string(p.got) != string(p.want) {
			t.Fatalf("list %d changed after later lists were encoded", i)
		}
	}
}

// benchInventory is the inventory of the package index benchmarks: 300
// Debian packages of 30 sources.
func benchInventory() *model.Inventory {
	inv := &model.Inventory{}
	for i := range 300 {
		name := fmt.Sprintf("lib%03d", i)
		inv.Packages = append(inv.Packages, model.Package{Ecosystem: "Debian", Name: name, Version: "1.0-1", SourceName: "src" + name[3:5],
			PURL: "pkg:deb/debian/" + name + "@1.0-1?arch=amd64", Arch: "amd64", Path: "/var/lib/dpkg/status", Manager: model.ManagerOS})
	}
	return inv
}

func BenchmarkHeldRefs(b *testing.B) {
	inv := benchInventory()
	for b.Loop() {
		if _, err := HeldRefs(inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeldIndexOf measures what a scan builds of its inventory's
// package index with the match (rows, and chunks S2-compressed), on the
// same 300 packages as BenchmarkHeldRefs.
func BenchmarkHeldIndexOf(b *testing.B) {
	inv := benchInventory()
	b.ReportAllocs()
	for b.Loop() {
		if x := HeldIndexOf(inv); len(x.Chunks) == 0 {
			b.Fatal("no chunks")
		}
	}
}

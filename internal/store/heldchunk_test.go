package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

// heldOfChunks assembles what the chunked package index of inv
// (HeldIndexOf) says, each row's packages looked up in its chunk as a
// rematch reads them.
func heldOfChunks(t *testing.T, inv *model.Inventory) store.HeldPackages {
	t.Helper()
	head, err := store.EncodeHead(inv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.NewHeldBuilder(store.ResourceRef{AccountID: "a", ResourceID: "r"}, head)
	if err != nil {
		t.Fatal(err)
	}
	x := store.HeldIndexOf(inv)
	if len(x.Parts) != len(x.Refs) || len(x.Chunks) > store.MaxHeldChunks {
		t.Fatalf("%d refs, %d parts, %d chunks", len(x.Refs), len(x.Parts), len(x.Chunks))
	}
	for i, r := range x.Refs {
		if x.Parts[i] < 0 || x.Parts[i] >= len(x.Chunks) {
			t.Fatalf("ref %v in chunk %d of %d", r, x.Parts[i], len(x.Chunks))
		}
		pkgs, err := store.ChunkPackages(x.Chunks[x.Parts[i]], r.Ecosystem, r.Name)
		if err != nil || pkgs == nil {
			t.Fatalf("ChunkPackages(%v) = %q, %v", r, pkgs, err)
		}
		if err := b.Add(r.Ecosystem, r.Name, pkgs); err != nil {
			t.Fatal(err)
		}
	}
	return b.Done()
}

// TestHeldIndexAsRows checks that the chunks give back, row by row, what
// the self-contained rows (HeldRefs) give: a real Ubuntu inventory, and
// one with more package names than MaxHeldChunks chunks of the usual
// size hold.
func TestHeldIndexAsRows(t *testing.T) {
	big := &model.Inventory{Target: model.Target{Kind: model.TargetFS, Name: "/srv"}}
	for i := range 20000 {
		big.Packages = append(big.Packages, model.Package{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%05d", i), Version: "1.0.0",
			PURL: fmt.Sprintf("pkg:npm/pkg-%05d@1.0.0", i), Manager: "NPM", Path: "/srv/package-lock.json"})
	}
	for name, inv := range map[string]*model.Inventory{"ubuntu": storetest.SampleInventory(t), "20000 names": big} {
		t.Run(name, func(t *testing.T) {
			want := heldOf(t, inv)
			if !want.Complete || len(want.Packages) == 0 {
				t.Fatalf("rows give %d packages, complete %v", len(want.Packages), want.Complete)
			}
			if diff := cmp.Diff(want, heldOfChunks(t, inv)); diff != "" {
				t.Errorf("chunks and rows differ (-rows +chunks):\n%s", diff)
			}
		})
	}
}

// TestChunkPackagesMissing checks that a chunk without the row asked
// for says so with nil, not an error.
func TestChunkPackagesMissing(t *testing.T) {
	x := store.HeldIndexOf(storetest.SampleInventory(t))
	got, err := store.ChunkPackages(x.Chunks[0], "Ubuntu", "no-such-package")
	if got != nil || err != nil {
		t.Errorf("ChunkPackages = %q, %v; want nil, nil", got, err)
	}
}

func TestChunkPackagesErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chunk []byte
	}{
		{"empty", nil},
		{"unknown form", []byte("q\x01a")},
		{"truncated length", []byte("c\x80")},
		{"entry past the end", []byte("c\x05ab")},
		{"second entry missing", []byte("c\x03npm")},
		{"bad compression", []byte("x\x10\x00junk")},
		{"compressed, over the bound", []byte{'x', 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"compressed, cut short", append([]byte{'x'}, s2.Encode(nil, make([]byte, 4096))...)[:6]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ce *store.ChunkError
			if _, err := store.ChunkPackages(tc.chunk, "npm", "a"); !errors.As(err, &ce) {
				t.Errorf("ChunkPackages(%q) error = %v; want a *ChunkError", tc.chunk, err)
			}
		})
	}
}

// FuzzChunkPackages reads any bytes as a chunk: an error or a slice of
// them, never a panic.
func FuzzChunkPackages(f *testing.F) {
	f.Add([]byte("c\x03npm\x01a\x02k[]"), "npm", "a")
	x := store.HeldIndexOf(&model.Inventory{Packages: []model.Package{{Ecosystem: "npm", Name: "a", Version: "1"}}})
	f.Add(x.Chunks[0], "npm", "a")
	f.Fuzz(func(t *testing.T, chunk []byte, eco, name string) {
		got, err := store.ChunkPackages(chunk, eco, name)
		if err != nil && got != nil {
			t.Fatalf("ChunkPackages = %q and error %v", got, err)
		}
	})
}

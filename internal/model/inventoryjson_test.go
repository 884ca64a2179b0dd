package model

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/jsonx/jsonxtest"
)

// TestInventoryJSONAsMarshal fills every field of many inventories at
// random and checks that AppendJSON writes what Marshal writes. A field
// added to Inventory or Package and not to the encoder fails here.
func TestInventoryJSONAsMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 3000 {
		var inv Inventory
		jsonxtest.Fill(r, &inv)
		want, err := json.Marshal(&inv)
		if err != nil {
			t.Fatalf("inventory %d: Marshal: %v", i, err)
		}
		got, err := inv.AppendJSON([]byte("prefix"))
		if err != nil {
			t.Fatalf("inventory %d: AppendJSON: %v", i, err)
		}
		if diff := cmp.Diff(string(want), string(got[len("prefix"):])); diff != "" {
			t.Fatalf("inventory %d: AppendJSON and Marshal differ (-Marshal +AppendJSON):\n%s", i, diff)
		}
	}
}

func TestInventoryJSONError(t *testing.T) {
	inv := Inventory{IndexedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	got, err := inv.AppendJSON([]byte("kept"))
	if err == nil || string(got) != "kept" {
		t.Errorf("AppendJSON = %q, %v; want an error and the buffer as it was", got, err)
	}
}

// FuzzInventoryJSON puts the fuzzer's strings into an inventory and
// compares AppendJSON with Marshal.
func FuzzInventoryJSON(f *testing.F) {
	f.Add("openssl", "3.0.11-1~deb12u2", "<&>\u2028\xff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		inv := Inventory{Target: Target{Kind: TargetHost, Name: a}, OS: &OS{ID: b},
			Packages: []Package{{Ecosystem: "Debian", Name: a, Version: b, PURL: c, Licenses: []string{c}, Dev: len(a) > 3}, {Name: c, Path: a}},
			Issues:   []Issue{{Plugin: a, Reason: c}}}
		want, werr := json.Marshal(&inv)
		got, err := inv.AppendJSON(nil)
		if (err != nil) != (werr != nil) {
			t.Fatalf("AppendJSON error %v, Marshal error %v", err, werr)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("AppendJSON and Marshal differ (-Marshal +AppendJSON):\n%s", diff)
		}
	})
}

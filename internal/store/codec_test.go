package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// TestEncodeInventorySplice checks that the stored JSON is exactly
// json.Marshal of the inventory, whatever its IndexedAt, although the
// inventory is encoded once (with IndexedAt cleared, for the hash).
func TestEncodeInventorySplice(t *testing.T) {
	base := model.Inventory{
		Target:   model.Target{Kind: model.TargetHost, Name: "h"},
		OS:       &model.OS{ID: "debian", Ecosystem: model.EcosystemDebian, Release: "12"},
		Packages: []model.Package{{Ecosystem: "Debian", Name: "bash", Version: "5.2-1", Path: "/var/lib/dpkg/status"}},
		Partial:  true,
	}
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"zero", time.Time{}},
		{"UTC with nanoseconds", time.Date(2026, 11, 27, 23, 59, 59, 123456789, time.UTC)},
		{"another zone", time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", -5*3600-30*60))},
		{"year 10000 does not encode", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"monotonic reading", time.Now()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := base
			inv.IndexedAt = tc.at
			want, werr := json.Marshal(&inv)
			cleared := inv
			cleared.IndexedAt = time.Time{}
			raw, err := json.Marshal(&cleared)
			if err != nil {
				t.Fatal(err)
			}
			got, gerr := withIndexedAt(raw, &inv)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("json.Marshal: %v; withIndexedAt: %v", werr, gerr)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("spliced JSON\n%s\nwant\n%s", got, want)
			}
			if werr == nil {
				data, _, err := EncodeInventory(&inv)
				if err != nil {
					t.Fatal(err)
				}
				_, d := codecs()
				stored, err := d.DecodeAll(data, nil)
				if err != nil || !bytes.Equal(stored, want) {
					t.Errorf("stored JSON %s, %v; want %s", stored, err, want)
				}
			}
		})
	}
}

// TestDecodeInventorySized checks that the size hint changes nothing but
// the allocations: the same inventory with any hint, fewer bytes with the
// right one.
func TestDecodeInventorySized(t *testing.T) {
	inv := &model.Inventory{Target: model.Target{Kind: model.TargetHost, Name: "h"}}
	for i := range 300 {
		inv.Packages = append(inv.Packages, model.Package{Ecosystem: "Debian", Name: fmt.Sprint("pkg", i), Version: "1.0-1", Path: "/var/lib/dpkg/status"})
	}
	data, _, err := EncodeInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	want, err := DecodeInventory(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, hint := range []int{0, 1, 300, 1000, 1 << 30} {
		got, err := DecodeInventorySized(data, hint)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("hint %d: a different inventory", hint)
		}
	}
	bytesOf := func(hint int) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 20 {
			if _, err := DecodeInventorySized(data, hint); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	sized, grown := bytesOf(300), bytesOf(0)
	t.Logf("20 decodes: %d bytes with the size, %d without", sized, grown)
	if sized >= grown {
		t.Errorf("decoding with the right size allocated %d bytes, without %d", sized, grown)
	}
}

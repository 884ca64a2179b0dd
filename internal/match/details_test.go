package match

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func TestDetailsCacheBound(t *testing.T) {
	tests := []struct {
		name  string
		max   int
		sizes []int // entry i is keyed "r<i>"
		want  []string
		bytes int
	}{
		{"all fit", 100, []int{30, 30, 30}, []string{"r0", "r1", "r2"}, 90},
		{"oldest evicted", 100, []int{40, 40, 40}, []string{"r1", "r2"}, 80},
		{"several evicted for a large one", 100, []int{30, 30, 30, 90}, []string{"r3"}, 90},
		{"larger than the bound is not kept", 100, []int{30, 101}, []string{"r0"}, 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newDetailsCache(tc.max)
			for i, n := range tc.sizes {
				c.put(detailsKey{"feed", fmt.Sprint("r", i)}, &recordDetails{size: n})
			}
			var got []string
			for k := range c.m {
				got = append(got, k.id)
			}
			slices.Sort(got)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("entries (-want +got):\n%s", d)
			}
			if c.bytes != tc.bytes {
				t.Errorf("bytes %d, want %d", c.bytes, tc.bytes)
			}
		})
	}
}

func TestDetailsCacheEvictsUnderChurn(t *testing.T) {
	c := newDetailsCache(10_000)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				k := detailsKey{"f", fmt.Sprint(g, "-", i)}
				c.put(k, &recordDetails{size: 100})
				c.get(k)
			}
		}()
	}
	wg.Wait()
	if c.bytes > 10_000 || len(c.m) != c.bytes/100 || len(c.fifo)-c.head != len(c.m) {
		t.Errorf("bytes %d, entries %d, queued %d: want at most 10,000 bytes, consistent", c.bytes, len(c.m), len(c.fifo)-c.head)
	}
}

// TestDetailsReadOnce matches the same real packages twice: the second
// match reads no record and returns exactly what the first did.
func TestDetailsReadOnce(t *testing.T) {
	ix, snap := buildZips(t, filepath.Join(testdata, "osv", "npm", "all.zip"))
	inv := &model.Inventory{Packages: []model.Package{
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"},
		{Ecosystem: "npm", Name: "minimist", Version: "1.2.0"},
	}}
	ctx := context.Background()
	first, err := ix.Match(ctx, inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap.mu.Lock()
	loads := snap.loads
	snap.mu.Unlock()
	if loads == 0 || len(first) != 2 {
		t.Fatalf("first match: %d records read, %d matches; want some of each for both packages", loads, len(first))
	}
	second, err := ix.Match(ctx, inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap.mu.Lock()
	again := snap.loads - loads
	snap.mu.Unlock()
	if again != 0 {
		t.Errorf("second match read %d records, want 0 (cached)", again)
	}
	if d := cmp.Diff(first, second); d != "" {
		t.Errorf("second match differs (-first +second):\n%s", d)
	}
	if first[0].Vulnerabilities[0].Details == "" || len(first[0].Vulnerabilities[0].References) == 0 {
		t.Errorf("no details or references in %+v", first[0].Vulnerabilities[0])
	}
	if st := ix.DetailsCacheStats(); st.Hits == 0 || st.Entries == 0 {
		t.Errorf("cache stats %+v, want hits and entries", st)
	}
}

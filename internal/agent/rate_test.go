package agent

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/extract/list"
	"github.com/vigilsec/vigil/internal/fsx"
)

// TestInventoryReadRate checks that the agent's ReadRate reaches the
// inventory walk: collecting the shared package databases at half their
// bytes per second takes at least the bytes a walk of that tree reads
// divided by the rate (less the limiter's 100 ms slack), and yields the
// same packages as an unlimited collection.
func TestInventoryReadRate(t *testing.T) {
	const root = "../../../shared/testdata/pkgdb"
	d, err := fsx.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	walk, err := fsx.Walk(context.Background(), d, fsx.Options{Extractors: list.All(), Budget: fsx.NewBudget(extract.Limits{})})
	if err != nil {
		t.Fatal(err)
	}
	bytes := walk.Stats.BytesRead
	rate := bytes / 2
	collect := func(rate int64) (*collector, time.Duration) {
		c := &collector{cfg: &Config{Root: root, ProcRoot: "/proc", StateDir: t.TempDir(), Hostname: "rate", NoFirewall: true, ReadRate: rate}}
		start := time.Now()
		if _, err := c.collect(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		return c, time.Since(start)
	}
	free, _ := collect(0)
	slow, elapsed := collect(rate)
	if len(free.inv.Packages) == 0 {
		t.Fatal("no packages in the inventory")
	}
	if diff := cmp.Diff(free.inv.Packages, slow.inv.Packages); diff != "" {
		t.Errorf("packages differ (-unlimited +limited):\n%s", diff)
	}
	floor := time.Duration(float64(bytes)/float64(rate)*float64(time.Second)) - 100*time.Millisecond
	if elapsed < floor {
		t.Errorf("collected %d bytes at %d B/s in %v, less than the %v the rate allows", bytes, rate, elapsed, floor)
	}
	t.Logf("%d packages, %d bytes at %d B/s in %v (floor %v)", len(slow.inv.Packages), bytes, rate, elapsed, floor)
}

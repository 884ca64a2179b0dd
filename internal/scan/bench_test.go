package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
)

// BenchmarkWarmScan measures what a warm `vigil scan fs` does per run
// against all of ../shared/testdata/osv: open the database and its
// current snapshot, load the persisted match index, index a real npm
// project (the corpus app's lockfile) and match it.
func BenchmarkWarmScan(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := advisory.Open(filepath.Join(dir, "db"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Import(ctx, "../../../shared/testdata/osv", advisory.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	app := filepath.Join(dir, "app")
	lock, err := os.ReadFile("../cli/testdata/node-app/package-lock.json")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(app, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "package-lock.json"), lock, 0o644); err != nil {
		b.Fatal(err)
	}
	scanOnce := func() int {
		db, err := advisory.Open(filepath.Join(dir, "db"))
		if err != nil {
			b.Fatal(err)
		}
		snap, err := db.Current(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer snap.Close()
		ix, err := match.Load(ctx, snap)
		if err != nil {
			b.Fatal(err)
		}
		inv, err := Inventory(ctx, Request{Kind: model.TargetFS, Target: app}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ms, err := (&Engine{Index: ix}).Match(ctx, inv)
		if err != nil {
			b.Fatal(err)
		}
		return len(ms)
	}
	if n := scanOnce(); n == 0 { // builds and persists the index
		b.Fatal("no matches: the benchmark would measure nothing")
	}
	b.ResetTimer()
	for b.Loop() {
		scanOnce()
	}
}

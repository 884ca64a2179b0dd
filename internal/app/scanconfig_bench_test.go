package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// benchApp opens an app on SQLite in a temporary directory with n host
// resources (a tenth tagged Scan=off) in its bootstrap account, under a
// configuration that excludes Scan=off, already applied once.
func benchApp(b *testing.B, n int) (*App, model.Resource) {
	b.Helper()
	ctx := context.Background()
	a, err := New(ctx, Config{DataDir: b.TempDir(), AdvisoryDir: b.TempDir(), Workers: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	acct := a.Bootstrap().Account
	sc := store.AccountScope(acct)
	var last model.Resource
	for i := 0; i < n; i += 1000 {
		err := a.store.InTx(ctx, func(tx store.Tx) error {
			for j := i; j < min(i+1000, n); j++ {
				tags := map[string]string{"Env": "Prod"}
				if j%10 == 0 {
					tags["Scan"] = "off"
				}
				r, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: acct, Type: model.ResourceHost, Name: fmt.Sprintf("host-%05d", j), Tags: tags})
				if err != nil {
					return err
				}
				if _, err := tx.Resources(sc).SetCoverage(ctx, r.ID, model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: a.now()}); err != nil {
					return err
				}
				last = r
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	err = a.store.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.ScanConfigs(sc).Put(ctx, model.ScanConfig{AccountID: acct, ExcludeTags: []model.TagFilter{{Key: "Scan", Value: "off"}}})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if res, err := a.applyScanConfig(ctx, store.SystemScope()); err != nil || res.Excluded != n/10 {
		b.Fatalf("first application: %+v, %v (want %d excluded)", res, err, n/10)
	}
	return a, last
}

// BenchmarkApplyScanConfig is one maintenance round over 10,000 resources
// whose coverage already agrees with the configuration (the steady state:
// a read-only pass, no write transaction).
func BenchmarkApplyScanConfig(b *testing.B) {
	a, _ := benchApp(b, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := a.applyScanConfig(ctx, store.SystemScope())
		if err != nil || res.Excluded+res.Included != 0 {
			b.Fatalf("%+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/10000, "µs/resource")
}

// BenchmarkAdmitScan is the check a scan job makes before it indexes: the
// resource is covered and nothing is recorded (read-only).
func BenchmarkAdmitScan(b *testing.B) {
	a, r := benchApp(b, 1000)
	ctx := context.Background()
	sc := store.AccountScope(r.AccountID)
	b.ResetTimer()
	for b.Loop() {
		run, err := a.admitScan(ctx, sc, r, "registered")
		if err != nil || !run {
			b.Fatalf("run %v, %v", run, err)
		}
	}
}

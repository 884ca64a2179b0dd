package advisory

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkImportOSV imports every shared OSV zip into an empty database:
// copy, verify (every entry parsed with osv.Parse), index, commit.
//
//	go test -run '^$' -bench ImportOSV -benchtime 5x ./internal/advisory
func BenchmarkImportOSV(b *testing.B) {
	ctx := context.Background()
	records := 0
	for _, eco := range ecosystemsIn(b) {
		records += len(zipIDs(b, filepath.Join(osvDir, eco, "all.zip")))
	}
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := Open(filepath.Join(b.TempDir(), "db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0 := cpuTime()
		if _, err := db.Import(ctx, osvDir, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	// On a shared machine wall time says little; records per CPU-second
	// times the cores gives what an idle machine reaches.
	if cpu > 0 {
		b.ReportMetric(float64(records)*float64(b.N)/cpu.Seconds(), "records/cpu-s")
	}
}

// BenchmarkRecords streams every record of a snapshot, as the match
// engine does once per snapshot.
func BenchmarkRecords(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	if _, err := db.Import(ctx, osvDir, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		s, err := db.Current(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, err := range s.Records(ctx) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		s.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkRecordByID reads single records lazily by id.
func BenchmarkRecordByID(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	if _, err := db.Import(ctx, osvDir, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	s := current(b, db)
	ids := zipIDs(b, filepath.Join(osvDir, "Go", "all.zip"))
	i := 0
	for b.Loop() {
		if _, err := s.Record(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

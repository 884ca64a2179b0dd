package match

import (
	"context"
	"runtime"
	"testing"
)

func BenchmarkBuildAll(b *testing.B) {
	s := openZipSnapshot(b, "bench", b.TempDir(), allZips(b)...)
	ctx := context.Background()
	for b.Loop() {
		if _, err := Build(ctx, s.id, s.Records(ctx), s); err != nil {
			b.Fatal(err)
		}
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestIndexMemory measures the live heap an index of every test-data OSV
// zip holds, and holds it to 2 KiB per advisory.
func TestIndexMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full index")
	}
	s := openZipSnapshot(t, "mem", t.TempDir(), allZips(t)...)
	ctx := context.Background()
	before := heapInUse()
	ix, err := Build(ctx, s.id, s.Records(ctx), s)
	if err != nil {
		t.Fatal(err)
	}
	after := heapInUse()
	runtime.KeepAlive(ix)
	per := float64(after-before) / float64(ix.RecordCount())
	t.Logf("index: %d records, %d entries, %d issues, %.1f MiB live, %.0f bytes/advisory",
		ix.RecordCount(), ix.EntryCount(), len(ix.Issues()), float64(after-before)/(1<<20), per)
	if per > 2048 {
		t.Errorf("index holds %.0f bytes per advisory, more than 2 KiB", per)
	}
}

package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestTuneGCForScanRestores checks that the deferred-GC setting of a scan
// gives way to the default pacing at the first collection.
func TestTuneGCForScanRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	tuneGCForScan()
	if got := debug.SetMemoryLimit(-1); got != scanHeapHeadroom {
		t.Fatalf("memory limit %d, want %d", got, scanHeapHeadroom)
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("the first collection did not restore the memory limit")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GC percent %d after the first collection, want 100", p)
	}
}

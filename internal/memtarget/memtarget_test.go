package memtarget_test

import (
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/memtarget"
)

const mib = 1 << 20

func TestLimitFor(t *testing.T) {
	for _, tc := range []struct {
		name                string
		target, live, other uint64
		want                uint64
	}{
		{"small heap: the target", 256 * mib, 40 * mib, 10 * mib, 256 * mib},
		{"at the target", 256 * mib, 123 * mib, 10 * mib, 256 * mib},
		{"large heap: as GOGC=100", 256 * mib, 300 * mib, 20 * mib, 620 * mib},
		{"nothing live", 64 * mib, 0, 0, 64 * mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, memtarget.LimitFor(tc.target, tc.live, tc.other)); d != "" {
				t.Errorf("LimitFor (-want +got):\n%s", d)
			}
		})
	}
}

func TestSkipped(t *testing.T) {
	for _, tc := range []struct {
		name, env, value string
		target           uint64
	}{
		{"no target", "", "", 0},
		{"GOGC set", "GOGC", "150", 256 * mib},
		{"GOMEMLIMIT set", "GOMEMLIMIT", "1GiB", 256 * mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(tc.env, tc.value)
			}
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			tu, err := memtarget.Start(tc.target)
			var se *memtarget.SkippedError
			if !errors.As(err, &se) || tu != nil {
				t.Fatalf("Start = %v, %v; want a *SkippedError", tu, err)
			}
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GC percent changed to %d", got)
			}
		})
	}
}

var sink []byte

// churn allocates total bytes in 64 KiB pieces, keeping none, and returns
// the collections that ran meanwhile.
func churn(total int) uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	for range total / (64 << 10) {
		sink = make([]byte, 64<<10)
	}
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

// heapGoal returns the heap size at which the next collection starts.
func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// settings are the collector's settings as the runtime reports them.
type settings struct {
	percent int64
	limit   uint64
}

func gcSettings() settings {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return settings{percent: int64(s[0].Value.Uint64()), limit: s[1].Value.Uint64()}
}

// TestCollectsLessOften checks the point of the package: with a small
// live heap, a target lets the heap grow to it before a collection,
// where GOGC=100 collects at twice the live heap; Stop brings the
// default back. (The collections counted are logged, not checked: how
// far a heap overshoots its goal depends on the machine's load.)
func TestCollectsLessOften(t *testing.T) {
	skipIfSet(t)
	if testing.Short() {
		t.Skip("allocates 1 GB (-short)")
	}
	debug.FreeOSMemory()       // what earlier tests left mapped would count against the target
	live := make([][]byte, 16) // 16 MiB kept live
	for i := range live {
		live[i] = make([]byte, mib)
	}
	runtime.GC()
	defaultGoal := heapGoal()
	byDefault := churn(512 * mib)

	tu, err := memtarget.Start(256 * mib)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	tunedGoal, tunedSettings := heapGoal(), gcSettings()
	tuned := churn(512 * mib)
	// (The limit follows the live heap of whichever collection ran last,
	// possibly with another test's data: only its floor is checked.)
	if l := tu.Limit(); l < 256*mib {
		t.Errorf("limit with 16 MiB live = %d MiB, want at least the 256 MiB target", l/mib)
	}
	tu.Stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent after Stop = %d, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<63-1 {
		t.Errorf("memory limit after Stop = %d, want none", got)
	}
	runtime.GC()
	stoppedGoal := heapGoal()
	runtime.KeepAlive(live)
	t.Logf("heap goal %d MiB by default, %d with the target, %d after Stop; collections per 512 MiB allocated: %d, %d",
		defaultGoal/mib, tunedGoal/mib, stoppedGoal/mib, byDefault, tuned)
	if defaultGoal > 64*mib {
		t.Fatalf("heap goal by default with 16 MiB live = %d MiB: something else is live", defaultGoal/mib)
	}
	if tunedSettings.percent != -1 || tunedSettings.limit < 256*mib {
		t.Errorf("with a 256 MiB target: GOGC %d, memory limit %d MiB; want off and at least the target", tunedSettings.percent, tunedSettings.limit/mib)
	}
	if tunedGoal <= defaultGoal {
		t.Errorf("heap goal with a 256 MiB target = %d MiB, by default %d MiB: want more", tunedGoal/mib, defaultGoal/mib)
	}
	if stoppedGoal > 64*mib {
		t.Errorf("heap goal after Stop = %d MiB, want GOGC=100's again", stoppedGoal/mib)
	}
}

// TestFollowsLargeHeap checks that a live heap above half the target
// raises the limit (the collector must not run continuously).
func TestFollowsLargeHeap(t *testing.T) {
	skipIfSet(t)
	if testing.Short() {
		t.Skip("allocates 300 MB (-short)")
	}
	tu, err := memtarget.Start(32 * mib)
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Stop()
	live := make([][]byte, 48)
	for i := range live {
		live[i] = make([]byte, mib)
	}
	runtime.GC()
	churn(64 * mib) // the cleanup that adjusts runs after a collection
	runtime.GC()
	churn(64 * mib)
	if l := tu.Limit(); l < 96*mib {
		t.Errorf("limit with 48 MiB live and a 32 MiB target = %d MiB, want ≥ 96", l/mib)
	}
	runtime.KeepAlive(live)
}

// skipIfSet skips a test of the tuner when the environment leaves the
// collector to the operator.
func skipIfSet(t *testing.T) {
	t.Helper()
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if os.Getenv(v) != "" {
			t.Skipf("%s is set: Start leaves the collector alone", v)
		}
	}
}

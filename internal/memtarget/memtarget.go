// Package memtarget runs the Go garbage collector against a memory target
// instead of proportionally to the live heap. With Go's default (GOGC=100)
// a server whose live heap is small collects every time its heap doubles:
// the vigil server, which allocates about 3 MB per pushed inventory and
// keeps 50–120 MB live, collected several times a second under load and
// spent a tenth of its CPU time doing so (BENCHMARKS.md). Given a target,
// the runtime's memory may grow to it before a collection; above it the
// collector runs as often as GOGC=100 would, never more often, so a large
// live heap does not make it collect continuously.
//
// It works through the runtime's own knobs — the GC percentage off and a
// soft memory limit (runtime/debug.SetMemoryLimit) that is raised after
// every collection to twice the live heap when that exceeds the target —
// and stays out of the way of an operator who set GOGC or GOMEMLIMIT.
package memtarget

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Default is the memory target `vigil server` and `vigil worker` apply
// unless told otherwise (--memory-target): 256 MiB.
const Default = 256 << 20

// Tuner holds the collector to a memory target until Stop.
type Tuner struct {
	target  uint64
	stopped atomic.Bool

	mu      sync.Mutex
	samples []metrics.Sample
	limit   uint64

	prevPercent int
	prevLimit   int64
}

// SkippedError says why Start left the collector's settings alone.
type SkippedError struct{ Reason string }

func (e *SkippedError) Error() string { return "memory target not applied: " + e.Reason }

// Start applies target (bytes of memory the Go runtime may use before it
// collects; 0 leaves Go's default) and returns the Tuner that keeps it.
// It returns a *SkippedError, and changes nothing, when target is 0 or the
// environment sets GOGC or GOMEMLIMIT.
func Start(target uint64) (*Tuner, error) {
	switch {
	case target == 0:
		return nil, &SkippedError{Reason: "no target"}
	case os.Getenv("GOGC") != "":
		return nil, &SkippedError{Reason: "GOGC is set"}
	case os.Getenv("GOMEMLIMIT") != "":
		return nil, &SkippedError{Reason: "GOMEMLIMIT is set"}
	}
	t := &Tuner{target: target, samples: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}}
	t.prevLimit = debug.SetMemoryLimit(-1)
	t.adjust()
	t.prevPercent = debug.SetGCPercent(-1)
	t.arm()
	return t, nil
}

// Limit returns the memory limit the Tuner set last.
func (t *Tuner) Limit() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limit
}

// Stop restores the collector's settings from before Start.
func (t *Tuner) Stop() {
	if t.stopped.Swap(true) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	debug.SetGCPercent(t.prevPercent)
	debug.SetMemoryLimit(t.prevLimit)
}

// sentinel is an object whose cleanup runs after each collection that
// finds it unreachable: the Tuner's hook into the collector's cycle.
type sentinel struct{ _ [2]*byte }

// arm allocates the next sentinel.
func (t *Tuner) arm() {
	runtime.AddCleanup(new(sentinel), func(t *Tuner) {
		if t.stopped.Load() {
			return
		}
		t.adjust()
		t.arm()
	}, t)
}

// adjust sets the memory limit from the live heap the last collection
// found: the target, or what GOGC=100 would let the runtime use when that
// is more.
func (t *Tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.samples)
	v := func(i int) uint64 {
		if t.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return t.samples[i].Value.Uint64()
	}
	live, total, released, objects, unused, free := v(0), v(1), v(2), v(3), v(4), v(5)
	// What the runtime holds besides the heap's objects and spans: stacks,
	// its own metadata, buffers.
	var other uint64
	if heap := released + objects + unused + free; total > heap {
		other = total - heap
	}
	t.limit = LimitFor(t.target, live, other)
	debug.SetMemoryLimit(int64(min(t.limit, math.MaxInt64)))
}

// LimitFor returns the memory limit for a target, a live heap and the
// runtime's memory besides its heap: the target, or twice the live heap
// plus the rest when that is more (a collection when the heap has
// doubled, as GOGC=100 does).
func LimitFor(target, live, other uint64) uint64 {
	return max(target, 2*live+other)
}

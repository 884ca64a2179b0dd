package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// scanHeapHeadroom is how much heap a CLI scan may allocate before its
// first garbage collection. It is kept well under the 150 MB peak-RSS
// budget of an image scan: a lockfile scan (a few MB) never collects, an
// image scan collects at this point and then paces normally.
const scanHeapHeadroom = 64 << 20

// tuneGCForScan defers the garbage collector for a one-shot CLI scan.
//
// A warm `vigil scan` of a lockfile lives for a few tens of milliseconds
// and allocates a few megabytes; with the default GOGC=100 and its 4 MB
// initial heap goal, the runtime still starts its mark workers and
// collects two or three times, which was about a tenth of the process's
// CPU time. So the collector is switched off (GOGC=off) with a memory
// limit of scanHeapHeadroom: a small scan never collects, and a large one
// (an image, a big host) is collected when the heap reaches the limit. At
// that first collection the default pacing is restored (GOGC=100, no
// limit), so a scan whose live heap exceeds the limit is not made to
// collect continuously against it. Nothing is changed when the user set
// GOGC or GOMEMLIMIT. Server and agent commands keep the default.
func tuneGCForScan() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(scanHeapHeadroom)
	debug.SetGCPercent(-1)
	// A finalizer runs after the first collection that finds its object
	// unreachable: the signal that the limit was reached.
	runtime.SetFinalizer(new([64]byte), func(*[64]byte) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}

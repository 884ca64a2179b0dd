//go:build unix

package advisory

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time, for benchmarks that
// must be judged on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
